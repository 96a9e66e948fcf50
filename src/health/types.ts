/**
 * The validated health-checker configuration (docs/health.md describes the YAML it comes from).
 * Durations are milliseconds here; the YAML spells them in seconds.
 */
import type { Prefix } from '../fabric/prefix.js';

export const CHECK_TYPES = ['tcp', 'http', 'command'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

export const ON_EXIT = ['withdraw', 'leave'] as const;
export type OnExit = (typeof ON_EXIT)[number];

/** What every check has, whatever it probes. */
export interface CheckTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Consecutive successes that bring a down (or starting) check up. */
  readonly rise: number;
  /** Consecutive failures that take an up check down. */
  readonly fall: number;
}

export interface TcpProbe {
  readonly type: 'tcp';
  readonly host: string;
  readonly port: number;
}

export interface HttpProbe {
  readonly type: 'http';
  /** http:// or https://; the scheme decides TLS. */
  readonly url: string;
  /** Status codes that count as a pass. */
  readonly expectStatus: readonly number[];
  /** The body must match this (a regular expression source); null: the body is not read. */
  readonly bodyMatch: string | null;
  /** https only: accept any certificate (self-signed service certificates on loopback). */
  readonly insecure: boolean;
}

export interface CommandProbe {
  readonly type: 'command';
  /** argv[0] and its arguments; run without a shell. */
  readonly argv: readonly [string, ...string[]];
}

export type Probe = TcpProbe | HttpProbe | CommandProbe;

export interface CheckConfig extends CheckTiming {
  readonly name: string;
  readonly probe: Probe;
}

export interface ServiceConfig {
  readonly name: string;
  /** Host prefixes (/32 or /128) put on the interface while the service is in rotation. */
  readonly prefixes: readonly Prefix[];
  readonly checks: readonly CheckConfig[];
}

export interface HealthConfig {
  readonly file: string;
  /** Where the anycast addresses go: `lo` unless the host has a dummy interface for them. */
  readonly interface: string;
  readonly onExit: OnExit;
  /** Present file = every service out of rotation (for configuration management); null: none. */
  readonly drainFile: string | null;
  /** Holds the control socket and the persisted drain state. */
  readonly runtimeDir: string;
  /** How often the addresses are compared with what they should be (repairs edits by hand). */
  readonly reconcileMs: number;
  /** Prometheus /metrics on 127.0.0.1:port; null: no metrics endpoint. */
  readonly metricsPort: number | null;
  readonly services: readonly ServiceConfig[];
}
