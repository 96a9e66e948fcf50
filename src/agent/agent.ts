/**
 * The leaf agent's engine: observe -> decide -> damp -> apply -> verify, and reconcile.
 *
 *   route events (ip monitor) --prefix--> pending set --+
 *   resync timer (all prefixes) ------------------------+
 *   held-poll timer (prefixes with held servers) -------+--> [one serialized queue] --> vtysh
 *   damping timer (raises due for release) -------------+      read prefixes (one call per batch)
 *   reconcile timer (running-config) -------------------+      evaluate (pure step.ts)
 *   SIGHUP reload --------------------------------------+      apply (applyCommands), read back, verify
 *
 * Every FRR call goes through the queue, so reads, writes and verifications never interleave. When
 * vtysh fails, hangs or prints something unparseable, nothing is changed: the last applied FRR state
 * stays, the failure is logged and counted, and the next tick tries again. Stopping releases the
 * holds and leaves the outbound configuration as it is.
 */
import type { Logger } from 'pino';
import { describeAdvertisement } from '../policy/advertisement.js';
import { parseBgpPrefix, splitJsonStream } from '../frr/bgp-prefix.js';
import { activeSlot, adoptedEntries, adoptedHolds, desiredConfig, differences, extractOwned, inboundMapName, layoutFor, applyCommands, prefixListName, viewAfter, type DesiredConfig, type Layout, type OwnedEntry, type OwnedNames, type OwnedView } from '../frr/ballast-route-map.js';
import { parseRunningConfig, type AddressFamily, type RunningConfig } from '../frr/running-config.js';
import { BallastError } from '../util/errors.js';
import type { AgentConfig, AgentReloadable } from './config.js';
import { staticChanges } from './config.js';
import { observePrefix, peerIndex, type PeerIndex } from './observation.js';
import { EMPTY_PREFIX_STATE, evaluate, whatIf, type DecisionRecord, type PrefixState, type WhatIf } from './step.js';
import { initialDamping } from '../policy/damping.js';
import type { Prefix } from '../fabric/prefix.js';

/** One vtysh invocation: the commands in order; resolves with stdout. A long apply asks for more time. */
export type FrrRunner = (commands: readonly string[], timeoutMs?: number) => Promise<string>;

/** FRR 8.4 spends tens of ms per configuration command once the configuration is large. */
const APPLY_MS_PER_COMMAND = 60;

export interface AgentIo {
  readonly frr: FrrRunner;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Dry run: print the commands here instead of running them. */
  readonly dryRun?: (commands: readonly string[]) => void;
  /** Where drains survive a restart; without one they last as long as the process. */
  readonly drainStore?: DrainStore;
}

/** What the agent tells its listeners (the API's Watch, the metrics). */
export type AgentNotice =
  | { readonly kind: 'decision'; readonly at: number; readonly cause: string; readonly record: DecisionRecord }
  | { readonly kind: 'observation'; readonly at: number; readonly prefix: string; readonly healthyServers: readonly string[]; readonly liveCapacity: number }
  | { readonly kind: 'drift'; readonly at: number; readonly differences: readonly string[] };

export interface DrainRecord {
  readonly reason: string;
  readonly since: number;
}

/** Servers (by configured name) and the whole leaf, taken out of rotation by an operator. */
export interface DrainState {
  readonly servers: ReadonlyMap<string, DrainRecord>;
  readonly leaf: DrainRecord | null;
}

export interface DrainStore {
  load(): DrainState;
  /** Throws when the state cannot be kept: the drain is then refused, not half-applied. */
  save(state: DrainState): void;
}

export const NO_DRAINS: DrainState = { servers: new Map(), leaf: null };

export interface AgentCounters {
  decisions: number;
  changes: number;
  applies: number;
  drift: number;
  frrErrors: number;
  verifyFailures: number;
}

/** Prefixes per vtysh call on a full resync: one process for many targeted queries. */
const BATCH = 50;

