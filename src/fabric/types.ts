/**
 * The fabric as the planner and the lab see it: spines, leaves, servers, anycast services and the
 * leaf policy. Plain readonly data; loading and validation live in load.ts.
 */
import type { Prefix } from './prefix.js';
import type { FrrVersion, WeightModel } from './weight-model.js';

export { WEIGHT_MODELS, type FrrVersion, type WeightModel } from './weight-model.js';

/**
 * What a router does when some multipaths carry no link-bandwidth.
 * - `ecmp-fallback`: FRR's default, the whole route falls back to plain ECMP.
 * - `skip-missing`: `bgp bestpath bandwidth skip-missing`, paths without a value leave the FIB.
 * - `default-weight-for-missing`: paths without a value get weight 1.
 */
export const MISSING_BANDWIDTH = ['ecmp-fallback', 'skip-missing', 'default-weight-for-missing'] as const;
export type MissingBandwidth = (typeof MISSING_BANDWIDTH)[number];

export const SERVER_STATES = ['up', 'down', 'drained'] as const;
export type ServerState = (typeof SERVER_STATES)[number];

/** What a leaf puts on its advertisement to the spines. */
export const STRATEGIES = ['ecmp', 'num-multipaths', 'ballast'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/**
 * What a what-if evaluates: the whole fabric on one strategy, or `configured`, every leaf on its
 * own (`strategy:` in the fixture, a rollout's mixed fleet).
 */
export type FleetStrategy = Strategy | 'configured';
export const FLEET_STRATEGIES = [...STRATEGIES, 'configured'] as const;

/** What whatif and plan show by default: the three side by side, and `configured` when a leaf sets `strategy:`. */
export function defaultStrategies(fabric: { readonly leaves: readonly { readonly strategy?: Strategy }[] }): FleetStrategy[] {
  return fabric.leaves.some((l) => l.strategy !== undefined) ? [...STRATEGIES, 'configured'] : [...STRATEGIES];
}

export const POLICY_MODES = ['link-bandwidth', 'prepend', 'link-bandwidth+prepend'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** FRR's `set extcommunity bandwidth` range, in Mbps. */
export const MAX_BANDWIDTH_MBPS = 25600;

export interface Spine {
  readonly name: string;
  readonly asn: number;
  /** The FRR version the fixture names for this router (own or from defaults); absent when unsaid. */
  readonly frr?: FrrVersion;
  /** From `weights:` when given (an override), else from `frr` (weightModelFor), else frr8. */
  readonly weights: WeightModel;
  readonly missingBandwidth: MissingBandwidth;
  /** Relative share of client traffic that enters the fabric through this spine. */
  readonly ingress: number;
  /** The pod it belongs to (`pod:`); required when the fabric has super-spines. */
  readonly pod?: string;
}

/**
 * A router of the tier above the pods (`superspines:`): it peers with every spine and weights them
 * by the link-bandwidth sum each re-advertises; a border router above it receives client traffic.
 */
export interface SuperSpine {
  readonly name: string;
  readonly asn: number;
  readonly frr?: FrrVersion;
  readonly weights: WeightModel;
  readonly missingBandwidth: MissingBandwidth;
}

export interface Leaf {
  readonly name: string;
  readonly asn: number;
  /** The spines it attaches to, each once. */
  readonly spines: readonly string[];
  /**
   * One entry per link (BGP session) toward a spine, in fixture order: a spine named twice is two
   * parallel links. Absent means one link to each of `spines`.
   */
  readonly links?: readonly string[];
  readonly frr?: FrrVersion;
  /** How the leaf weights its own ECMP toward its servers when their paths carry link-bandwidth. */
  readonly weights: WeightModel;
  /** Total uplink capacity toward the spines, in the fabric's unit; informational. */
  readonly uplinkCapacity?: number;
  /** The pod it belongs to; without `spines:` it attaches to its pod's spines. */
  readonly pod?: string;
  /**
   * What the leaf (and its servers) run, when the fixture says (`strategy:`, own or from defaults):
   * `ballast`, FRR's `num-multipaths`, or `ecmp` (no policy: no link-bandwidth at all). Only the
   * `configured` evaluation reads it; unsaid means ballast there.
   */
  readonly strategy?: Strategy;
}

/** The strategy a leaf runs under an evaluation: its own for `configured`, else the fabric-wide one. */
export function leafStrategy(leaf: Leaf, strategy: FleetStrategy): Strategy {
  return strategy === 'configured' ? (leaf.strategy ?? 'ballast') : strategy;
}

export interface Server {
  readonly name: string;
  readonly leaf: string;
  readonly asn: number;
  /** Servers weight nothing, but the lab runs their FRR too. */
  readonly frr?: FrrVersion;
  /** How much load the server can carry, in the fabric's unit. */
  readonly capacity: number;
  /** Canonical prefix texts this server announces. */
  readonly prefixes: readonly string[];
  readonly state: ServerState;
}

export interface Service {
  readonly prefix: Prefix;
  /** Offered load, in the fabric's unit. */
  readonly load: number;
}

export interface Damping {
  /** A capacity increase is advertised only after it has held this long. */
  readonly holdDownSeconds: number;
  /** At most one advertisement change per prefix per interval. */
  readonly minIntervalSeconds: number;
  /** Changes of the link-bandwidth value smaller than this fraction are ignored. */
  readonly minChangeFraction: number;
}

export interface LeafPolicy {
  readonly mode: PolicyMode;
  /** Link-bandwidth Mbps advertised per unit of live capacity; fabric-wide so leaves stay comparable. */
  readonly mbpsPerUnit: number;
  /** Whether mbpsPerUnit was derived from the fabric rather than set by the user. */
  readonly mbpsPerUnitDerived: boolean;
  /** Put link-bandwidth on each server's path as well, so the leaf splits its own ECMP by capacity. */
  readonly weightServers: boolean;
  /** Prepend (leave the spines' ECMP set) when live capacity falls below this fraction of configured. */
  readonly prependBelowFraction: number;
  /** ... or when fewer than this many servers are healthy. */
  readonly prependBelowServers: number;
  readonly prependLength: number;
  readonly damping: Damping;
}

export interface Fabric {
  readonly name: string;
  /** The unit of capacity and load, a label only (Gbps, krps, ...). */
  readonly unit: string;
  readonly spines: readonly Spine[];
  /** A 5-stage Clos when present: every super-spine peers with every spine, traffic enters above them. */
  readonly superspines?: readonly SuperSpine[];
  readonly leaves: readonly Leaf[];
  readonly servers: readonly Server[];
  readonly services: readonly Service[];
  readonly policy: LeafPolicy;
}
