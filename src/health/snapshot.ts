/**
 * The checker's state as plain data: what `ballast health status --json` prints and what the
 * metrics exporter reads (per-check status, last duration, transition counts). Pure.
 */
import type { CheckStatus, Drain, HealthState, Verdict } from './machine.js';
import type { CheckConfig, HealthConfig } from './types.js';

export interface CheckSnapshot {
  readonly name: string;
  readonly type: CheckConfig['probe']['type'];
  /** host:port, URL or argv, for people reading status. */
  readonly target: string;
  readonly status: CheckStatus;
  readonly since: string;
  readonly okStreak: number;
  readonly failStreak: number;
  readonly runs: number;
  readonly failures: number;
  readonly transitions: { readonly up: number; readonly down: number };
  readonly last: { readonly ok: boolean; readonly at: string; readonly durationSeconds: number; readonly detail: string } | null;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly rise: number;
  readonly fall: number;
}

export interface ServiceSnapshot {
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly verdict: Verdict;
  /** true: the addresses are announced; false: withdrawn; null: not decided yet (left as found). */
  readonly inRotation: boolean | null;
  readonly drained: boolean;
  readonly drains: { readonly command: DrainSnapshot | null; readonly file: DrainSnapshot | null };
  readonly probation: boolean;
  readonly checks: readonly CheckSnapshot[];
}

export interface DrainSnapshot {
  readonly reason: string;
  readonly since: string;
}

export interface HealthSnapshot {
  readonly schemaVersion: 1;
  readonly pid: number;
  readonly startedAt: string;
  readonly configFile: string;
  readonly interface: string;
  readonly onExit: HealthConfig['onExit'];
  readonly drainFile: string | null;
  readonly dryRun: boolean;
  readonly services: readonly ServiceSnapshot[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const drain = (d: Drain | null): DrainSnapshot | null => (d === null ? null : { reason: d.reason, since: iso(d.since) });

export function targetOf(check: CheckConfig): string {
  const p = check.probe;
  switch (p.type) {
    case 'tcp':
      return `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
    case 'http':
      return p.url;
    case 'command':
      return p.argv.join(' ');
  }
}

export function buildSnapshot(config: HealthConfig, state: HealthState, meta: { pid: number; startedAt: number; dryRun: boolean }): HealthSnapshot {
  return {
    schemaVersion: 1,
    pid: meta.pid,
    startedAt: iso(meta.startedAt),
    configFile: config.file,
    interface: config.interface,
    onExit: config.onExit,
    drainFile: config.drainFile,
    dryRun: meta.dryRun,
    services: state.services.map((s) => {
      const spec = config.services.find((c) => c.name === s.name);
      return {
        name: s.name,
        prefixes: s.prefixes,
        verdict: s.verdict,
        inRotation: s.announced,
        drained: s.drains.command !== null || s.drains.file !== null,
        drains: { command: drain(s.drains.command), file: drain(s.drains.file) },
        probation: s.probation,
        checks: s.checks.map((c) => {
          const cfg = spec?.checks.find((k) => k.name === c.name);
          return {
            name: c.name,
            type: cfg?.probe.type ?? 'tcp',
            target: cfg ? targetOf(cfg) : '',
            status: c.status,
            since: iso(c.since),
            okStreak: c.okStreak,
            failStreak: c.failStreak,
            runs: c.runs,
            failures: c.failures,
            transitions: c.transitions,
            last: c.last === null ? null : { ok: c.last.ok, at: iso(c.last.at), durationSeconds: c.last.durationMs / 1000, detail: c.last.detail },
            intervalSeconds: (cfg?.intervalMs ?? 0) / 1000,
            timeoutSeconds: (cfg?.timeoutMs ?? 0) / 1000,
            rise: cfg?.rise ?? 0,
            fall: cfg?.fall ?? 0,
          };
        }),
      };
    }),
  };
}
