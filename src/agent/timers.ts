/**
 * Every timer the agent runs, in one place, so that a stopped agent leaves nothing running: the
 * periodic resync, reconcile and held-poll, and the one damping deadline. Once stopped, nothing
 * starts again (a start or a reload that finishes after the stop finds the timers closed).
 */
export interface PeriodicJobs {
  /** Re-read every managed prefix. */
  readonly resync: () => void;
  /** Compare the running configuration with what the agent owns. */
  readonly reconcile: () => void;
  /**
   * Re-read the prefixes with held servers: a held server's return changes no kernel route (its path
   * stays outside the multipath set), so no route event announces it, and its hold-down must start on time.
   */
  readonly heldPoll: () => void;
}

export interface Periods {
  readonly resyncSeconds: number;
  readonly reconcileSeconds: number;
  readonly heldPollSeconds: number;
}

export class AgentTimers {
  private intervals: NodeJS.Timeout[] = [];
  private damp: NodeJS.Timeout | null = null;
  private closed = false;

  /** (Re)start the periodic jobs at these periods. */
  periodic(p: Periods, jobs: PeriodicJobs): void {
    for (const t of this.intervals) clearInterval(t);
    this.intervals = [];
    if (this.closed) return;
    this.intervals = [
      setInterval(jobs.resync, p.resyncSeconds * 1000),
      setInterval(jobs.reconcile, p.reconcileSeconds * 1000),
      setInterval(jobs.heldPoll, p.heldPollSeconds * 1000),
    ];
  }

  /** Run `job` after `delayMs`, replacing the previous damping deadline (null: none). */
  dampIn(delayMs: number | null, job: () => void): void {
    if (this.damp) clearTimeout(this.damp);
    this.damp = null;
    if (delayMs === null || this.closed) return;
    this.damp = setTimeout(job, Math.max(0, delayMs));
  }

  /** Stop everything, for good. */
  close(): void {
    this.closed = true;
    for (const t of this.intervals) clearInterval(t);
    this.intervals = [];
    this.dampIn(null, () => undefined);
  }
}
