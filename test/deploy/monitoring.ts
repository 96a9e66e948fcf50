/**
 * The metric names the shipped Prometheus rules and Grafana dashboard query, and the names ballast
 * exports (read from the real registries, so a renamed metric fails the tests that use this).
 */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import type { AgentApi } from '../../src/api/agent-api.js';
import { newRegistry, registerAgentMetrics, registerHealthMetrics } from '../../src/api/metrics.js';
import { registerObserverMetrics, registerVerifyMetrics } from '../../src/api/observer-metrics.js';

export const RULES = 'deploy/prometheus/ballast.rules.yml';
export const DASHBOARD = 'deploy/grafana/ballast-dashboard.json';

/** Every PromQL expression of the rules file and of the dashboard's panels and variables. */
export function queriedExpressions(): { rules: string[]; dashboard: string[] } {
  const rules = [...readFileSync(RULES, 'utf8').matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!.trim());
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[]; templating: { list: { definition?: string }[] } };
  const dashboard = [...dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...dash.templating.list.flatMap((v) => (v.definition ? [v.definition] : []))];
  return { rules, dashboard };
}

/** Metric names in PromQL: ballast_* and up; histogram series suffixes folded into their family. */
export function metricNames(expr: string): string[] {
  const names = [...expr.matchAll(/\b(ballast_[a-z0-9_]+|up)\b(?=\s*[{[),\s*=<>!]|$)/g)].map((m) => m[1]!);
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

/** What ballast exports: agent, observer, verify and health checker registries together. */
export async function exportedNames(): Promise<Set<string>> {
  const observer = new Registry();
  const verify = new Registry();
  const api: AgentApi = {
    state: () => ({ leaf: 'leaf1', asn: 1, mbpsPerUnit: 1, dryRun: false, startedAt: 0, leafDrained: false, leafDrainReason: '', frrErrorsTotal: 0, driftTotal: 0, prefixes: [], spines: [] }),
    subscribe: () => () => {},
    drain: async () => ({ drained: [], leafDrained: false }),
    undrain: async () => ({ drained: [], leafDrained: false }),
    whatIf: () => [],
  };
  const agent = newRegistry('agent');
  registerAgentMetrics(agent, api);
  registerObserverMetrics(observer, api.state, () => null);
  registerVerifyMetrics(verify, () => ({ comparisons: [], findings: [], lastRunAt: null, runs: { equal: 0, mismatch: 0, error: 0 } }));
  const health = new Registry();
  registerHealthMetrics(health, () => ({ services: [] }) as never);
  const names = await Promise.all([agent, observer, verify, health].map(async (r) => (await r.getMetricsAsJSON()).map((m) => m.name)));
  return new Set([...names.flat(), 'up']);
}
