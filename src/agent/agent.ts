/**
 * The leaf agent's engine: observe -> decide -> damp -> apply -> verify, and reconcile.
 *
 *   route events (ip monitor) --prefix--> pending set --+
 *   resync timer (prefixes, in slices) ---+ one tick ---+
 *   held-poll timer (prefixes with held) -+ when due ---+--> [one serialized queue] --> vtysh
 *   reconcile timer (running-config) -----+ together    |      read (one call: prefixes, and running-config when due)
 *   damping timer (raises due for release) -------------+      evaluate (pure step.ts)
 *   SIGHUP reload --------------------------------------+      apply (applyCommands), read back, verify
 *
 * Every FRR call goes through the queue, so reads, writes and verifications never interleave. When
 * vtysh fails, hangs or prints something unparseable, nothing is changed: the last applied FRR state
 * stays, the failure is logged and counted, and the next tick tries again. Stopping releases the
 * holds and leaves the outbound configuration as it is.
 *
 * The rules it runs live beside it: step.ts (a prefix's evaluation), ownership.ts (take-over, adoption, desired
 * configuration), drains.ts, drain-outcome.ts, notices.ts (listeners, decision log), frr-io.ts (the reads), apply.ts
 * (the one write, read back and verified), frr-liveness.ts, restarts.ts, timers.ts, tick.ts (the tick).
 */
import type { Logger } from 'pino';
import { differences, extractOwned, type DesiredConfig, type OwnedNames, type OwnedView } from '../frr/ballast-route-map.js';
import type { AddressFamily, RunningConfig } from '../frr/running-config.js';
import { BallastError, type ErrorCode } from '../util/errors.js';
import { staticChanges, type AgentConfig } from './config.js';
import { changeDrain, drainedNeighbors, holdsAfterStop, NO_DRAINS, type DrainState, type DrainStore } from './drains.js';
import { applyAndVerify } from './apply.js';
import { drainNotCarried, drainPendingError } from './drain-outcome.js';
import { readPrefixRoutes, readRunning, type FrrRunner, type TickRead } from './frr-io.js';
import { known, runTick, type PrefixRoutes } from './tick.js';
import { FrrFaults, type FrrFault, type KernelReader } from './frr-faults.js';
import { ApplyBackoff, waitForFrr, type AgentPhase } from './frr-liveness.js';
import { AgentTimers, type DueJobs } from './timers.js';
import { decisionLog, Listeners, type AgentCounters, type AgentNotice } from './notices.js';
import { observePrefix, neighborIndex, type NeighborIndex } from './observation.js';
import { adopt, checkOwnership, desired as ownedDesired, ownedNames, serverNeighbors } from './ownership.js';
import { Restarts, type DaemonPids } from './restarts.js';
import { EMPTY_PREFIX_STATE, evaluate, whatIf, type DecisionRecord, type PrefixState, type WhatIf } from './step.js';
import { LastOf, ReadCache } from './read-cache.js';
import { drainedKey, FixedPoints } from './fixed-point.js';

export interface AgentIo {
  readonly frr: FrrRunner;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Dry run: print the commands here instead of running them. */
  readonly dryRun?: (commands: readonly string[]) => void;
  /** Where drains survive a restart; without one they last as long as the process. */
  readonly drainStore?: DrainStore;
  /** bgpd's and zebra's PIDs (pid files), to notice a restart; without it none is noticed. */
  readonly daemonPids?: () => DaemonPids;
  /** The kernel's routes, to notice a zebra that lost them (frr-faults.ts); without it that goes unnoticed. */
  readonly kernel?: KernelReader;
  /** After each periodic resync (util/heap.ts: a full GC once the reads grew the heap); tests leave it out. */
  readonly compact?: (() => void) | null;
}

