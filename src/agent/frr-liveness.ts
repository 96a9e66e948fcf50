/**
 * Whether FRR is there, and whether it is still the same FRR: the agent's rules for waiting at start,
 * for noticing a daemon restart and for backing off after a failed apply. Pure except for the injected
 * reads; the loop in agent.ts calls these.
 *
 * - At start, FRR may not be up yet (a supervisor starting both): the agent waits, polling with a
 *   growing delay, and serves its API and metrics meanwhile. Only a configuration that contradicts
 *   FRR (E_AGENT_OWNERSHIP) or an unreadable state file stops it, since waiting would not help.
 * - A daemon restart is detected by its PID (pid files beside the vty sockets), not guessed from
 *   failures: a new bgpd starts from its startup file, without the agent's maps or holds.
 * - A failed apply is never repeated blindly: FRR is re-read, the commands re-planned, and the next
 *   attempt waits 1, 2, 4 ... up to 30 s.
 */
import type { Logger } from 'pino';
import { BallastError } from '../util/errors.js';
import type { PrefixObservation } from './observation.js';
import type { PrefixState } from './step.js';

export type AgentPhase = 'waiting-for-frr' | 'running' | 'stopped';

export interface DaemonPids {
  readonly bgpd: number | null;
  readonly zebra: number | null;
}

/** After the leaf's own bgpd restarts, absent servers are not pre-marked as held for this long. */
export const RESTART_GRACE_MS = 60_000;
const WAIT_MIN_MS = 500;
const WAIT_MAX_MS = 5_000;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/** An error that means "FRR is not (yet) answering" rather than "FRR contradicts the configuration". */
export function frrUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'E_FRR_COMMAND' || code === 'E_FRR_PARSE';
}

/** The next delay while waiting for FRR at start. */
export function nextWaitMs(previous: number): number {
  return previous <= 0 ? WAIT_MIN_MS : Math.min(WAIT_MAX_MS, previous * 2);
}

/**
 * `read` until FRR answers, logging `waiting-for-frr` with the reason and the next delay. Resolves
 * null when `stopped()` turns true (`sleeping` receives a function that ends the current wait).
 */
export async function waitForFrr<T>(read: () => Promise<T>, logger: Logger, stopped: () => boolean, sleeping: (wake: () => void) => void): Promise<T | null> {
  for (let wait = 0; ; ) {
    if (stopped()) return null;
    try {
      return await read();
    } catch (err) {
      if (!frrUnavailable(err)) throw err;
      wait = nextWaitMs(wait);
      const message = (err as Error).message;
      logger.warn({ event: 'waiting-for-frr', code: (err as BallastError).code, err: message, retryInMs: wait }, `waiting for FRR (bgpd): ${message}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        sleeping(() => (clearTimeout(t), resolve()));
      });
    }
  }
}

/** The wait before the next apply after `failures` failed ones in a row (0: none). */
export function applyBackoffMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (failures - 1));
}

/** Failed applies in a row and when the next may run. */
export class ApplyBackoff {
  private failures = 0;
  private notBefore = 0;
  ready(now: number): boolean {
    return now >= this.notBefore;
  }
  /** Count a failure; returns the wait before the next attempt. */
  failed(now: number): { attempt: number; waitMs: number } {
    this.failures++;
    const waitMs = applyBackoffMs(this.failures);
    this.notBefore = now + waitMs;
    return { attempt: this.failures, waitMs };
  }
  succeeded(): void {
    this.failures = 0;
    this.notBefore = 0;
  }
}

/** Daemons whose PID changed since the last reading (a daemon that is gone is not a restart yet). */
export function restartedDaemons(before: DaemonPids | null, now: DaemonPids): ('bgpd' | 'zebra')[] {
  if (before === null) return [];
  return (['bgpd', 'zebra'] as const).filter((d) => now[d] !== null && before[d] !== null && now[d] !== before[d]);
}

/** Remembers the last PIDs seen; `check()` names the daemons that restarted since. */
export class RestartWatch {
  private pids: DaemonPids | null = null;
  private readonly read: (() => DaemonPids) | undefined;
  constructor(read: (() => DaemonPids) | undefined) {
    this.read = read;
  }
  get current(): DaemonPids | null {
    return this.pids;
  }
  check(): ('bgpd' | 'zebra')[] {
    const now = this.read?.();
    if (now === undefined) return [];
    const restarted = restartedDaemons(this.pids, now);
    // A missing pid file keeps the last PID known.
    this.pids = { bgpd: now.bgpd ?? this.pids?.bgpd ?? null, zebra: now.zebra ?? this.pids?.zebra ?? null };
    return restarted;
  }
}

/**
 * The crash bound. Holds found running at start belong to an agent that died: a held server whose
 * path is back has been back for an unknown time, up to the whole absence, so it is released at once
 * rather than made to wait a fresh hold-down (which kept servers out 30 s after a crash). Drained
 * servers stay held. `release` gets each neighbor whose path must be re-evaluated.
 */
export function releaseReturned(st: PrefixState, obs: PrefixObservation, drained: ReadonlySet<string>, release: (neighbor: string) => void): PrefixState {
  const back = obs.servers.filter((s) => st.held.has(s.neighbor) && !drained.has(s.neighbor)).map((s) => s.neighbor);
  if (back.length === 0) return st;
  for (const n of back) release(n);
  return { ...st, held: new Set([...st.held].filter((n) => !back.includes(n))) };
}