export class Agent {
  private config: AgentConfig;
  private readonly io: AgentIo;
  private readonly now: () => number;
  private readonly prefixes = new Map<string, PrefixState>();
  private view: OwnedView | null = null;
  private peers: PeerIndex | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly pending = new Set<string>();
  /** Server paths to re-evaluate with `clear ... soft in` (released or newly drained; kept until an apply succeeds). */
  private readonly pendingRelease = new Map<string, Set<AddressFamily>>();
  private pendingScheduled = false;
  private timers: NodeJS.Timeout[] = [];
  private dampTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  readonly counters: AgentCounters = { decisions: 0, changes: 0, applies: 0, drift: 0, frrErrors: 0, verifyFailures: 0 };
  private readonly listeners = new Set<(n: AgentNotice) => void>();
  /** The latest evaluation of every prefix, logged or not (what the API shows as target and reason). */
  private readonly records = new Map<string, DecisionRecord>();
  private drains: DrainState = NO_DRAINS;
  readonly startedAt: number;

  constructor(config: AgentConfig, io: AgentIo) {
    this.config = config;
    this.io = io;
    this.now = io.now ?? Date.now;
    this.startedAt = this.now();
  }

  get currentConfig(): AgentConfig {
    return this.config;
  }

  get drainState(): DrainState {
    return this.drains;
  }

  /** The spine-facing neighbors as FRR names them (interfaces named after the peer in unnumbered fabrics). */
  spineNeighbors(): string[] {
    return [...(this.peers?.spineNeighbors ?? [])].sort();
  }

  /** The latest evaluation per prefix. */
  latestRecords(): ReadonlyMap<string, DecisionRecord> {
    return this.records;
  }

  /** Returns the unsubscribe function. A listener that throws is dropped, never the agent's work. */
  subscribe(listener: (n: AgentNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(n: AgentNotice): void {
    for (const l of this.listeners) {
      try {
        l(n);
      } catch {
        this.listeners.delete(l);
      }
    }
  }

  /**
   * Drain (reason given) or undrain (reason null) a configured server, or the whole leaf (server null).
   * Persisted first, then applied; resolves once FRR holds the result.
   */
  async setDrain(server: string | null, reason: string | null): Promise<DrainState> {
    const known = this.config.reloadable.servers;
    if (server !== null && !known.some((s) => s.name === server || s.neighbor === server)) {
      throw new BallastError('E_API_UNKNOWN_SERVER', `No server ${JSON.stringify(server)} on leaf ${this.config.static.leaf}; expected one of ${known.map((s) => s.name).join(', ')}`);
    }
    const name = server === null ? null : known.find((s) => s.name === server || s.neighbor === server)!.name;
    const servers = new Map(this.drains.servers);
    let leaf = this.drains.leaf;
    const record = reason === null ? null : { reason, since: this.now() };
    if (name === null) leaf = record;
    else if (record === null) servers.delete(name);
    else servers.set(name, record);
    const next: DrainState = { servers, leaf };
    this.io.drainStore?.save(next);
    this.drains = next;
    this.io.logger.info({ event: reason === null ? 'undrain' : 'drain', server: name ?? 'leaf', reason }, `${reason === null ? 'undrained' : 'drained'} ${name ?? `leaf ${this.config.static.leaf}`}${reason ? `: ${reason}` : ''}`);
    await this.enqueue(() => this.observe(this.config.reloadable.prefixes.map((p) => p.text), reason === null ? 'undrain' : 'drain'));
    return next;
  }

  /** The server neighbors drained now (every configured one while the leaf is). */
  private drainedNeighbors(): Set<string> {
    const servers = this.config.reloadable.servers;
    if (this.drains.leaf !== null) return new Set(servers.map((s) => s.neighbor));
    return new Set(servers.filter((s) => this.drains.servers.has(s.name)).map((s) => s.neighbor));
  }

  /** What each prefix would be advertised as if these servers (names or neighbors) failed now. */
  whatIf(fail: readonly string[]): Map<string, WhatIf | null> {
    const drained = this.drainedNeighbors();
    const failed = new Set(fail);
    return new Map([...this.prefixes].map(([text, st]) => [text, whatIf(this.config.reloadable, st, drained, failed)]));
  }

  get names(): OwnedNames {
    const s = this.config.static;
    return { base: s.routeMap, asn: s.asn, spinePeerGroup: s.spinePeerGroup, chain: s.chainRouteMap };
  }

  /** Read FRR, adopt what runs, decide every prefix, apply only what differs (no flap on restart). */
  async start(): Promise<void> {
    this.drains = this.io.drainStore?.load() ?? NO_DRAINS;
    const running = await this.readRunning();
    this.checkOwnership(running);
    this.adopt(running);
    await this.enqueue(() => this.observe(this.config.reloadable.prefixes.map((p) => p.text), 'start'));
    this.startTimers();
  }

  private startTimers(): void {
    for (const t of this.timers) clearInterval(t);
    const r = this.config.reloadable;
    this.timers = [
      setInterval(() => void this.resyncNow(), r.resyncSeconds * 1000),
      setInterval(() => void this.reconcileNow(), r.reconcileSeconds * 1000),
      // A held server's return changes no kernel route (its path stays outside the multipath set), so
      // no route event announces it: poll the prefixes with holds, so the hold-down starts on time.
      setInterval(() => {
        const held = [...this.prefixes].filter(([, st]) => st.held.size > 0).map(([t]) => t);
        if (held.length > 0) void this.enqueue(() => this.observe(held, 'held-poll'));
      }, r.heldPollSeconds * 1000),
    ];
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
      await this.refreshPeers();
      await this.observe([...managed], 'reload');
    });
  }

