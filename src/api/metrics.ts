/**
 * Prometheus metrics for the agent and the health checker, served on 127.0.0.1 only. Values are read
 * from the daemons' own snapshots at scrape time (no second copy of the state to drift), except
 * per-event counters, which count as events happen. Names: `ballast_` prefix, base units, counters
 * end in `_total`, labels only from bounded sets (configured prefixes, service and check names).
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from './prom.js';
import type { HealthSnapshot } from '../health/snapshot.js';
import { BallastError } from '../util/errors.js';
import type { AgentApi } from './agent-api.js';
import { FRR_FAULT_KINDS } from '../agent/frr-faults.js';

export const VERSION = '0.1.0';

export function newRegistry(component: 'agent' | 'health' | 'observer' | 'verify'): Registry {
  const registry = new Registry();
  const info = new Gauge({ name: 'ballast_build_info', help: 'Build information; always 1.', labelNames: ['version', 'node', 'component'], registers: [registry] });
  info.set({ version: VERSION, node: process.version, component }, 1);
  return registry;
}

/** Cumulative values kept by the daemon: expose them as counters without double counting. */
export function cumulative(counter: Counter<string>, values: Iterable<[Record<string, string>, number]>): void {
  counter.reset();
  for (const [labels, v] of values) if (v > 0) counter.inc(labels, v);
}

/** `ballast_frr_errors_total`, the same for the agent and the observer. */
export function registerFrrErrors(registry: Registry, total: () => number): void {
  new Counter({
    name: 'ballast_frr_errors_total',
    help: 'vtysh calls that failed, hung or returned something unparseable.',
    registers: [registry],
    collect() {
      cumulative(this, [[{}, total()]]);
    },
  });
}

export interface AgentMetrics {
  /** Wrap the FRR runner so every vtysh call is timed and failures counted. */
  timeVtysh<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R>;
  /** Stop listening to the agent's events. */
  dispose(): void;
}

export function registerAgentMetrics(registry: Registry, api: AgentApi): AgentMetrics {
  const state = () => api.state();
  new Gauge({
    name: 'ballast_prefix_healthy_servers',
    help: 'Healthy server paths the leaf sees for the prefix.',
    labelNames: ['prefix'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of state().prefixes) this.set({ prefix: p.prefix }, p.healthyCount);
    },
  });
  new Gauge({
    name: 'ballast_prefix_live_capacity',
    help: "Live capacity behind the leaf for the prefix, in the fabric's capacity unit.",
    labelNames: ['prefix'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of state().prefixes) this.set({ prefix: p.prefix }, p.liveCapacity);
    },
  });
  new Gauge({
    name: 'ballast_prefix_advertised',
    help: 'Whether the leaf advertises the prefix to its spines (0 when withdrawn).',
    labelNames: ['prefix'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of state().prefixes) this.set({ prefix: p.prefix }, p.current?.kind === 'advertise' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ballast_prefix_link_bandwidth_bytes_per_second',
    help: 'Link-bandwidth extended community the leaf advertises (bytes/s as on the wire; absent when none).',
    labelNames: ['prefix'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of state().prefixes) if (p.current?.kind === 'advertise' && p.current.bandwidthMbps !== null) this.set({ prefix: p.prefix }, p.current.bandwidthMbps * 125000);
    },
  });
  new Gauge({
    name: 'ballast_prefix_prepend_length',
    help: 'Copies of the leaf AS prepended toward the spines.',
    labelNames: ['prefix'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of state().prefixes) this.set({ prefix: p.prefix }, p.current?.kind === 'advertise' ? p.current.prepend : 0);
    },
  });
  new Gauge({
    name: 'ballast_prefix_damping_held',
    help: 'Whether damping is holding back a change for the prefix (1) or not (0).',
    labelNames: ['prefix'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of state().prefixes) this.set({ prefix: p.prefix }, p.hold === 'none' ? 0 : 1);
    },
  });
  new Gauge({
    name: 'ballast_agent_phase',
    help: 'The agent phase: 1 for the current one (waiting-for-frr, running, stopped), else 0.',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      const phase = state().agentPhase ?? 'running';
      for (const p of ['waiting-for-frr', 'running', 'stopped']) this.set({ phase: p }, p === phase ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ballast_agent_frr_faults',
    help: "FRR's own faults noticed now, by kind (vtysh-timeout, spine-session-down, kernel-route-missing).",
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const faults = state().frrFaults ?? [];
      for (const kind of FRR_FAULT_KINDS) this.set({ kind }, faults.filter((f) => f.kind === kind).length);
    },
  });
  new Counter({
    name: 'ballast_frr_restarts_total',
    help: 'Times bgpd or zebra came back with another PID (each starts a fresh adoption).',
    registers: [registry],
    collect() {
      cumulative(this, [[{}, state().frrRestartsTotal ?? 0]]);
    },
  });
  new Counter({
    name: 'ballast_drift_total',
    help: 'Times configuration the agent owns was found changed by someone else and restored.',
    registers: [registry],
    collect() {
      cumulative(this, [[{}, state().driftTotal]]);
    },
  });
  registerFrrErrors(registry, () => state().frrErrorsTotal);
  const decisions = new Counter({ name: 'ballast_decisions_total', help: 'Decisions by prefix and reason.', labelNames: ['prefix', 'reason'], registers: [registry] });
  const changes = new Counter({ name: 'ballast_advertisement_changes_total', help: 'Decisions that changed the advertisement.', labelNames: ['prefix'], registers: [registry] });
  const holds = new Counter({ name: 'ballast_damping_holds_total', help: 'Decisions damping held back, by kind of hold.', labelNames: ['prefix', 'hold'], registers: [registry] });
  const vtysh = new Histogram({
    name: 'ballast_vtysh_call_duration_seconds',
    help: 'Wall time of one vtysh invocation.',
    labelNames: ['outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const unsubscribe = api.subscribe((e) => {
    if (e.kind !== 'decision') return;
    const r = e.record;
    decisions.inc({ prefix: r.prefix, reason: r.reason });
    if (r.changed) changes.inc({ prefix: r.prefix });
    if (r.hold !== 'none') holds.inc({ prefix: r.prefix, hold: r.hold });
  });
  return {
    timeVtysh(fn) {
      return async (...args) => {
        const end = vtysh.startTimer();
        try {
          const r = await fn(...args);
          end({ outcome: 'ok' });
          return r;
        } catch (err) {
          end({ outcome: 'error' });
          throw err;
        }
      };
    },
    dispose: unsubscribe,
  };
}

