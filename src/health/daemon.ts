/**
 * The health checker daemon: timers, probes, the address action and the control socket around the
 * pure state machine in machine.ts.
 *
 *   check timers (one per check) --result--> step() --actions--> address queue (serialized) --> ip addr
 *   drain-file poll ------------------------> step()                       ^
 *   control socket (status/drain/undrain) --> step()                       |
 *   reconcile timer ---------------------- desiredAddresses(state) --------+
 *
 * Every state change goes through step(); every address change goes through one promise queue, so
 * an announce and a withdraw can never interleave.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BallastError } from '../util/errors.js';
import { AddressManager, type AddressResult } from './addresses.js';
import { listenControl, socketPath, type ControlRequest } from './control.js';
import {
  desiredAddresses,
  exitActions,
  initialCheck,
  initialState,
  step,
  type Action,
  type HealthEvent,
  type HealthState,
  type ServiceSpec,
  type Transition,
} from './machine.js';
import { runCheck, systemClock, type Clock, type ProbeRunner, runProbe } from './probe.js';
import { buildSnapshot, type HealthSnapshot } from './snapshot.js';
import type { CheckConfig, HealthConfig } from './types.js';

export const DRAIN_STATE_FILE = 'health.drain.json';

export interface DaemonOptions {
  readonly logger: Logger;
  readonly dryRun?: boolean;
  /** ip -n NAMESPACE for every address change (tests); null: this process's namespace. */
  readonly netns?: string | null;
  readonly clock?: Clock;
  readonly runner?: ProbeRunner;
  /** How often the drain file is looked at. */
  readonly drainPollMs?: number;
}

export function specsOf(config: HealthConfig): ServiceSpec[] {
  return config.services.map((s) => ({
    name: s.name,
    prefixes: s.prefixes.map((p) => p.text),
    checks: s.checks.map((c) => ({ name: c.name, rise: c.rise, fall: c.fall })),
  }));
}

export class HealthDaemon {
  private config: HealthConfig;
  private specs: ServiceSpec[];
  private state: HealthState;
  private addresses: AddressManager;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly runner: ProbeRunner;
  private readonly options: DaemonOptions;
  private readonly startedAt: number;
  private timers = new Set<NodeJS.Timeout>();
  /** Bumped on reload and stop: results of checks started under an older generation are dropped. */
  private generation = 0;
  private queue: Promise<void> = Promise.resolve();
  private server: Server | null = null;
  private stopped = false;

  constructor(config: HealthConfig, options: DaemonOptions) {
    this.config = config;
    this.options = options;
    this.log = options.logger;
    this.clock = options.clock ?? systemClock;
    this.runner = options.runner ?? runProbe;
    this.startedAt = this.clock.now();
    this.specs = specsOf(config);
    this.state = initialState(this.specs, this.startedAt);
    this.addresses = this.makeAddresses(config);
  }

  /** Start probing, listening and reconciling. Resolves once the control socket is up. */
  async start(): Promise<void> {
    mkdirSync(this.config.runtimeDir, { recursive: true, mode: 0o755 });
    this.server = await listenControl(socketPath(this.config.runtimeDir), (req) => this.control(req));
    this.log.info({ event: 'start', config: this.config.file, interface: this.config.interface, services: this.specs.map((s) => s.name), dryRun: this.options.dryRun ?? false }, 'health checker started');
    for (const [service, reason] of this.loadDrains()) this.apply({ type: 'drain', service, reason });
    this.pollDrainFile();
    this.startTimers();
  }

  snapshot(): HealthSnapshot {
    return buildSnapshot(this.config, this.state, { pid: process.pid, startedAt: this.startedAt, dryRun: this.options.dryRun ?? false });
  }

