/**
 * The observer daemon's core: re-read the router every poll interval and whenever the kernel reports
 * a route change inside the observed prefixes, keep the last good reading (a failed read counts as an
 * FRR error and changes nothing), and tell subscribers when an installed route changes. It serves the
 * agent's API read-only: GetState and Watch; Drain, Undrain and WhatIf are refused (UNIMPLEMENTED).
 *
 *   poll timer ──┐
 *   ip monitor ──┼─> read() (one at a time; a request during a read queues one more) ─> reading
 *                                                                         └─> route events ─> Watch
 */
import type { AgentApi, AgentEvent, AgentStateView, InstalledNexthopView } from '../api/agent-api.js';
import { parsePrefix, prefixContains } from '../fabric/prefix.js';
import { BallastError } from '../util/errors.js';
import type { ObserverConfig } from './config.js';
import { readRouter, type ReadDeps, type RouterReading } from './read.js';

export interface ObserverLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export type ObserverDeps = ReadDeps & { readonly logger: ObserverLogger; readonly now?: () => number };

export class Observer {
  private reading: RouterReading | null = null;
  private frrErrors = 0;
  private readonly listeners = new Set<(e: AgentEvent) => void>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly startedAt: number;
  lastReadAt: number | null = null;

  private readonly config: ObserverConfig;
  private readonly deps: ObserverDeps;

  constructor(config: ObserverConfig, deps: ObserverDeps) {
    this.config = config;
    this.deps = deps;
    this.startedAt = this.now();
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** The first read, then the poll timer. A router that does not answer yet is retried, not fatal. */
  async start(): Promise<void> {
    await this.read();
    this.timer = setInterval(() => void this.read(), this.config.pollSeconds * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** A kernel route event: re-read if it is one of ours. */
  routeChanged(prefix: string): void {
    let p;
    try {
      p = parsePrefix(prefix);
    } catch {
      return;
    }
    if (this.config.prefixes.some((range) => prefixContains(range, p))) void this.read();
  }

  read(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async readOnce(): Promise<void> {
    let next: RouterReading;
    try {
      next = await readRouter(this.config.prefixes, this.deps, this.reading?.frrVersion ?? null);
    } catch (err) {
      this.frrErrors++;
      this.deps.logger.warn({ event: 'read-failed', code: (err as BallastError).code, err: (err as Error).message }, `cannot read FRR, keeping the last reading: ${(err as Error).message}`);
      return;
    }
    const before = new Map((this.reading?.prefixes ?? []).map((p) => [p.prefix, key(p.installed)]));
    if (this.reading === null) this.deps.logger.info({ event: 'first-read', frrVersion: next.frrVersion, bestpathBandwidth: next.bestpathBandwidth, routes: next.prefixes.length }, `FRR ${next.frrVersion}, ${next.prefixes.length} routes`);
    if (next.truncated && next.truncated !== this.reading?.truncated) this.deps.logger.warn({ event: 'truncated', left: next.truncated }, `${next.truncated} host routes beyond the first ${next.prefixes.length} are not observed`);
    if (this.reading && next.bestpathBandwidth !== this.reading.bestpathBandwidth) this.deps.logger.warn({ event: 'bestpath-bandwidth', from: this.reading.bestpathBandwidth, to: next.bestpathBandwidth }, `bgp bestpath bandwidth changed: ${this.reading.bestpathBandwidth} -> ${next.bestpathBandwidth}`);
    this.reading = next;
    this.lastReadAt = this.now();
    for (const p of next.prefixes) {
      if (before.get(p.prefix) === key(p.installed)) continue;
      this.emit({ kind: 'route', at: this.now(), prefix: p.prefix, installed: p.installed });
    }
  }

  private emit(e: AgentEvent): void {
    for (const l of this.listeners) l(e);
  }

  subscribe(listener: (e: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(): AgentStateView {
    const r = this.reading;
    return {
      role: 'observer',
      node: this.config.node,
      leaf: '',
      asn: r?.asn ?? 0,
      mbpsPerUnit: 0,
      dryRun: false,
      startedAt: this.startedAt,
      leafDrained: false,
      leafDrainReason: '',
      frrErrorsTotal: this.frrErrors,
      driftTotal: 0,
      spines: [],
      frrVersion: r?.frrVersion ?? '',
      bestpathBandwidth: r?.bestpathBandwidth ?? '',
      prefixes: (r?.prefixes ?? []).map((p) => ({
        prefix: p.prefix,
        healthyCount: 0,
        configuredCount: 0,
        liveCapacity: 0,
        configuredCapacity: 0,
        current: null,
        target: null,
        hold: 'none',
        nextCheckAt: null,
        raiseSince: null,
        lastChangeAt: null,
        lastReason: null,
        driftTotal: 0,
        servers: [],
        installed: p.installed,
        received: p.received,
      })),
    };
  }
}

function key(hops: readonly InstalledNexthopView[]): string {
  return hops.map((h) => `${h.peer}/${h.interface}/${h.weight}/${h.kernelWeight}/${h.bandwidthBytes}`).sort().join(',');
}

const readOnly = (what: string) => Promise.reject(new BallastError('E_API_READ_ONLY', `Cannot ${what}: this is a read-only observer; drain on the leaf's agent`));

/** The observer behind the agent's API: state and events; every change is refused. */
export function observerApi(o: Observer): AgentApi {
  return {
    state: () => o.state(),
    subscribe: (l) => o.subscribe(l),
    drain: () => readOnly('drain'),
    undrain: () => readOnly('undrain'),
    whatIf: () => {
      throw new BallastError('E_API_READ_ONLY', 'Cannot run a what-if on an observer: ask the leaves\' agents, or run ballast verify');
    },
  };
}
