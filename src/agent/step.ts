/**
 * One evaluation of one prefix: observation -> the shared decision (`decide(..., 'ballast', ...)`, the
 * same call the planner makes) -> damping -> the entry the agent wants FRR to hold. Pure: time is a
 * parameter, nothing is read or written here.
 */
import { capacityToMbps, decide, type DecisionReason } from '../policy/decide.js';
import { damp, initialDamping, isCut, type DampingState, type Hold } from '../policy/damping.js';
import { sameAdvertisement, type Advertisement } from '../policy/advertisement.js';
import { receivedBytesPerSecond } from '../forwarding/weights.js';
import type { OwnedEntry } from '../frr/ballast-route-map.js';
import type { AgentReloadable } from './config.js';
import { configuredFor, type PrefixObservation } from './observation.js';

export interface PrefixState {
  /** null until the first decision: then the decision is adopted at once (start-up, new prefix). */
  readonly damping: DampingState | null;
  /** What the agent wants FRR to hold for this prefix; null when it has nothing to say yet. */
  readonly entry: OwnedEntry | null;
  /** The last observation, kept for damping re-checks and the API. */
  readonly observation: PrefixObservation | null;
  readonly lastReason: DecisionReason | null;
  readonly lastHold: Hold;
}

export const EMPTY_PREFIX_STATE: PrefixState = { damping: null, entry: null, observation: null, lastReason: null, lastHold: 'none' };

/** One log line per decision. */
export interface DecisionRecord {
  readonly prefix: string;
  readonly healthyServers: readonly string[];
  readonly liveCapacity: number;
  readonly configuredCapacity: number;
  readonly old: Advertisement | null;
  readonly new: Advertisement;
  readonly target: Advertisement;
  readonly reason: DecisionReason;
  readonly hold: Hold;
  readonly changed: boolean;
  /** How the entry carries the value: an explicit number, FRR's cumulative, or nothing. */
  readonly render: 'explicit' | 'cumulative' | 'none' | 'kept';
}

export interface StepResult {
  readonly state: PrefixState;
  readonly record: DecisionRecord;
  /** When to evaluate again because a change is held back; null when nothing is pending. */
  readonly nextCheckAt: number | null;
}

export function evaluate(cfg: AgentReloadable, obs: PrefixObservation, prev: PrefixState, now: number): StepResult {
  const { policy } = cfg;
  const healthyCapacity = obs.servers.reduce((a, s) => a + s.capacity, 0);
  const configured = configuredFor(cfg, obs);
  const decision = decide('ballast', policy, {
    healthyServers: obs.servers.length,
    healthyCapacity,
    configuredServers: configured.servers,
    configuredCapacity: configured.capacity,
  });
  const target = decision.advertisement;
  let current: Advertisement;
  let damping: DampingState;
  let hold: Hold = 'none';
  let nextCheckAt: number | null = null;
  if (prev.damping === null) {
    current = target;
    damping = initialDamping(target, now);
  } else if (prev.entry?.bandwidth === 'cumulative' && target.kind === 'advertise' && isCut(prev.damping.current, target)) {
    // FRR has already cut by itself (it sums the remaining server paths): record it as done. Pinning
    // the old value for a minimum interval would raise the spines back to capacity that is gone.
    current = target;
    damping = { current: target, lastChangeAt: now, raiseSince: null };
  } else {
    const d = damp(target, prev.damping, now, policy.damping);
    current = d.advertisement;
    damping = d.state;
    hold = d.hold;
    nextCheckAt = d.nextCheckAt;
  }
  const { entry, render } = renderEntry(cfg, obs, current, hold, configured.listed, prev.entry);
  const old = prev.damping?.current ?? null;
  return {
    state: { damping, entry, observation: obs, lastReason: decision.reason, lastHold: hold },
    record: {
      prefix: obs.prefix.text,
      healthyServers: obs.servers.map((s) => s.name),
      liveCapacity: healthyCapacity,
      configuredCapacity: configured.capacity,
      old,
      new: current,
      target,
      reason: decision.reason,
      hold,
      changed: old === null || !sameAdvertisement(old, current),
      render,
    },
    nextCheckAt,
  };
}

function renderEntry(
  cfg: AgentReloadable,
  obs: PrefixObservation,
  current: Advertisement,
  hold: Hold,
  listed: number,
  prev: OwnedEntry | null,
): { entry: OwnedEntry | null; render: DecisionRecord['render'] } {
  if (current.kind === 'withdraw') {
    // FRR withdraws by itself when the last server path goes; the agent never denies a prefix. Keep
    // the entry as it is so a returning path is advertised with the last value until re-decided.
    return prev ? { entry: prev, render: 'kept' } : { entry: { prefix: obs.prefix, bandwidth: null, prepend: 0 }, render: 'none' };
  }
  if (current.bandwidthMbps !== null && current.prepend === 0 && hold === 'none' && cfg.fastCut && nativeCumulativeEquals(cfg, obs, listed, current.bandwidthMbps)) {
    return { entry: { prefix: obs.prefix, bandwidth: 'cumulative', prepend: 0 }, render: 'cumulative' };
  }
  return {
    entry: { prefix: obs.prefix, bandwidth: current.bandwidthMbps, prepend: current.prepend },
    render: current.bandwidthMbps === null ? 'none' : 'explicit',
  };
}

/**
 * FRR's own cumulative equals the decided value, and no raise can follow (every listed server is
 * healthy): only then may FRR carry the value itself, so that a failure cuts at FRR's own speed.
 */
export function nativeCumulativeEquals(cfg: AgentReloadable, obs: PrefixObservation, listed: number, mbps: number): boolean {
  if (listed === 0 || obs.servers.length !== listed || obs.servers.some((s) => !s.listed)) return false;
  let sum = 0;
  for (const s of obs.servers) {
    const own = capacityToMbps(cfg.policy, s.capacity);
    if (s.bandwidthBytes !== receivedBytesPerSecond(own)) return false;
    sum += own;
  }
  return sum === mbps;
}