export class Agent {
  private config: AgentConfig;
  private readonly io: AgentIo;
  /** Every FRR call goes through here: a timeout is noticed as an FRR fault (frr-faults.ts). */
  private readonly frr: FrrRunner;
  private readonly faults: FrrFaults;
  private readonly now: () => number;
  private readonly prefixes = new Map<string, PrefixState>();
  private view: OwnedView | null = null;
  private neighbors: NeighborIndex | null = null;
  /** What an unchanged tick reuses: the last reply, what was derived from its running-config, the prefixes at a fixed point, desired(). */
  private readonly readCache = new ReadCache();
  private resyncTurn = 0; // periodic resyncs so far: which slice the next one reads (tick.ts)
  private readonly derived = new LastOf<{ neighbors: NeighborIndex; view: OwnedView }>();
  private readonly fixed = new FixedPoints();
  private readonly lastDesired = new LastOf<DesiredConfig | null>();
  private queue: Promise<void> = Promise.resolve();
  private readonly pending = new Set<string>();
  /** Server paths to re-evaluate with `clear ... soft in` (released or newly drained; kept until an apply succeeds). */
  private readonly pendingRelease = new Map<string, Set<AddressFamily>>();
  private pendingScheduled = false;
  private readonly timers = new AgentTimers();
  private stopped = false;
  readonly counters: AgentCounters = { decisions: 0, changes: 0, applies: 0, drift: 0, frrErrors: 0, verifyFailures: 0, frrRestarts: 0 };
  /** waiting-for-frr until the first adoption; what the API and metrics report. */
  phase: AgentPhase = 'waiting-for-frr';
  private readonly restarts: Restarts;
  private readonly backoff = new ApplyBackoff();
  private wake: (() => void) | null = null;
  private readonly listeners = new Listeners<AgentNotice>();
  /** The latest evaluation of every prefix, logged or not (what the API shows as target and reason). */
  private readonly records = new Map<string, DecisionRecord>();
  private drains: DrainState = NO_DRAINS;
  readonly startedAt: number;

  constructor(config: AgentConfig, io: AgentIo) {
    this.config = config;
    this.io = io;
    this.now = io.now ?? Date.now;
    this.startedAt = this.now();
    this.restarts = new Restarts(io.daemonPids, io.logger);
    this.faults = new FrrFaults(io.logger, this.now);
    this.frr = this.faults.watch(io.frr);
  }

  /** FRR's own faults noticed now (vtysh timing out, spine sessions down, kernel routes missing). */
  frrFaults(): FrrFault[] { return this.faults.list(); }

  get currentConfig(): AgentConfig { return this.config; }
  get drainState(): DrainState { return this.drains; }

  /** The spine-facing neighbors as FRR names them (interfaces named after the peer in unnumbered fabrics). */
  spineNeighbors(): string[] { return [...(this.neighbors?.spineNeighbors ?? [])].sort(); }

  /** The latest evaluation per prefix. */
  latestRecords(): ReadonlyMap<string, DecisionRecord> { return this.records; }

  /** Returns the unsubscribe function. A listener that throws is dropped, never the agent's work. */
  subscribe(listener: (n: AgentNotice) => void): () => void { return this.listeners.add(listener); }

  /**
   * Drain (reason given) or undrain (reason null) a configured server, or the whole leaf (server null).
   * Persisted first, then applied; resolves once FRR holds the result, else throws E_FRR_DRAIN_PENDING
   * (drain-outcome.ts): the drain stays saved and the next tick that succeeds applies it.
   */
  async setDrain(server: string | null, reason: string | null): Promise<DrainState> {
    const { next, server: name } = changeDrain(this.drains, this.config.reloadable.servers, this.config.static.leaf, server, reason, this.now());
    this.io.drainStore?.save(next);
    this.drains = next;
    const what = name ?? `leaf ${this.config.static.leaf}`, cause = reason === null ? 'undrain' : 'drain';
    this.io.logger.info({ event: cause, server: name ?? 'leaf', reason }, `${cause}ed ${what}${reason ? `: ${reason}` : ''}`);
    const out = { why: null as string | null }; // judged inside the job: nothing else touches FRR meanwhile
    await this.enqueue(async () => {
      const errors = this.counters.frrErrors, backedOff = !this.backoff.ready(this.now());
      await this.observe(this.managed(), cause).catch((err: unknown) => this.frrFailure(err, 'job'));
      out.why = drainNotCarried({ view: this.view, names: this.names, desired: this.desired(), failures: this.counters.frrErrors - errors, backedOff });
    });
    if (out.why !== null) throw drainPendingError(what, reason === null, out.why);
    return next;
  }

  private desired(): DesiredConfig | null { return this.lastDesired.get([this.config, ...this.prefixes.values()], () => ownedDesired(this.config, this.prefixes)); }

  private managed(): string[] { return this.config.reloadable.prefixes.map((p) => p.text); }

  private drainedNeighbors(): Set<string> { return drainedNeighbors(this.drains, this.config.reloadable.servers); }

