/**
 * Every timer the agent runs, in one place, so that a stopped agent leaves nothing running: the
 * periodic resync, reconcile and held-poll, and the one damping deadline. Once stopped, nothing
 * starts again (a start or a reload that finishes after the stop finds the timers closed).
 *
 * The periodic jobs that fall due together (the resync and the reconcile every 5 s, the held-poll
 * every second) reach the agent as one tick, so it can serve them with one vtysh call: each call is a
 * fork of the agent (bench/agent.md).
 */
export interface DueJobs {
  /** Re-read every managed prefix. */
  readonly resync: boolean;
  /** Compare the running configuration with what the agent owns. */
  readonly reconcile: boolean;
  /**
   * Re-read the prefixes with held servers: a held server's return changes no kernel route (its path
   * stays outside the multipath set), so no route event announces it, and its hold-down must start on time.
   */
  readonly heldPoll: boolean;
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
  private due: { -readonly [K in keyof DueJobs]: boolean } | null = null;
  private gather: NodeJS.Immediate | null = null;

  /** (Re)start the periodic jobs at these periods; `tick` gets the ones due at the same moment. */
  periodic(p: Periods, tick: (due: DueJobs) => void): void {
    for (const t of this.intervals) clearInterval(t);
    this.intervals = [];
    if (this.closed) return;
    // Timers due at the same moment run in one timers phase; the immediate runs after all of them.
    const mark = (job: keyof DueJobs) => {
      this.due ??= { resync: false, reconcile: false, heldPoll: false };
      this.due[job] = true;
      this.gather ??= setImmediate(() => {
        const due = this.due!;
        this.due = null;
        this.gather = null;
        if (!this.closed) tick(due);
      });
    };
    // Jobs of one period share one interval: two intervals of the same period drift apart under load
    // (each is re-armed from when its callback ran), and then no longer fall due together.
    const byPeriod = new Map<number, (keyof DueJobs)[]>();
    for (const [job, seconds] of [['resync', p.resyncSeconds], ['reconcile', p.reconcileSeconds], ['heldPoll', p.heldPollSeconds]] as const) {
      byPeriod.set(seconds, [...(byPeriod.get(seconds) ?? []), job]);
    }
    this.intervals = [...byPeriod].map(([seconds, jobs]) => setInterval(() => jobs.forEach(mark), seconds * 1000));
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
    if (this.gather) clearImmediate(this.gather);
    this.gather = null;
    for (const t of this.intervals) clearInterval(t);
    this.intervals = [];
    this.dampIn(null, () => undefined);
  }
}
