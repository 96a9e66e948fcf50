/**
 * One evaluation of one prefix: observation -> the shared decision (`decide(..., 'ballast', ...)`, the
 * same call the planner makes) -> damping -> what the agent wants FRR to hold. Pure: time is a
 * parameter, nothing is read or written here.
 *
 * How damping is realised in FRR (measured on 8.4, see docs/agent.md):
 * - Cuts are FRR's own. While the server paths carry their capacity as link-bandwidth, the outbound
 *   entry says `cumulative`, so a server that fails leaves the sum at once (~0.18 s to the spine
 *   kernels, as fast as FRR's native num-multipaths). Without server values the agent writes the
 *   explicit value at once.
 * - Raises are held at the leaf's door: a configured server that is absent is pre-marked "held" (an
 *   inbound entry lowers its local-preference for that prefix), so when it returns its path is valid
 *   but outside the multipath set: not used by the leaf, not in the cumulative. When the damping
 *   releases the raise, the hold is removed and the path re-evaluated (`clear ... soft in`).
 * - A leaf with no admitted server never holds anyone back: the agent never withdraws a prefix it
 *   has a healthy path for.
 */
import { capacityToMbps, decide, type DecisionReason } from '../policy/decide.js';
import { damp, initialDamping, type DampingState, type Hold } from '../policy/damping.js';
import { sameAdvertisement, type Advertisement } from '../policy/advertisement.js';
import { receivedBytesPerSecond } from '../forwarding/weights.js';
import type { OwnedEntry } from '../frr/ballast-route-map.js';
import type { AgentReloadable } from './config.js';
import { configuredFor, type PrefixObservation, type ServerPathObservation } from './observation.js';

export interface PrefixState {
  /** null until the first decision: then what FRR does is adopted at once (start-up, new prefix). */
  readonly damping: DampingState | null;
  /** What the agent wants the outbound entry to say; null when it has nothing to say yet. */
  readonly entry: OwnedEntry | null;
  /** Server neighbors held back for this prefix (absent ones pre-marked, returned ones waiting). */
  readonly held: ReadonlySet<string>;
  /** The last observation, kept for damping re-checks and the API. */
  readonly observation: PrefixObservation | null;
  readonly lastReason: DecisionReason | null;
  readonly lastHold: Hold;
  /** When to evaluate again because a change is held back (damp()'s deadline); null when nothing is pending. */
  readonly nextCheckAt: number | null;
}

export const EMPTY_PREFIX_STATE: PrefixState = { damping: null, entry: null, held: new Set(), observation: null, lastReason: null, lastHold: 'none', nextCheckAt: null };

/** One log line per decision. */
export interface DecisionRecord {
  readonly prefix: string;
  /** Servers counted healthy: admitted ones and returned ones held back. */
  readonly healthyServers: readonly string[];
  readonly heldServers: readonly string[];
  readonly liveCapacity: number;
  readonly configuredCapacity: number;
  readonly old: Advertisement | null;
  readonly new: Advertisement;
  readonly target: Advertisement;
  readonly reason: DecisionReason;
  readonly hold: Hold;
  readonly changed: boolean;
  /** How the entry carries the value: an explicit number, FRR's cumulative, or nothing. */
  readonly render: 'explicit' | 'cumulative' | 'none' | 'kept' | 'prepended';
}

export interface StepResult {
  readonly state: PrefixState;
  readonly record: DecisionRecord;
  /** Held servers let in now: their paths must be re-evaluated (`clear ... soft in`). */
  readonly released: readonly string[];
  /** Admitted servers just drained: their paths must be re-evaluated too, so the new hold applies. */
  readonly reheld: readonly string[];
}

/**
 * Servers counted healthy: present, not drained, and either admitted or returned and held back (a
 * held server is healthy; only the raise it brings waits).
 */
export function healthyServers(obs: PrefixObservation, held: ReadonlySet<string>, drained: ReadonlySet<string>): ServerPathObservation[] {
  return obs.servers.filter((s) => !drained.has(s.neighbor) && (s.admitted || held.has(s.neighbor)));
}

/**
 * Copies of the leaf's AS a withdrawn prefix whose server paths are all held carries toward the spines
 * (renderEntry): longer than any prepend policy's (at most 10), so the path is nobody's multipath or best.
 */