  /** What each prefix would be advertised as if these servers (names or neighbors) failed now. */
  whatIf(fail: readonly string[]): Map<string, WhatIf | null> {
    const drained = this.drainedNeighbors();
    const failed = new Set(fail);
    return new Map([...this.prefixes].map(([text, st]) => [text, whatIf(this.config.reloadable, st, drained, failed)]));
  }

  get names(): OwnedNames { return ownedNames(this.config.static); }

  /**
   * Read FRR, adopt what runs, decide every prefix, apply only what differs (no flap on restart).
   * While FRR does not answer, wait (phase waiting-for-frr); resolves once adopted, or stopped.
   * Throws only what waiting cannot mend: a contradicting configuration, an unreadable state file.
   */
  async start(): Promise<void> {
    this.drains = this.io.drainStore?.load() ?? NO_DRAINS;
    let unanswered = 0; // bgpd not answering at start: it is just coming up (restarts.ts, openGrace)
    const running = await waitForFrr(() => readRunning(this.frr).catch((err: unknown) => Promise.reject((unanswered++, err))), this.io.logger, () => this.stopped, (wake) => (this.wake = wake));
    // Stopped while the answering read was under way: adopt nothing, start no timer.
    if (running === null || this.stopped) return;
    this.restarts.check(this.now());
    if (unanswered > 0) this.restarts.openGrace(this.now());
    const { view, neighbors } = checkOwnership(running, this.config);
    this.phase = 'running';
    this.view = view;
    this.neighbors = neighbors;
    const adoption = adopt(view, this.config, this.now());
    for (const [text, st] of adoption.states) this.prefixes.set(text, st);
    this.io.logger.info({ event: 'adopted', slot: adoption.slot, prefixes: adoption.adopted, runningRouteMaps: running.routeMaps.size }, 'adopted the running configuration');
    this.restarts.adopting = true;
    await this.enqueue(() => this.observe(this.managed(), 'start'));
    this.restarts.adopting = false;
    this.startTimers();
  }

  private startTimers(): void {
    this.timers.periodic(this.config.reloadable, (due) => void this.enqueue(() => this.tick(due)));
  }

  /** The periodic jobs due now, in as few vtysh calls as they allow (tick.ts). */
  private tick(due: DueJobs): Promise<void> {
    const { frr, config, prefixes } = this;
    const spinesKnown = (this.neighbors?.spineNeighbors.size ?? 0) > 0;
    const resyncTurn = this.resyncTurn;
    if (due.resync) this.resyncTurn++;
    return runTick(due, { frr, config, prefixes, spinesKnown, noticeRestart: () => this.noticeRestart(), reconcile: (read) => this.reconcile(read), observe: (t, c, g) => this.observe(t, c, g), failure: (e, d) => this.frrFailure(e, d), compact: this.io.compact ?? null, cache: this.readCache, resyncTurn });
  }

  /** A route for this prefix changed in the kernel: re-read it soon (coalesced with others). */
  routeChanged(prefixText: string): void {
    if (this.stopped || !this.prefixes.has(prefixText)) return;
    this.pending.add(prefixText);
    if (this.pendingScheduled) return;
    this.pendingScheduled = true;
    void this.enqueue(async () => {
      this.pendingScheduled = false;
      const batch = [...this.pending];
      this.pending.clear();
      if (batch.length > 0) await this.observe(batch, 'route-event');
    });
  }

  /** Apply a new reloadable config; static changes are refused (restart needed) and reported. */
  async reload(next: AgentConfig): Promise<void> {
    const changed = staticChanges(this.config.static, next.static);
    if (changed.length > 0) {
      this.io.logger.warn({ event: 'reload-static-ignored', settings: changed }, `static settings need a restart, keeping the running ones: ${changed.join(', ')}`);
    }
    await this.enqueue(async () => {
      this.config = { file: next.file, static: this.config.static, reloadable: next.reloadable };
      const managed = new Set(next.reloadable.prefixes.map((p) => p.text));
      for (const k of [...this.prefixes.keys()]) if (!managed.has(k)) this.prefixes.delete(k);
      for (const p of next.reloadable.prefixes) if (!this.prefixes.has(p.text)) this.prefixes.set(p.text, EMPTY_PREFIX_STATE);
      this.io.logger.info({ event: 'reloaded', prefixes: managed.size }, 'configuration reloaded');
      this.startTimers();
      await this.refreshNeighbors();
      await this.observe([...managed], 'reload');
    });
  }