  /**
   * Stop timers and let queued work finish. FRR keeps the last applied outbound configuration; the
   * holds are released first, because without the agent nobody would ever let a held server in.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.dampTimer) clearTimeout(this.dampTimer);
    await this.enqueue(() => this.releaseAllHolds());
    await this.queue;
    this.io.logger.info({ event: 'stopped', counters: this.counters }, 'agent stopped; FRR keeps the last applied configuration');
  }

  /** The agent's belief per prefix (for status and the coming API). */
  snapshot(): ReadonlyMap<string, PrefixState> {
    return this.prefixes;
  }

  /** Re-read every managed prefix now (the periodic resync, on demand). */
  resyncNow(): Promise<void> {
    return this.enqueue(() => this.observe(this.config.reloadable.prefixes.map((p) => p.text), 'resync'));
  }

  /** Compare the running configuration with what the agent owns now (the periodic reconcile, on demand). */
  reconcileNow(): Promise<void> {
    return this.enqueue(() => this.reconcile());
  }

  /** Wait until everything queued so far has run (tests, benchmarks). */
  idle(): Promise<void> {
    return this.queue;
  }

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
    const code = err instanceof BallastError ? err.code : 'E_INTERNAL';
    this.io.logger.error({ event: 'frr-error', during, code, err: err instanceof Error ? err.message : String(err) }, `FRR ${during} failed, keeping the last applied state`);
    // Unknown what FRR holds now: re-read before the next write.
    this.view = null;
  }

  private async readRunning(): Promise<RunningConfig> {
    return parseRunningConfig(await this.io.frr(['show running-config']));
  }

  private checkOwnership(running: RunningConfig): void {
    const s = this.config.static;
    if (running.bgp === null) throw new BallastError('E_AGENT_OWNERSHIP', 'FRR runs no BGP instance: expected `router bgp` with the spine peer-group');
    if (running.bgp.asn !== s.asn) throw new BallastError('E_AGENT_OWNERSHIP', `FRR runs router bgp ${running.bgp.asn}, expected bgp.asn ${s.asn} from the agent config`);
    if (!running.bgp.peerGroups.has(s.spinePeerGroup)) throw new BallastError('E_AGENT_OWNERSHIP', `FRR has no peer-group ${JSON.stringify(s.spinePeerGroup)}: expected the spine-facing peer-group named in bgp.spine-peer-group`);
    const view = extractOwned(running, this.names, this.serverNeighbors());
    if (view.foreignName !== null && view.foreignName !== s.chainRouteMap) {
      throw new BallastError(
        'E_AGENT_OWNERSHIP',
        `${s.spinePeerGroup} already uses route-map ${JSON.stringify(view.foreignName)} outbound, which the agent does not own: set bgp.chain-route-map to ${JSON.stringify(view.foreignName)} so the agent's maps call it, or remove it`,
      );
    }
    // Holds need the server neighbors' inbound policy: refuse to replace one the agent does not own.
    const groups = new Set(this.serverNeighbors().map((n) => running.bgp!.neighbors.get(n)).filter((g): g is string => typeof g === 'string'));
    for (const r of running.bgp.routeMaps) {
      if (r.direction !== 'in') continue;
      const ours = r.routeMap === inboundMapName(this.names, r.neighbor);
      if (!ours && (groups.has(r.neighbor) || this.serverNeighbors().includes(r.neighbor))) {
        throw new BallastError('E_AGENT_OWNERSHIP', `${r.neighbor} uses route-map ${JSON.stringify(r.routeMap)} inbound (${r.af}), which the agent does not own; the agent needs the server neighbors' inbound policy to hold returning servers back`);
      }
    }
    this.view = view;
    this.peers = peerIndex(this.config.reloadable, s.spinePeerGroup, running.bgp);
  }

  /** The configured server neighbors: each gets an inbound hold map. */
  private serverNeighbors(): string[] {
    return this.config.reloadable.servers.map((x) => x.neighbor);
  }

  /** Start from what the active route-map holds, so a restart changes nothing that is still right. */
  private adopt(running: RunningConfig): void {
    const view = this.view!;
    const adopted = adoptedEntries(view, this.names, this.layout());
    const holds = adoptedHolds(view, this.names, this.layout());
    const now = this.now();
    for (const p of this.config.reloadable.prefixes) {
      const entry = adopted.get(p.text);
      const held = holds.get(p.text) ?? new Set<string>();
      if (!entry) {
        this.prefixes.set(p.text, { ...EMPTY_PREFIX_STATE, held });
        continue;
      }
      // An explicit value is a known advertisement (damped from there); cumulative is re-derived on the first read.
      const explicit = typeof entry.bandwidth === 'number' || (entry.bandwidth === null && entry.prepend > 0);
      const damping = explicit ? initialDamping({ kind: 'advertise', bandwidthMbps: typeof entry.bandwidth === 'number' ? entry.bandwidth : null, prepend: entry.prepend }, now) : null;
      this.prefixes.set(p.text, { ...EMPTY_PREFIX_STATE, damping, entry, held });
    }
    this.io.logger.info({ event: 'adopted', slot: activeSlot(view), prefixes: adopted.size, runningRouteMaps: running.routeMaps.size }, 'adopted the running configuration');
  }

  /** Prefixes grouped by their configured servers: such prefixes move together (one entry, not many). */
  private layout(): Layout {
    const cfg = this.config.reloadable;
    const key = (p: Prefix) => cfg.servers.filter((s) => s.prefixes.includes(p.text)).map((s) => s.neighbor).sort().join(',');
    return layoutFor(this.names, cfg.prefixes, key);
  }

  /** Per-prefix lists of managed prefixes: kept when unused, since building them again costs more. */
  private keepLists(): Set<string> {
    return new Set(this.config.reloadable.prefixes.map((p) => prefixListName(this.names, p)));
  }

  private async refreshPeers(): Promise<RunningConfig> {
    const running = await this.readRunning();
    this.peers = peerIndex(this.config.reloadable, this.config.static.spinePeerGroup, running.bgp);
    // A dry run keeps comparing against the state it pretends to have applied.
    if (!this.io.dryRun || this.view === null) this.view = extractOwned(running, this.names, this.serverNeighbors());
    return running;
  }

  /** Read the given prefixes (one vtysh call per batch), decide, damp, and apply what changed. */
  private async observe(prefixTexts: readonly string[], cause: string): Promise<void> {
    if (this.peers === null) await this.refreshPeers();
    const cfg = this.config.reloadable;
    const byText = new Map(cfg.prefixes.map((p) => [p.text, p]));
    const wanted = prefixTexts.map((t) => byText.get(t)).filter((p) => p !== undefined);
    const now = this.now();
    const records: DecisionRecord[] = [];
    const drained = this.drainedNeighbors();
    let evaluated = 0;
    for (let i = 0; i < wanted.length; i += BATCH) {
      const batch = wanted.slice(i, i + BATCH);
      let routes;
      try {
        const text = await this.io.frr(batch.map((p) => `show bgp ${p.family} unicast ${p.text} json`));
        const values = splitJsonStream(text);
        if (values.length !== batch.length) throw new BallastError('E_FRR_PARSE', `Expected ${batch.length} JSON answers from vtysh, got ${values.length}`);
        routes = values.map(parseBgpPrefix);
      } catch (err) {
        this.frrFailure(err, `read of ${batch.length} prefix(es)`);
        continue;
      }
      batch.forEach((p, k) => {
        const route = routes[k]!;
        if (route.prefix !== null && route.prefix !== p.text) {
          this.frrFailure(new BallastError('E_FRR_PARSE', `Asked for ${p.text}, FRR answered ${route.prefix}`), 'read');
          return;
        }
        const obs = observePrefix(cfg, this.peers!, p, route);
        const prev = this.prefixes.get(p.text) ?? EMPTY_PREFIX_STATE;
        const r = evaluate(cfg, obs, prev, now, drained);
        evaluated++;
        const before = this.records.get(p.text);
        this.records.set(p.text, r.record);
        if (before === undefined || before.healthyServers.join() !== r.record.healthyServers.join()) {
          this.notify({ kind: 'observation', at: now, prefix: p.text, healthyServers: r.record.healthyServers, liveCapacity: r.record.liveCapacity });
        }
        for (const n of [...r.released, ...r.reheld]) {
          const fams = this.pendingRelease.get(n) ?? new Set<AddressFamily>();
          fams.add(p.family);
          this.pendingRelease.set(n, fams);
        }
        this.prefixes.set(p.text, r.state);
        if (r.record.changed || r.record.hold !== prev.lastHold || r.record.reason !== prev.lastReason) records.push(r.record);
      });
    }
    for (const rec of records) this.logDecision(rec, cause);
    this.scheduleDampingCheck();
    // Nothing read, nothing decided: FRR stays as it is (and is not poked while it misbehaves).
    if (evaluated > 0) await this.apply(cause);
  }

  private logDecision(r: DecisionRecord, cause: string): void {
    this.counters.decisions++;
    this.notify({ kind: 'decision', at: this.now(), cause, record: r });
    if (r.changed) this.counters.changes++;
    this.io.logger.info(
      {
        event: 'decision',
        cause,
        prefix: r.prefix,
        healthyServers: r.healthyServers,
        heldServers: r.heldServers,
        liveCapacity: r.liveCapacity,
        configuredCapacity: r.configuredCapacity,
        old: r.old === null ? null : describeAdvertisement(r.old),
        new: describeAdvertisement(r.new),
        target: describeAdvertisement(r.target),
        reason: r.reason,
        hold: r.hold,
        render: r.render,
      },
      `${r.prefix}: ${r.changed ? `${r.old === null ? 'start' : describeAdvertisement(r.old)} -> ${describeAdvertisement(r.new)}` : `${describeAdvertisement(r.new)}${r.hold !== 'none' ? ` (${r.hold}, wants ${describeAdvertisement(r.target)})` : ''}`}`,
    );
  }

  /** Re-evaluate when the earliest held change may be released. */
  private scheduleDampingCheck(): void {
    if (this.dampTimer) clearTimeout(this.dampTimer);
    this.dampTimer = null;
    let earliest = Infinity;
    const cfg = this.config.reloadable;
    const now = this.now();
    const due: string[] = [];
    for (const [text, s] of this.prefixes) {
      if (s.lastHold === 'none' || s.damping === null || s.observation === null) continue;
      const d = s.damping;
      const intervalEnd = d.lastChangeAt + cfg.policy.damping.minIntervalSeconds * 1000;
      const holdEnd = d.raiseSince === null ? intervalEnd : Math.max(intervalEnd, d.raiseSince + cfg.policy.damping.holdDownSeconds * 1000);
      due.push(text);
      earliest = Math.min(earliest, holdEnd);
    }
    if (due.length === 0 || this.stopped) return;
    this.dampTimer = setTimeout(() => void this.enqueue(() => this.observe(due, 'damping')), Math.max(0, earliest - now) + 5);
  }

  /** Drained servers stay held: an operator's drain outlives the agent (and is read back on start). */
  private async releaseAllHolds(): Promise<void> {
    const drained = this.drainedNeighbors();
    let any = false;
    for (const [text, st] of this.prefixes) {
      const keep = new Set([...st.held].filter((n) => drained.has(n)));
      if (st.held.size === keep.size) continue;
      any = true;
      const family = this.config.reloadable.prefixes.find((p) => p.text === text)?.family ?? 'ipv4';
      for (const s of st.observation?.servers ?? []) {
        if (s.admitted || !st.held.has(s.neighbor) || keep.has(s.neighbor)) continue;
        const fams = this.pendingRelease.get(s.neighbor) ?? new Set<AddressFamily>();
        fams.add(family);
        this.pendingRelease.set(s.neighbor, fams);
      }
      this.prefixes.set(text, { ...st, held: keep });
    }
    if (any) await this.apply('stop');
  }

  private desired(): DesiredConfig | null {
    const entries = new Map<string, OwnedEntry>();
    const holds = new Map(this.serverNeighbors().map((n) => [n, new Set<string>()]));
    for (const [text, s] of this.prefixes) {
      if (s.entry !== null) entries.set(text, s.entry);
      for (const n of s.held) holds.get(n)?.add(text);
    }
    return entries.size === 0 ? null : desiredConfig(this.names, this.layout(), entries, holds);
  }

  /** Bring FRR to the desired entries if it differs; read back and verify. */
  private async apply(cause: string): Promise<void> {
    const desired = this.desired();
    if (desired === null) return;
    if (this.view === null) {
      try {
        await this.refreshPeers();
      } catch (err) {
        this.frrFailure(err, 'read of running-config');
        return;
      }
    }
    const keep = this.keepLists();
    const release = new Map(this.pendingRelease);
    const { commands, slot } = applyCommands(this.view!, this.names, desired, keep, release);
    if (commands.length === 0) return;
    if (this.io.dryRun) {
      this.io.dryRun(commands);
      this.view = viewAfter(this.view!, this.names, desired, slot, keep);
      this.pendingRelease.clear();
      return;
    }
    const t0 = this.now();
    try {
      await this.io.frr(commands, this.config.static.timeoutMs + APPLY_MS_PER_COMMAND * commands.length);
    } catch (err) {
      this.frrFailure(err, 'apply');
      return;
    }
    this.counters.applies++;
    for (const n of release.keys()) this.pendingRelease.delete(n);
    const applied = this.now();
    try {
      const running = await this.readRunning();
      this.view = extractOwned(running, this.names, this.serverNeighbors());
    } catch (err) {
      this.frrFailure(err, 'read-back');
      return;
    }
    const diff = differences(this.view, this.names, desired);
    if (diff.length > 0) {
      this.counters.verifyFailures++;
      this.io.logger.error({ event: 'verify-failed', cause, differences: diff }, 'FRR does not hold what was applied; retrying at the next tick');
      this.view = null;
      return;
    }
    this.io.logger.info({ event: 'applied', cause, slot, commands: commands.length, applyMs: applied - t0, verifiedMs: this.now() - t0 }, `applied and verified route-map ${this.names.base}-${slot}`);
  }

  /** Compare FRR's running configuration with what the agent owns; restore and count any drift. */
  private async reconcile(): Promise<void> {
    try {
      await this.refreshPeers();
    } catch (err) {
      this.frrFailure(err, 'reconcile read');
      return;
    }
    const desired = this.desired();
    if (desired === null) return;
    const diff = differences(this.view!, this.names, desired);
    if (diff.length === 0) return;
    this.counters.drift++;
    this.notify({ kind: 'drift', at: this.now(), differences: diff });
    this.io.logger.warn({ event: 'drift', differences: diff, driftTotal: this.counters.drift }, 'the owned FRR configuration was changed from outside; restoring it');
    await this.apply('drift');
  }
}