export const WITHDRAW_PREPEND = 11;

const capacityOf = (servers: readonly ServerPathObservation[]): number => servers.reduce((a, s) => a + s.capacity, 0);

/** The shared decision (the planner's too) for these healthy server paths. */
function decideFor(cfg: AgentReloadable, healthy: readonly ServerPathObservation[], configured: { count: number; capacity: number }) {
  return decide('ballast', cfg.policy, { healthyCount: healthy.length, healthyCapacity: capacityOf(healthy), configuredCount: configured.count, configuredCapacity: configured.capacity });
}

/**
 * `drained`: server neighbors an operator took out of rotation. They count as configured but not
 * healthy, and are held at the leaf's door until undrained (then they return through the hold-down).
 */
export function evaluate(
  cfg: AgentReloadable,
  obs: PrefixObservation,
  prev: PrefixState,
  now: number,
  drained: ReadonlySet<string> = new Set(),
  /** false right after the leaf's own bgpd restarted: sessions coming back are not returning servers. */
  holdAbsent = true,
): StepResult {
  const { policy } = cfg;
  const present = obs.servers.filter((s) => !drained.has(s.neighbor));
  const admitted = present.filter((s) => s.admitted);
  // A held server that got in anyway (it returned before its hold was in place) is simply in.
  const stillHeld = new Set([...prev.held].filter((n) => !admitted.some((s) => s.neighbor === n)));
  const waiting = present.filter((s) => !s.admitted && stillHeld.has(s.neighbor));
  const configured = configuredFor(cfg, obs);
  const healthy = [...admitted, ...waiting];
  const decision = decideFor(cfg, healthy, configured);
  const target = decision.advertisement;
  // What FRR advertises by itself with the admitted paths: cuts have happened already.
  const native = decideFor(cfg, admitted, configured).advertisement;
  const old = prev.damping?.current ?? null;
  let state: DampingState =
    prev.damping === null
      ? initialDamping(native, now)
      : sameAdvertisement(prev.damping.current, native)
        ? prev.damping
        : { current: native, lastChangeAt: now, raiseSince: prev.damping.raiseSince };
  let current = native;
  let hold: Hold = 'none';
  let nextCheckAt: number | null = null;
  let released: ServerPathObservation[] = [];
  if (waiting.length > 0) {
    if (admitted.length === 0) {
      // Back from withdrawn: never keep a leaf out while it has a healthy server.
      released = waiting;
    } else {
      // Every raise waits for the hold-down; a small one too, since holding it back means keeping a
      // healthy server idle (min-change-fraction cannot apply to a gate).
      const d = damp(target, state, now, { ...policy.damping, minChangeFraction: 0 });
      hold = d.hold;
      nextCheckAt = d.nextCheckAt;
      state = d.state;
      if (d.changed) released = waiting;
    }
    if (released.length > 0) {
      current = target;
      state = { current: target, lastChangeAt: now, raiseSince: null };
    }
  } else if (!sameAdvertisement(state.current, target)) {
    // Nothing waiting, yet the target differs (prepend thresholds, a reload): follow it at once.
    current = target;
    state = { current: target, lastChangeAt: now, raiseSince: null };
  } else {
    state = { ...state, raiseSince: null };
  }
  const admittedNext = [...admitted, ...released];
  const held = new Set([...stillHeld].filter((n) => !released.some((s) => s.neighbor === n)));
  if (admittedNext.length === 0) held.clear();
  else if (holdAbsent) {
    // Pre-mark every configured server of this prefix that is absent, so its return is held.
    for (const s of cfg.servers) {
      if (s.prefixes.includes(obs.prefix.text) && !obs.servers.some((o) => o.neighbor === s.neighbor)) held.add(s.neighbor);
    }
  }
  // A drain is the operator's word: held even when it leaves the leaf without a server.
  for (const s of cfg.servers) if (drained.has(s.neighbor) && s.prefixes.includes(obs.prefix.text)) held.add(s.neighbor);
  const reheld = obs.servers.filter((s) => s.admitted && drained.has(s.neighbor)).map((s) => s.neighbor);
  // Advertised until now, withdrawn now, with server paths still in FRR (all drained or held): see renderEntry.
  const heldAway = obs.servers.length > 0 && old !== null && old.kind !== 'withdraw';
  const { entry, render } = renderEntry(cfg, obs.prefix, admittedNext, current, prev.entry, heldAway);
  return {
    state: { damping: state, entry, held, observation: obs, lastReason: decision.reason, lastHold: hold, nextCheckAt },
    record: {
      prefix: obs.prefix.text,
      healthyServers: healthy.map((s) => s.name),
      heldServers: waiting.filter((s) => !released.includes(s)).map((s) => s.name),
      liveCapacity: capacityOf(healthy),
      configuredCapacity: configured.capacity,
      old,
      new: current,
      target,
      reason: decision.reason,
      hold,
      changed: old === null || !sameAdvertisement(old, current),
      render,
    },
    released: released.map((s) => s.neighbor),
    reheld,
  };
}

