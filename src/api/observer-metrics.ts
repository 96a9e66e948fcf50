/**
 * Prometheus metrics of the observer (what a spine installed and received) and of `ballast verify
 * --watch` (whether that is what the planner predicts). Read at scrape time from the daemons' own
 * state. Labels: configured prefixes, and next hops named after the router's BGP peers (the leaves).
 */
import { Counter, Gauge, type Registry } from './prom.js';
import type { AgentStateView } from './agent-api.js';
import { cumulative, registerFrrErrors } from './metrics.js';

export function registerObserverMetrics(registry: Registry, state: () => AgentStateView, lastReadAt: () => number | null): void {
  new Gauge({
    name: 'ballast_nexthop_weight',
    help: 'Weight of an installed next hop toward a peer (the kernel when the observer runs beside it, else zebra).',
    labelNames: ['prefix', 'nexthop'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of state().prefixes) for (const h of p.installed ?? []) this.set({ prefix: p.prefix, nexthop: h.peer }, h.kernelWeight ?? h.weight);
    },
  });
  new Gauge({
    name: 'ballast_nexthop_received_bandwidth_bytes_per_second',
    help: 'Link-bandwidth received on the path from a peer, bytes/s as on the wire (absent when the path has none).',
    labelNames: ['prefix', 'nexthop'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of state().prefixes) for (const r of p.received ?? []) if (r.bandwidthBytes !== null) this.set({ prefix: p.prefix, nexthop: r.peer }, r.bandwidthBytes);
    },
  });
  new Gauge({
    name: 'ballast_route_installed_nexthops',
    help: 'Installed next hops of the route (0 when the router has no route).',
    labelNames: ['prefix'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of state().prefixes) this.set({ prefix: p.prefix }, (p.installed ?? []).length);
    },
  });
  new Gauge({
    name: 'ballast_frr_info',
    help: "The router's FRR version and bgp bestpath bandwidth setting; always 1.",
    labelNames: ['version', 'bestpath_bandwidth'],
    registers: [registry],
    collect() {
      this.reset();
      const s = state();
      if (s.frrVersion) this.set({ version: s.frrVersion, bestpath_bandwidth: s.bestpathBandwidth ?? '' }, 1);
    },
  });
  registerFrrErrors(registry, () => state().frrErrorsTotal);
  new Gauge({
    name: 'ballast_observer_last_read_timestamp_seconds',
    help: 'When the observer last read the router successfully (Unix time).',
    registers: [registry],
    collect() {
      this.reset();
      const t = lastReadAt();
      if (t !== null) this.set(t / 1000);
    },
  });
}

export interface VerifyMetricsView {
  /** One entry per compared prefix and router; mismatch true when installed differs from predicted. */
  readonly comparisons: readonly { readonly prefix: string; readonly router: string; readonly mismatch: boolean; readonly predicted: ReadonlyMap<string, number> }[];
  /** Findings by router and cause (e.g. `bestpath-bandwidth-ignore`). */
  readonly findings: readonly { readonly router: string; readonly cause: string }[];
  readonly lastRunAt: number | null;
  readonly runs: { readonly equal: number; readonly mismatch: number; readonly error: number };
}

export function registerVerifyMetrics(registry: Registry, view: () => VerifyMetricsView): void {
  new Gauge({
    name: 'ballast_prediction_mismatch',
    help: 'Whether the router installed other weights than the planner predicts for the prefix (1) or the same (0).',
    labelNames: ['prefix', 'router'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of view().comparisons) this.set({ prefix: c.prefix, router: c.router }, c.mismatch ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ballast_predicted_nexthop_weight',
    help: "The weight the planner predicts the router installs toward a leaf (compare with the observer's ballast_nexthop_weight).",
    labelNames: ['prefix', 'router', 'nexthop'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of view().comparisons) for (const [nexthop, w] of c.predicted) this.set({ prefix: c.prefix, router: c.router, nexthop }, w);
    },
  });
  new Gauge({
    name: 'ballast_verify_finding',
    help: 'A router configured against what the fabric intends (e.g. bgp bestpath bandwidth ignore); always 1.',
    labelNames: ['router', 'cause'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of view().findings) this.set({ router: f.router, cause: f.cause }, 1);
    },
  });
  new Gauge({
    name: 'ballast_verify_last_run_timestamp_seconds',
    help: 'When verify last compared the fabric with its prediction (Unix time).',
    registers: [registry],
    collect() {
      this.reset();
      const t = view().lastRunAt;
      if (t !== null) this.set(t / 1000);
    },
  });
  new Counter({
    name: 'ballast_verify_runs_total',
    help: 'Verification rounds by result.',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const r = view().runs;
      cumulative(this, [[{ result: 'equal' }, r.equal], [{ result: 'mismatch' }, r.mismatch], [{ result: 'error' }, r.error]]);
    },
  });
}
