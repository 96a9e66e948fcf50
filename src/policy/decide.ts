/**
 * The decision function: what a leaf advertises for one prefix, from the healthy servers behind it.
 * The agent calls it on live FRR observations and the planner on fixture scenarios, so the planner
 * predicts exactly what the agent will do. Pure; damping lives in damping.ts.
 */
import { MAX_BANDWIDTH_MBPS, type LeafPolicy, type Strategy } from '../fabric/types.js';
import { WITHDRAW, type Advertisement } from './advertisement.js';

/** What a leaf knows about one prefix: counts and capacities, healthy and configured. */
export interface LeafPrefixState {
  readonly healthyCount: number;
  readonly healthyCapacity: number;
  readonly configuredCount: number;
  readonly configuredCapacity: number;
}

export type DecisionReason =
  /** No healthy server path: nothing to advertise. */
  | 'no-healthy-servers'
  /** Plain ECMP, nothing set. */
  | 'ecmp'
  /** FRR's num-multipaths: one Mbps per healthy path. */
  | 'path-count'
  /** Link-bandwidth from live capacity. */
  | 'live-capacity'
  /** Under the policy's threshold: the leaf leaves the spines' ECMP set. */
  | 'below-threshold';

export interface Decision {
  readonly advertisement: Advertisement;
  readonly reason: DecisionReason;
}

export function decide(strategy: Strategy, policy: LeafPolicy, state: LeafPrefixState): Decision {
  if (state.healthyCount <= 0 || state.healthyCapacity <= 0) return { advertisement: WITHDRAW, reason: 'no-healthy-servers' };
  switch (strategy) {
    case 'ecmp':
      return { advertisement: { kind: 'advertise', bandwidthMbps: null, prepend: 0 }, reason: 'ecmp' };
    case 'num-multipaths':
      return { advertisement: { kind: 'advertise', bandwidthMbps: Math.min(state.healthyCount, MAX_BANDWIDTH_MBPS), prepend: 0 }, reason: 'path-count' };
    case 'ballast': {
      // With link-bandwidth on the server paths, FRR re-advertises their sum to the spines by itself,
      // so even the prepend mode carries a value then; stating it explicitly keeps planner and FRR equal.
      const carriesBandwidth = policy.mode !== 'prepend' || policy.weightServers;
      const bandwidthMbps = carriesBandwidth ? capacityToMbps(policy, state.healthyCapacity) : null;
      const below = policy.mode !== 'link-bandwidth' && belowThreshold(policy, state);
      return {
        advertisement: { kind: 'advertise', bandwidthMbps, prepend: below ? policy.prependLength : 0 },
        reason: below ? 'below-threshold' : policy.mode === 'prepend' ? 'ecmp' : 'live-capacity',
      };
    }
  }
}

/** Capacity in fabric units -> the Mbps value FRR accepts (whole Mbps, 1-25600). */
export function capacityToMbps(policy: LeafPolicy, capacity: number): number {
  return Math.min(MAX_BANDWIDTH_MBPS, Math.max(1, Math.round(capacity * policy.mbpsPerUnit)));
}

function belowThreshold(policy: LeafPolicy, state: LeafPrefixState): boolean {
  if (state.healthyCount < policy.prependBelowServers) return true;
  return state.configuredCapacity > 0 && state.healthyCapacity / state.configuredCapacity < policy.prependBelowFraction;
}