function renderEntry(
  cfg: AgentReloadable,
  prefix: PrefixObservation['prefix'],
  servers: readonly ServerPathObservation[],
  current: Advertisement,
  prev: OwnedEntry | null,
  heldAway: boolean,
): { entry: OwnedEntry | null; render: DecisionRecord['render'] } {
  if (current.kind === 'withdraw') {
    // An advertised leaf withdrawn while its server paths stay in FRR (all drained, or held): a held path
    // stays the leaf's best unless a path learned back through the spines beats it, and a spine sends none
    // while its own best is this leaf's path, so FRR kept advertising the leaf (a whole-leaf drain that never
    // left the spines: the mixed fabric's lab-api run, both spines preferring leaf3's older path).
    // Prepended, the leaf's path leaves the spines' multipath set and their best at once; theirs then
    // reaches the leaf and wins. Later evaluations keep the entry (below) until the leaf is advertised again.
    if (heldAway) return { entry: { prefix, bandwidth: prev?.bandwidth ?? null, prepend: WITHDRAW_PREPEND }, render: 'prepended' };
    // FRR withdraws by itself when the last server path goes; the agent never denies a prefix. Keep
    // the entry as it is so a returning path is advertised with the last value until re-decided.
    return prev ? { entry: prev, render: 'kept' } : { entry: { prefix, bandwidth: null, prepend: 0 }, render: 'none' };
  }
  if (current.bandwidthMbps !== null && cfg.fastCut && nativeCumulativeEquals(cfg, servers, current.bandwidthMbps)) {
    return { entry: { prefix, bandwidth: 'cumulative', prepend: current.prepend }, render: 'cumulative' };
  }
  return { entry: { prefix, bandwidth: current.bandwidthMbps, prepend: current.prepend }, render: current.bandwidthMbps === null ? 'none' : 'explicit' };
}

/**
 * FRR's own sum of the server paths equals the decided value: every path carries exactly its
 * configured capacity as link-bandwidth. Then FRR may carry the value itself and cut at its own speed.
 */
export function nativeCumulativeEquals(cfg: AgentReloadable, servers: readonly ServerPathObservation[], mbps: number): boolean {
  if (servers.length === 0) return false;
  let sum = 0;
  for (const s of servers) {
    const own = capacityToMbps(cfg.policy, s.capacity);
    if (s.bandwidthBytes !== receivedBytesPerSecond(own)) return false;
    sum += own;
  }
  return sum === mbps;
}

export interface WhatIf {
  readonly advertisement: Advertisement;
  readonly reason: DecisionReason;
  readonly healthyServers: readonly string[];
  readonly liveCapacity: number;
}

/** What the leaf would advertise for a prefix if the named servers failed now (the API's Plan). */
export function whatIf(cfg: AgentReloadable, st: PrefixState, drained: ReadonlySet<string>, fail: ReadonlySet<string>): WhatIf | null {
  if (st.observation === null) return null;
  const healthy = healthyServers(st.observation, st.held, drained).filter((s) => !fail.has(s.name) && !fail.has(s.neighbor));
  const d = decideFor(cfg, healthy, configuredFor(cfg, st.observation));
  return { advertisement: d.advertisement, reason: d.reason, healthyServers: healthy.map((s) => s.name), liveCapacity: capacityOf(healthy) };
}