  /** Resolves when every address change queued so far has been carried out. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Stop everything; withdraw the addresses unless on-exit is leave. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopTimers();
    const actions = exitActions(this.state, this.config.onExit);
    this.log.info({ event: 'stop', onExit: this.config.onExit }, this.config.onExit === 'withdraw' ? 'stopping: withdrawing the addresses' : 'stopping: leaving the addresses as they are');
    for (const a of actions) this.enqueue(a);
    await this.queue;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(socketPath(this.config.runtimeDir), { force: true });
  }

  /**
   * Take a new configuration (SIGHUP). State carries over for services and checks that did not
   * change; prefixes that left the configuration are withdrawn; a changed interface starts afresh.
   */
  async reload(next: HealthConfig): Promise<void> {
    if (next.runtimeDir !== this.config.runtimeDir) {
      throw new BallastError('E_HEALTH_CONTROL', `Cannot reload: runtime-dir changed from "${this.config.runtimeDir}" to "${next.runtimeDir}"; restart the checker instead`);
    }
    this.stopTimers();
    const old = this.config;
    const oldState = this.state;
    const specs = specsOf(next);
    const now = this.clock.now();
    const fresh = initialState(specs, now);
    const sameInterface = next.interface === old.interface;
    const services = fresh.services.map((s) => {
      const before = oldState.services.find((o) => o.name === s.name);
      if (!before) return s;
      const oldChecks = old.services.find((x) => x.name === s.name)?.checks ?? [];
      const newChecks = next.services.find((x) => x.name === s.name)?.checks ?? [];
      let allKept = oldChecks.length === newChecks.length;
      const checks = newChecks.map((cfg) => {
        const previous = oldChecks.find((c) => c.name === cfg.name);
        const kept = previous !== undefined && JSON.stringify(previous) === JSON.stringify(cfg) ? before.checks.find((c) => c.name === cfg.name) : undefined;
        if (!kept) allKept = false;
        return kept ?? initialCheck(cfg.name, now);
      });
      return {
        ...s,
        checks,
        drains: before.drains,
        probation: before.probation,
        // New or changed checks make the service pending: its addresses stay as they are until they settle.
        verdict: allKept ? before.verdict : 'pending',
        announced: sameInterface ? before.announced : null,
      };
    });
    const kept = new Set(services.flatMap((s) => s.prefixes));
    const gone = old.services.flatMap((s) => s.prefixes.map((p) => p.text)).filter((p) => !kept.has(p) || !sameInterface);
    this.log.info({ event: 'reload', config: next.file, withdrawn: gone }, 'configuration reloaded');
    // Queued with the old address manager (enqueue captures it), so it reaches the old interface.
    if (gone.length > 0) this.enqueue({ type: 'withdraw', service: '(removed from config)', prefixes: gone, reason: 'removed' });
    this.config = next;
    this.specs = specs;
    this.state = { services };
    this.addresses = this.makeAddresses(next);
    // A prefix added to an announced service goes on now, not at the next reconcile.
    this.reconcile('reload');
    this.pollDrainFile();
    this.startTimers();
  }

  private makeAddresses(config: HealthConfig): AddressManager {
    return new AddressManager({ interface: config.interface, netns: this.options.netns ?? null, dryRun: this.options.dryRun ?? false });
  }

  private async control(req: ControlRequest): Promise<HealthSnapshot> {
    if (req.op !== 'status') {
      if (req.service !== undefined && !this.specs.some((s) => s.name === req.service)) {
        throw new BallastError('E_HEALTH_CONTROL', `Unknown service "${req.service}", expected one of ${this.specs.map((s) => s.name).join(', ')}`);
      }
      const service = req.service ?? null;
      this.apply(req.op === 'drain' ? { type: 'drain', service, reason: req.reason ?? 'drained by command' } : { type: 'undrain', service });
      this.saveDrains();
      // Answer once the withdraw has happened, so `ballast health drain && maintenance` is safe.
      await this.queue;
    }
    return this.snapshot();
  }

  private apply(event: HealthEvent): void {
    const result = step(this.state, this.specs, event, this.clock.now());
    this.state = result.state;
    for (const t of result.transitions) this.logTransition(t);
    for (const a of result.actions) this.enqueue(a);
  }

  private logTransition(t: Transition): void {
    switch (t.type) {
      case 'check': {
        const fields = { event: 'check', service: t.service, check: t.check, from: t.from, to: t.to, detail: t.result.detail, durationSeconds: t.result.durationMs / 1000 };
        if (t.to === 'down') this.log.warn(fields, `check ${t.service}/${t.check} is down: ${t.result.detail}`);
        else this.log.info(fields, `check ${t.service}/${t.check} is ${t.to}`);
        return;
      }
      case 'verdict':
        this.log.info({ event: 'verdict', service: t.service, from: t.from, to: t.to }, `service ${t.service} is ${t.to}`);
        return;
      case 'drain':
        this.log.info({ event: 'drain', service: t.service, source: t.source, reason: t.reason }, `service ${t.service} drained (${t.source}): ${t.reason}`);
        return;
      case 'undrain':
        this.log.info({ event: 'undrain', service: t.service, source: t.source }, `service ${t.service} undrained (${t.source})`);
        return;
    }
  }

