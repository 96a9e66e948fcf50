/**
 * What the gRPC layer needs from a running agent, in plain types. The service implementation maps
 * these to protobuf messages and back; the agent adapter (agent-adapter.ts) provides them. Keeping the
 * boundary here lets the API be tested against a scripted agent and the agent stay free of protobuf.
 */
import type { AgentNotice } from '../agent/notices.js';
import type { LeafPolicy } from '../fabric/types.js';
import type { Advertisement } from '../policy/advertisement.js';
import type { Hold } from '../policy/damping.js';
import type { DecisionReason } from '../policy/decide.js';

/**
 * Names follow the agent's, not the proto's: counts are `*Count` (the proto's `healthy_servers` is a
 * count in PrefixState and a list of names in Decision) and a server's BGP session is its `neighbor`
 * (the proto's `Server.peer`). agent-service.ts maps between the two.
 */
export interface ServerView {
  readonly name: string;
  readonly neighbor: string;
  readonly capacity: number;
  readonly healthy: boolean;
  readonly drained: boolean;
  readonly drainReason: string;
  /** 0 when unknown. */
  readonly asn: number;
}

/** One next hop of an installed route (observers). */
export interface InstalledNexthopView {
  /** The BGP peer behind it: its hostname, else the neighbor. */
  readonly peer: string;
  readonly interface: string;
  readonly via: string;
  readonly weight: number;
  readonly kernelWeight: number | null;
  readonly bandwidthBytes: number | null;
}

/** One valid BGP path as received (observers). */
export interface ReceivedPathView {
  readonly peer: string;
  readonly asPath: readonly number[];
  readonly multipath: boolean;
  readonly bandwidthBytes: number | null;
}

export interface PrefixView {
  readonly prefix: string;
  readonly healthyCount: number;
  readonly configuredCount: number;
  readonly liveCapacity: number;
  readonly configuredCapacity: number;
  readonly current: Advertisement | null;
  readonly target: Advertisement | null;
  readonly hold: Hold;
  readonly nextCheckAt: number | null;
  readonly raiseSince: number | null;
  readonly lastChangeAt: number | null;
  /** null before the first decision (and on observers). */
  readonly lastReason: DecisionReason | null;
  readonly driftTotal: number;
  readonly servers: readonly ServerView[];
  /** Observers: the installed route and the paths received; agents leave them out. */
  readonly installed?: readonly InstalledNexthopView[];
  readonly received?: readonly ReceivedPathView[];
}

export interface AgentStateView {
  readonly leaf: string;
  readonly asn: number;
  readonly mbpsPerUnit: number;
  readonly dryRun: boolean;
  readonly startedAt: number;
  readonly leafDrained: boolean;
  readonly leafDrainReason: string;
  readonly frrErrorsTotal: number;
  /** waiting-for-frr, running or stopped (agents); absent for an observer. */
  readonly agentPhase?: string;
  readonly frrRestartsTotal?: number;
  /** FRR's own faults noticed now (agents; frr-faults.ts). */
  readonly frrFaults?: readonly { readonly kind: string; readonly subject: string; readonly detail: string; readonly since: number }[];
  readonly driftTotal: number;
  readonly prefixes: readonly PrefixView[];
  /** The spines the leaf peers with (BGP hostnames). */
  readonly spines: readonly string[];
  /** The leaf's policy; observers have none. */
  readonly policy?: LeafPolicy;
  /** `agent` (default) or `observer`. */
  readonly role?: 'agent' | 'observer';
  /** The node's name; defaults to `leaf`. */
  readonly node?: string;
  readonly frrVersion?: string;
  readonly bestpathBandwidth?: string;
}

/**
 * What Watch streams: an agent's own notices as they are (a decision carries its DecisionRecord),
 * and an observer's installed-route changes. eventMessage (agent-service.ts) maps them to WatchResponse.
 */
export type AgentEvent = AgentNotice | { readonly kind: 'route'; readonly at: number; readonly prefix: string; readonly installed: readonly InstalledNexthopView[] };

export interface DrainView {
  readonly drained: readonly string[];
  readonly leafDrained: boolean;
}

export interface PrefixWhatIfView {
  readonly prefix: string;
  readonly current: Advertisement | null;
  readonly predicted: Advertisement;
  readonly reason: DecisionReason;
  readonly healthyCount: number;
  readonly liveCapacity: number;
}

export interface AgentApi {
  state(): AgentStateView;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: AgentEvent) => void): () => void;
  /** `server` null drains the whole leaf. Rejects with a BallastError for an unknown server. */
  drain(server: string | null, reason: string): Promise<DrainView>;
  undrain(server: string | null): Promise<DrainView>;
  /** What this leaf would advertise per prefix if these servers failed now. */
  whatIf(fail: readonly string[]): PrefixWhatIfView[];
}
