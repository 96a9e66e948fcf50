/**
 * The health checker's decisions as pure functions of (state, event, now) -> (state, transitions,
 * actions). No timers, sockets or processes here: the daemon feeds check results and drain
 * requests in and carries the actions out, so every sequence can be replayed in a test.
 *
 * Per check: `init` (no verdict yet) -> `up` after `rise` passes in a row; `up` -> `down` after `fall`
 * failures in a row; `down` -> `up` after `rise` passes. A failure while still `init` is `down` at once:
 * at start-up there is no evidence of health to protect.
 *
 * Per service: `healthy` when every check is up, `unhealthy` when any is down, `pending` otherwise
 * (start-up, or the probation after an undrain). The addresses are announced when healthy and not
 * drained, withdrawn when unhealthy or drained, and left as found while pending, so a restarted
 * checker (on-exit: leave) neither flaps a healthy server nor adds addresses before the checks pass.
 */

export type CheckStatus = 'init' | 'up' | 'down';
export type Verdict = 'pending' | 'healthy' | 'unhealthy';
export type DrainSource = 'command' | 'file';

export interface CheckResult {
  readonly ok: boolean;
  /** When the probe started (ms since the epoch; injected). */
  readonly at: number;
  readonly durationMs: number;
  /** Why it failed (or a short note on success), for logs and status. */
  readonly detail: string;
}

export interface CheckState {
  readonly name: string;
  readonly status: CheckStatus;
  readonly okStreak: number;
  readonly failStreak: number;
  /** When the status last changed (or the checker started). */
  readonly since: number;
  readonly last: CheckResult | null;
  readonly runs: number;
  readonly failures: number;
  readonly transitions: { readonly up: number; readonly down: number };
}

export interface Drain {
  readonly reason: string;
  readonly since: number;
}

export interface ServiceState {
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly checks: readonly CheckState[];
  readonly verdict: Verdict;
  readonly drains: { readonly command: Drain | null; readonly file: Drain | null };
  /**
   * After an undrain the service must show `rise` fresh passes on every check before it returns,
   * even though its checks never went down: the drain may have hidden a half-working service.
   */
  readonly probation: boolean;
  /** Whether the addresses are announced: null until the first decision (left as found). */
  readonly announced: boolean | null;
}

export interface HealthState {
  readonly services: readonly ServiceState[];
}

export interface ServiceSpec {
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly checks: readonly { readonly name: string; readonly rise: number; readonly fall: number }[];
}

export type Transition =
  | { readonly type: 'check'; readonly service: string; readonly check: string; readonly from: CheckStatus; readonly to: CheckStatus; readonly result: CheckResult }
  | { readonly type: 'verdict'; readonly service: string; readonly from: Verdict; readonly to: Verdict }
  | { readonly type: 'drain'; readonly service: string; readonly source: DrainSource; readonly reason: string }
  | { readonly type: 'undrain'; readonly service: string; readonly source: DrainSource };

/** `removed`: the prefix left the configuration on a reload. */
export type WithdrawReason = 'unhealthy' | 'drained' | 'exit' | 'removed';

export type Action =
  | { readonly type: 'announce'; readonly service: string; readonly prefixes: readonly string[] }
  | { readonly type: 'withdraw'; readonly service: string; readonly prefixes: readonly string[]; readonly reason: WithdrawReason };

export interface Step {
  readonly state: HealthState;
  readonly transitions: readonly Transition[];
  readonly actions: readonly Action[];
}

export type HealthEvent =
  | { readonly type: 'result'; readonly service: string; readonly check: string; readonly result: CheckResult }
  /** service null: every service. */
  | { readonly type: 'drain'; readonly service: string | null; readonly reason: string }
  | { readonly type: 'undrain'; readonly service: string | null }
  /** The drain file's state: its reason when present, null when absent. */
  | { readonly type: 'drain-file'; readonly reason: string | null };

export function initialState(specs: readonly ServiceSpec[], now: number): HealthState {
  return {
    services: specs.map((s) => ({
      name: s.name,
      prefixes: s.prefixes,
      checks: s.checks.map((c) => initialCheck(c.name, now)),
      verdict: 'pending',
      drains: { command: null, file: null },
      probation: false,
      announced: null,
    })),
  };
}

export function initialCheck(name: string, now: number): CheckState {
  return { name, status: 'init', okStreak: 0, failStreak: 0, since: now, last: null, runs: 0, failures: 0, transitions: { up: 0, down: 0 } };
}

/** One probe result through the rise/fall counters. */
export function stepCheck(state: CheckState, limits: { readonly rise: number; readonly fall: number }, result: CheckResult, now: number): CheckState {
  const okStreak = result.ok ? state.okStreak + 1 : 0;
  const failStreak = result.ok ? 0 : state.failStreak + 1;
  let status = state.status;
  if (result.ok && status !== 'up' && okStreak >= limits.rise) status = 'up';
  else if (!result.ok && (status === 'init' || (status === 'up' && failStreak >= limits.fall))) status = 'down';
  const changed = status !== state.status;
  return {
    ...state,
    status,
    okStreak,
    failStreak,
    since: changed ? now : state.since,
    last: result,
    runs: state.runs + 1,
    failures: state.failures + (result.ok ? 0 : 1),
    transitions: {
      up: state.transitions.up + (changed && status === 'up' ? 1 : 0),
      down: state.transitions.down + (changed && status === 'down' ? 1 : 0),
    },
  };
}