  private enqueue(action: Action): void {
    const addresses = this.addresses;
    this.queue = this.queue.then(async () => {
      try {
        const results = action.type === 'announce' ? await addresses.add(action.prefixes) : await addresses.remove(action.prefixes);
        this.log.info(
          { event: 'address', action: action.type, service: action.service, interface: addresses.interfaceName, ...(action.type === 'withdraw' ? { reason: action.reason } : {}), results },
          `${action.type} ${action.prefixes.join(' ')} (${action.service}): ${summary(results)}`,
        );
      } catch (err) {
        // The reconcile timer retries: the state already says what the interface should hold.
        this.log.error({ event: 'address-error', action: action.type, service: action.service, code: (err as BallastError).code, err: (err as Error).message }, `cannot ${action.type} ${action.prefixes.join(' ')}: ${(err as Error).message}`);
      }
    });
  }

  private startTimers(): void {
    const generation = ++this.generation;
    for (const service of this.config.services) {
      for (const check of service.checks) this.schedule(service.name, check, 0, generation);
    }
    this.every(this.config.reconcileMs, generation, () => this.reconcile('timer'));
    if (this.config.drainFile !== null) this.every(this.options.drainPollMs ?? 1000, generation, () => this.pollDrainFile());
  }

  private stopTimers(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private every(ms: number, generation: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (generation !== this.generation) return;
      fn();
      this.every(ms, generation, fn);
    }, ms);
    this.timers.add(timer);
  }

  /** Start-to-start cadence: a probe that takes 300 ms of a 1 s interval is followed 700 ms later. */
  private schedule(service: string, check: CheckConfig, delayMs: number, generation: number): void {
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      if (generation !== this.generation) return;
      const started = this.clock.mono();
      const result = await runCheck(check, this.clock, this.runner);
      if (generation !== this.generation) return;
      this.apply({ type: 'result', service, check: check.name, result });
      this.schedule(service, check, Math.max(0, check.intervalMs - (this.clock.mono() - started)), generation);
    }, delayMs);
    this.timers.add(timer);
  }

  private reconcile(why: 'timer' | 'reload'): void {
    const { present, absent } = desiredAddresses(this.state);
    const addresses = this.addresses;
    this.queue = this.queue.then(async () => {
      try {
        const changed = [...(present.length ? await addresses.add(present) : []), ...(absent.length ? await addresses.remove(absent) : [])].filter(
          (r) => r.change === 'added' || r.change === 'removed',
        );
        if (changed.length === 0) return;
        if (why === 'reload') this.log.info({ event: 'reconcile', why, results: changed }, `addresses after reload: ${summary(changed)}`);
        else this.log.warn({ event: 'reconcile', why, results: changed }, `repaired addresses changed behind our back: ${summary(changed)}`);
      } catch (err) {
        this.log.error({ event: 'address-error', action: 'reconcile', code: (err as BallastError).code, err: (err as Error).message }, `cannot reconcile the addresses: ${(err as Error).message}`);
      }
    });
  }

  private pollDrainFile(): void {
    const file = this.config.drainFile;
    let reason: string | null = null;
    if (file !== null) {
      try {
        const text = readFileSync(file, 'utf8').trim().split('\n')[0]?.trim() ?? '';
        reason = text === '' ? `drain file ${file}` : text.slice(0, 200);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Absent is the normal case; anything else (EACCES...) is safer read as "drained".
        if (code !== 'ENOENT' && code !== 'ENOTDIR') reason = `drain file ${file} unreadable (${code ?? 'error'})`;
      }
    }
    this.apply({ type: 'drain-file', reason });
  }

  /** Command drains survive a restart of the checker (not a reboot: the file lives in /run). */
  private drainStatePath(): string {
    return join(this.config.runtimeDir, DRAIN_STATE_FILE);
  }

  private saveDrains(): void {
    const drains: Record<string, string> = {};
    for (const s of this.state.services) if (s.drains.command) drains[s.name] = s.drains.command.reason;
    const path = this.drainStatePath();
    if (Object.keys(drains).length === 0) {
      rmSync(path, { force: true });
      return;
    }
    writeFileSync(`${path}.tmp`, `${JSON.stringify({ drains }, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }

  private loadDrains(): [string, string][] {
    let text: string;
    try {
      text = readFileSync(this.drainStatePath(), 'utf8');
    } catch {
      return [];
    }
    try {
      const { drains } = JSON.parse(text) as { drains: Record<string, unknown> };
      return Object.entries(drains).filter((e): e is [string, string] => typeof e[1] === 'string' && this.specs.some((s) => s.name === e[0]));
    } catch {
      this.log.warn({ event: 'drain-state-unreadable', file: this.drainStatePath() }, 'ignoring an unreadable drain state file');
      return [];
    }
  }
}

function summary(results: readonly AddressResult[]): string {
  return results.map((r) => `${r.prefix} ${r.change}`).join(', ');
}
