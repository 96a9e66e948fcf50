/**
 * Restarts, FRR's and the agent's own, and what each means for the agent's beliefs.
 *
 * - A bgpd or zebra restart is detected by its PID (pid files beside the vty sockets), not guessed
 *   from failures: a new bgpd starts from its startup file, without the agent's maps or holds, so the
 *   agent adopts afresh. Its server sessions come back one by one over the next seconds; for a grace
 *   period an absent server is not pre-marked as held, so a session flap of the leaf itself holds no
 *   server for a hold-down.
 * - The agent's own restart (a crash): holds found running at the first read after start belong to
 *   an agent that died, and servers that are back are released at once (the crash bound).
 */
import type { Logger } from 'pino';
import type { PrefixObservation } from './observation.js';
import type { PrefixState } from './step.js';

export interface DaemonPids {
  readonly bgpd: number | null;
  readonly zebra: number | null;
}

export type Daemon = 'bgpd' | 'zebra';

/** After the leaf's own bgpd restarts, absent servers are not pre-marked as held for this long. */
export const RESTART_GRACE_MS = 60_000;

/** Daemons whose PID changed since the last reading (a daemon that is gone is not a restart yet). */
export function restartedDaemons(before: DaemonPids | null, now: DaemonPids): Daemon[] {
  if (before === null) return [];
  return (['bgpd', 'zebra'] as const).filter((d) => now[d] !== null && before[d] !== null && now[d] !== before[d]);
}

/** Remembers the last PIDs seen; `check()` names the daemons that restarted since. */
class RestartWatch {
  private pids: DaemonPids | null = null;
  private readonly read: (() => DaemonPids) | undefined;
  constructor(read: (() => DaemonPids) | undefined) {
    this.read = read;
  }
  get current(): DaemonPids | null {
    return this.pids;
  }
  check(): Daemon[] {
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

/** The agent's restart rules over time: PIDs seen, the grace after a bgpd restart, the adoption after start. */
export class Restarts {
  private readonly watch: RestartWatch;
  private readonly logger: Logger;
  private graceUntil = 0;
  /** The first read after start (holds on servers that are back are released, see releaseReturned). */
  adopting = false;

  constructor(pids: (() => DaemonPids) | undefined, logger: Logger) {
    this.watch = new RestartWatch(pids);
    this.logger = logger;
  }

  /** Reads the PIDs; names (and logs) the daemons that restarted since, opening the grace after bgpd's. */
  check(now: number): Daemon[] {
    const restarted = this.watch.check();
    if (restarted.length === 0) return restarted;
    const graceMs = restarted.includes('bgpd') ? RESTART_GRACE_MS : 0;
    if (graceMs > 0) this.graceUntil = now + graceMs;
    this.logger.warn({ event: 'frr-restarted', daemons: restarted, pids: this.watch.current, graceMs }, `${restarted.join(' and ')} restarted: adopting afresh`);
    return restarted;
  }

  /**
   * bgpd did not answer at start (a supervisor starting both, or bgpd down): it has just come up and
   * its server sessions are still coming back, as after a restart, so the same grace applies.
   */
  openGrace(now: number): void {
    this.graceUntil = now + RESTART_GRACE_MS;
    this.logger.info({ event: 'restart-grace', graceMs: RESTART_GRACE_MS }, 'bgpd was not answering at start: absent servers are not held for the grace');
  }

  /** Whether an absent server is pre-marked as held now (not while the leaf's own sessions come back). */
  holdsAbsent(now: number): boolean {
    return now >= this.graceUntil;
  }

  /** The state a prefix is evaluated from (while adopting: without the holds of servers that are back). */
  prior(found: PrefixState, obs: PrefixObservation, drained: ReadonlySet<string>, release: (neighbor: string) => void): PrefixState {
    return this.adopting ? releaseReturned(found, obs, drained, release) : found;
  }
}