export function isDrained(s: ServiceState): boolean {
  return s.drains.command !== null || s.drains.file !== null;
}

/** Apply one event; `specs` gives the rise/fall limits (the state holds no configuration). */
export function step(state: HealthState, specs: readonly ServiceSpec[], event: HealthEvent, now: number): Step {
  const transitions: Transition[] = [];
  const actions: Action[] = [];
  const services = state.services.map((service) => {
    const spec = specs.find((s) => s.name === service.name);
    if (!spec) return service;
    const next = applyEvent(service, spec, event, now, transitions);
    return next === service ? service : settle(service, next, spec, transitions, actions);
  });
  return { state: { services }, transitions, actions };
}

function applyEvent(service: ServiceState, spec: ServiceSpec, event: HealthEvent, now: number, transitions: Transition[]): ServiceState {
  switch (event.type) {
    case 'result': {
      if (event.service !== service.name) return service;
      const index = service.checks.findIndex((c) => c.name === event.check);
      const limits = spec.checks.find((c) => c.name === event.check);
      const before = service.checks[index];
      if (!before || !limits) return service;
      const after = stepCheck(before, limits, event.result, now);
      if (after.status !== before.status) {
        transitions.push({ type: 'check', service: service.name, check: before.name, from: before.status, to: after.status, result: event.result });
      }
      const checks = service.checks.slice();
      checks[index] = after;
      return { ...service, checks };
    }
    case 'drain': {
      if (event.service !== null && event.service !== service.name) return service;
      if (service.drains.command?.reason === event.reason) return service;
      transitions.push({ type: 'drain', service: service.name, source: 'command', reason: event.reason });
      return { ...service, drains: { ...service.drains, command: { reason: event.reason, since: now } } };
    }
    case 'undrain': {
      if (event.service !== null && event.service !== service.name) return service;
      if (service.drains.command === null) return service;
      transitions.push({ type: 'undrain', service: service.name, source: 'command' });
      return leaveDrain({ ...service, drains: { ...service.drains, command: null } });
    }
    case 'drain-file': {
      const current = service.drains.file;
      if (event.reason === null) {
        if (current === null) return service;
        transitions.push({ type: 'undrain', service: service.name, source: 'file' });
        return leaveDrain({ ...service, drains: { ...service.drains, file: null } });
      }
      if (current?.reason === event.reason) return service;
      transitions.push({ type: 'drain', service: service.name, source: 'file', reason: event.reason });
      return { ...service, drains: { ...service.drains, file: { reason: event.reason, since: current?.since ?? now } } };
    }
  }
}

/** Leaving the last drain starts probation: every check needs `rise` fresh passes. */
function leaveDrain(service: ServiceState): ServiceState {
  if (isDrained(service)) return service;
  return { ...service, probation: true, checks: service.checks.map((c) => ({ ...c, okStreak: 0 })) };
}

/** Recompute the verdict and the announce/withdraw decision after a change. */
function settle(before: ServiceState, service: ServiceState, spec: ServiceSpec, transitions: Transition[], actions: Action[]): ServiceState {
  let probation = service.probation;
  if (probation && service.checks.every((c, i) => c.status === 'up' && c.okStreak >= (spec.checks[i]?.rise ?? 1))) probation = false;
  const verdict: Verdict = service.checks.some((c) => c.status === 'down')
    ? 'unhealthy'
    : service.checks.every((c) => c.status === 'up') && !probation
      ? 'healthy'
      : 'pending';
  if (verdict !== before.verdict) transitions.push({ type: 'verdict', service: service.name, from: before.verdict, to: verdict });

  const drained = isDrained(service);
  // null: no opinion yet (start-up or probation), keep whatever the interface has.
  const want: boolean | null = drained ? false : verdict === 'healthy' ? true : verdict === 'unhealthy' ? false : null;
  let announced = service.announced;
  if (want !== null && want !== announced) {
    announced = want;
    actions.push(
      want
        ? { type: 'announce', service: service.name, prefixes: service.prefixes }
        : { type: 'withdraw', service: service.name, prefixes: service.prefixes, reason: drained ? 'drained' : 'unhealthy' },
    );
  }
  return { ...service, verdict, probation, announced };
}

/** What to do on shutdown: withdraw every configured prefix (whatever we think is there), or nothing. */
export function exitActions(state: HealthState, onExit: 'withdraw' | 'leave'): Action[] {
  if (onExit === 'leave') return [];
  return state.services.map((s) => ({ type: 'withdraw', service: s.name, prefixes: s.prefixes, reason: 'exit' }));
}

/** The prefixes that should be on the interface now, and the ones that must not be (pending: neither). */
export function desiredAddresses(state: HealthState): { readonly present: string[]; readonly absent: string[] } {
  const present: string[] = [];
  const absent: string[] = [];
  for (const s of state.services) {
    if (s.announced === true) present.push(...s.prefixes);
    else if (s.announced === false) absent.push(...s.prefixes);
  }
  return { present, absent };
}