export function registerHealthMetrics(registry: Registry, snapshot: () => HealthSnapshot): void {
  const checks = function* () {
    for (const s of snapshot().services) for (const c of s.checks) yield { service: s.name, check: c.name, c };
  };
  new Gauge({
    name: 'ballast_health_check_up',
    help: 'Check state: 1 passing, 0 failing (after rise/fall).',
    labelNames: ['service', 'check'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { service, check, c } of checks()) if (c.status !== 'init') this.set({ service, check }, c.status === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ballast_health_check_last_duration_seconds',
    help: 'How long the last run of the check took.',
    labelNames: ['service', 'check'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { service, check, c } of checks()) if (c.last) this.set({ service, check }, c.last.durationSeconds);
    },
  });
  new Counter({
    name: 'ballast_health_check_runs_total',
    help: 'Check runs.',
    labelNames: ['service', 'check'],
    registers: [registry],
    collect() {
      cumulative(this, [...checks()].map(({ service, check, c }) => [{ service, check }, c.runs]));
    },
  });
  new Counter({
    name: 'ballast_health_check_failures_total',
    help: 'Check runs that failed.',
    labelNames: ['service', 'check'],
    registers: [registry],
    collect() {
      cumulative(this, [...checks()].map(({ service, check, c }) => [{ service, check }, c.failures]));
    },
  });
  new Counter({
    name: 'ballast_health_check_transitions_total',
    help: 'Check state changes, by direction.',
    labelNames: ['service', 'check', 'direction'],
    registers: [registry],
    collect() {
      cumulative(this, [...checks()].flatMap(({ service, check, c }) => [[{ service, check, direction: 'up' }, c.transitions.up], [{ service, check, direction: 'down' }, c.transitions.down]] as [Record<string, string>, number][]));
    },
  });
  new Gauge({
    name: 'ballast_health_service_in_rotation',
    help: 'Whether the service announces its anycast addresses (1) or not (0).',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of snapshot().services) if (s.inRotation !== null) this.set({ service: s.name }, s.inRotation ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ballast_health_service_drained',
    help: 'Whether the service is drained (by command or drain file).',
    labelNames: ['service'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of snapshot().services) this.set({ service: s.name }, s.drained ? 1 : 0);
    },
  });
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** GET /metrics on 127.0.0.1:port (0 picks a free port). Loopback only: metrics name the fabric. */
export async function serveMetrics(registry: Registry, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new BallastError('E_API_LISTEN', `Cannot serve metrics on 127.0.0.1:${port}: ${err.message}`)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
