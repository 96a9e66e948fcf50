/**
 * Damping: cut capacity at once, restore only after a hold-down, at most one change per prefix per
 * interval, and ignore changes below a threshold. A pure state machine; the caller injects `now`
 * (milliseconds) and re-evaluates at `nextCheckAt` when a change is being held back.
 */
import type { Damping } from '../fabric/types.js';
import { sameAdvertisement, type Advertisement } from './advertisement.js';

export interface DampingState {
  /** What is advertised now. */
  readonly current: Advertisement;
  readonly lastChangeAt: number;
  /** Since when a raise (more traffic) has been wanted without interruption; null when none is. */
  readonly raiseSince: number | null;
}

export type Hold = 'none' | 'hold-down' | 'min-interval' | 'below-change-threshold';

export interface Damped {
  readonly advertisement: Advertisement;
  readonly state: DampingState;
  readonly changed: boolean;
  /** Why the target was not applied (yet). */
  readonly hold: Hold;
  /** When to call again to apply a held change; null when nothing is pending. */
  readonly nextCheckAt: number | null;
}

/** The starting state for an advertisement found running (adopted without a flap). */
export function initialDamping(current: Advertisement, now: number): DampingState {
  return { current, lastChangeAt: now, raiseSince: null };
}

export function damp(target: Advertisement, state: DampingState, now: number, damping: Damping): Damped {
  const { current } = state;
  if (sameAdvertisement(target, current)) {
    return { advertisement: current, state: { ...state, raiseSince: null }, changed: false, hold: 'none', nextCheckAt: null };
  }
  // Back from withdrawn: FRR advertises the returning path by itself the moment it is learned, so
  // holding the old "withdrawn" would only misstate what the spines hear. The leaf agent never
  // withdraws a prefix it has a path for; it sets the value for the returning path at once.
  if (current.kind === 'withdraw') return apply(target, now);
  if (isSmallChange(current, target, damping.minChangeFraction)) {
    return { advertisement: current, state: { ...state, raiseSince: null }, changed: false, hold: 'below-change-threshold', nextCheckAt: null };
  }
  const intervalEnd = state.lastChangeAt + damping.minIntervalSeconds * 1000;
  if (isCut(current, target)) {
    if (now >= intervalEnd) return apply(target, now);
    return held(state, { ...state, raiseSince: null }, 'min-interval', intervalEnd);
  }
  const raiseSince = state.raiseSince ?? now;
  const holdEnd = raiseSince + damping.holdDownSeconds * 1000;
  if (now >= holdEnd && now >= intervalEnd) return apply(target, now);
  return held(state, { ...state, raiseSince }, now < holdEnd ? 'hold-down' : 'min-interval', Math.max(holdEnd, intervalEnd));
}

function apply(target: Advertisement, now: number): Damped {
  return { advertisement: target, state: { current: target, lastChangeAt: now, raiseSince: null }, changed: true, hold: 'none', nextCheckAt: null };
}

function held(old: DampingState, state: DampingState, hold: Hold, nextCheckAt: number): Damped {
  return { advertisement: old.current, state, changed: false, hold, nextCheckAt };
}

/** A cut sends the leaf less traffic: withdrawn, more prepends, or (same prepends) less bandwidth. */
export function isCut(from: Advertisement, to: Advertisement): boolean {
  if (to.kind === 'withdraw') return true;
  if (from.kind === 'withdraw') return false;
  if (to.prepend !== from.prepend) return to.prepend > from.prepend;
  return (to.bandwidthMbps ?? 0) < (from.bandwidthMbps ?? 0);
}

function isSmallChange(from: Advertisement, to: Advertisement, fraction: number): boolean {
  if (fraction <= 0 || from.kind === 'withdraw' || to.kind === 'withdraw') return false;
  if (from.prepend !== to.prepend || from.bandwidthMbps === null || to.bandwidthMbps === null) return false;
  return Math.abs(to.bandwidthMbps - from.bandwidthMbps) / from.bandwidthMbps < fraction;
}