  /**
   * Stop timers and let queued work finish. FRR keeps the last applied outbound configuration; the
   * holds are released first, because without the agent nobody would ever let a held server in.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.close();
    this.wake?.();
    const waiting = this.phase === 'waiting-for-frr';
    this.phase = 'stopped';
    if (waiting) return;
    await this.enqueue(() => this.releaseAllHolds());
    await this.queue;
    this.io.logger.info({ event: 'stopped', counters: this.counters }, 'agent stopped; FRR keeps the last applied configuration');
  }

  /** The agent's belief per prefix (for status and the coming API). */
  snapshot(): ReadonlyMap<string, PrefixState> { return this.prefixes; }

  /** Re-read every managed prefix now (the periodic resync, on demand). */
  resyncNow(): Promise<void> {
    return this.enqueue(() => this.observe(this.managed(), 'resync'));
  }

  /** Compare the running configuration with what the agent owns now (the periodic reconcile, on demand). */
  reconcileNow(): Promise<void> {
    return this.enqueue(() => this.reconcile());
  }

  /** Wait until everything queued so far has run (tests, benchmarks). */
  idle(): Promise<void> { return this.queue; }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const next = this.queue.then(async () => {
      try {
        await job();
      } catch (err) {
        this.frrFailure(err, 'job');
      }
    });
    this.queue = next;
    return next;
  }

  private frrFailure(err: unknown, during: string): void {
    this.counters.frrErrors++;
    const code: ErrorCode = err instanceof BallastError ? err.code : 'E_INTERNAL';
    this.io.logger.error({ event: 'frr-error', during, code, err: err instanceof Error ? err.message : String(err) }, `FRR ${during} failed, keeping the last applied state`);
    // Unknown what FRR holds now: re-read before the next write.
    this.view = null;
  }

  /** Re-evaluate this server's path (`clear ... soft in`) at the next apply. */
  private markRelease(neighbor: string, family: AddressFamily): void {
    this.pendingRelease.set(neighbor, (this.pendingRelease.get(neighbor) ?? new Set<AddressFamily>()).add(family));
  }

  private async refreshNeighbors(read?: RunningConfig): Promise<RunningConfig> {
    const running = read ?? (await readRunning(this.frr));
    const { reloadable, static: fixed } = this.config;
    const got = this.derived.get([running, this.config], () => ({ neighbors: neighborIndex(reloadable, fixed.spinePeerGroup, running.bgp), view: extractOwned(running, this.names, serverNeighbors(reloadable)) }));
    this.neighbors = got.neighbors;
    // A dry run keeps comparing against the state it pretends to have applied.
    if (!this.io.dryRun || this.view === null) this.view = got.view;
    return running;
  }

  /** A new bgpd (or zebra) PID: it holds only its startup configuration; forget the view and adopt afresh. */
  private noticeRestart(): void {
    const restarted = this.restarts.check(this.now());
    if (restarted.length === 0) return;
    this.counters.frrRestarts++;
    this.view = null;
    this.neighbors = null;
    // A new bgpd has none of the inbound maps: no server is held any more.
    if (restarted.includes('bgpd')) for (const [text, st] of this.prefixes) this.prefixes.set(text, { ...st, held: new Set() });
  }

  /** Read the given prefixes (one vtysh call; `given`: already read), decide, damp, and apply what changed. */
  private async observe(prefixTexts: readonly string[], cause: string, given?: PrefixRoutes): Promise<void> {
    this.noticeRestart();
    if (this.neighbors === null) await this.refreshNeighbors();
    const cfg = this.config.reloadable;
    const now = this.now();
    const records: DecisionRecord[] = [];
    const drained = this.drainedNeighbors();
    const read = given ?? (await readPrefixRoutes(this.frr, known(cfg, prefixTexts), (err, during) => this.frrFailure(err, during), this.config.static.timeoutMs));
    const same = { config: cfg, neighbors: this.neighbors!, drained: drainedKey(drained), holdsAbsent: this.restarts.holdsAbsent(now) };
    for (const [p, route] of read) {
      const found = this.prefixes.get(p.text) ?? EMPTY_PREFIX_STATE;
      const inputs = { ...same, route };
      // Its evaluation would give the same state and record (fixed-point.ts): nothing to do.
      if (!this.restarts.adopting && this.fixed.holds(p.text, found, inputs)) continue;
      const obs = observePrefix(cfg, this.neighbors!, p, route);
      const prev = this.restarts.prior(found, obs, drained, (n) => this.markRelease(n, p.family));
      const r = evaluate(cfg, obs, prev, now, drained, same.holdsAbsent);
      this.fixed.note(p.text, prev, r, inputs);
      const before = this.records.get(p.text);
      this.records.set(p.text, r.record);
      if (before === undefined || before.healthyServers.join() !== r.record.healthyServers.join()) {
        this.listeners.notify({ kind: 'observation', at: now, prefix: p.text, healthyServers: r.record.healthyServers, liveCapacity: r.record.liveCapacity });
      }
      for (const n of [...r.released, ...r.reheld]) this.markRelease(n, p.family);
      this.prefixes.set(p.text, r.state);
      if (r.record.changed || r.record.hold !== prev.lastHold || r.record.reason !== prev.lastReason) records.push(r.record);
    }
    for (const rec of records) this.logDecision(rec, cause);
    this.scheduleDampingCheck();
    // Nothing read, nothing decided: FRR stays as it is (and is not poked while it misbehaves).
    if (read.length > 0) await this.apply(cause);
  }

  private logDecision(r: DecisionRecord, cause: string): void {
    this.counters.decisions++;
    this.listeners.notify({ kind: 'decision', at: this.now(), cause, record: r });
    if (r.changed) this.counters.changes++;
    const { fields, message } = decisionLog(r, cause);
    this.io.logger.info(fields, message);
  }

  /** Re-evaluate when the earliest held change may be released (damp()'s deadline, kept per prefix). */
  private scheduleDampingCheck(): void {
    const due = [...this.prefixes].filter(([, s]) => s.nextCheckAt !== null).map(([t, s]) => [t, s.nextCheckAt!] as const);
    const earliest = due.reduce((m, [, at]) => Math.min(m, at), Infinity);
    const delay = due.length === 0 ? null : earliest - this.now() + 5;
    this.timers.dampIn(delay, () => void this.enqueue(() => this.observe(due.map(([t]) => t), 'damping')));
  }

  private async releaseAllHolds(): Promise<void> {
    const families = new Map(this.config.reloadable.prefixes.map((p) => [p.text, p.family]));
    const { changed, release } = holdsAfterStop(this.prefixes, families, this.drainedNeighbors());
    for (const [n, family] of release) this.markRelease(n, family);
    for (const [text, st] of changed) this.prefixes.set(text, st);
    if (changed.size > 0) await this.apply('stop');
  }

  /** Bring FRR to the desired entries if it differs; read back and verify (apply.ts). */
  private async apply(cause: string): Promise<void> {
    const desired = this.desired();
    if (desired === null) return;
    if (this.view === null) {
      try {
        await this.refreshNeighbors();
      } catch (err) {
        this.frrFailure(err, 'read of running-config');
        return;
      }
    }
    const release = new Map(this.pendingRelease);
    const { logger, dryRun } = this.io;
    const deps = { frr: this.frr, logger, dryRun, now: this.now, backoff: this.backoff, counters: this.counters, failure: (err: unknown, during: string) => this.frrFailure(err, during) };
    const out = await applyAndVerify({ config: this.config, names: this.names, view: this.view!, desired, release, cause }, deps);
    this.view = out.view;
    if (out.released) for (const n of release.keys()) this.pendingRelease.delete(n);
  }

  /** Compare FRR's running configuration (`read`: read already) with what the agent owns; restore and count any drift. */
  private async reconcile(read?: TickRead): Promise<void> {
    this.noticeRestart();
    try {
      await this.refreshNeighbors(read?.running);
    } catch (err) {
      this.frrFailure(err, 'reconcile read');
      return;
    }
    const withServers = [...this.records].filter(([, r]) => r.healthyServers.length > 0).map(([p]) => p);
    await this.faults.check(this.frr, this.neighbors!.spineNeighbors, withServers, this.io.kernel, read?.summary).catch((err: unknown) => this.frrFailure(err, 'read of sessions and kernel routes'));
    const desired = this.desired();
    if (desired === null) return;
    const diff = differences(this.view!, this.names, desired);
    if (diff.length === 0) return;
    this.counters.drift++;
    this.listeners.notify({ kind: 'drift', at: this.now(), differences: diff });
    this.io.logger.warn({ event: 'drift', differences: diff, driftTotal: this.counters.drift }, 'the owned FRR configuration was changed from outside; restoring it');
    await this.apply('drift');
  }
}
