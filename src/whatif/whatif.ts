/**
 * The what-if: one scenario, every strategy side by side, per prefix. Produces the report that the
 * text and JSON renderers print, one prefix at a time (whatifPrefixes), so a 24,576-server fabric
 * streams instead of being held whole; its JSON form is a stable, versioned schema.
 */
import { leafStrategy, type Fabric, type FleetStrategy, type Strategy, type WeightModel } from '../fabric/types.js';
import type { FabricIndex, Liveness } from '../forwarding/fabric-index.js';
import type { PrefixForwarding } from '../forwarding/shares.js';
import { evaluateFabricPrefix } from '../forwarding/tiers.js';
import type { Advertisement } from '../policy/advertisement.js';
import { loadMetrics, type LoadMetrics } from './metrics.js';
import { quantizationCheck } from './quantization.js';
import type { Failure } from './scenario.js';
import { defaultSelection, selectionText, selectServers, type ServerSelection } from './select.js';

/**
 * 2: servers chosen by --servers (every one up to 64 servers), per-leaf aggregates, each server's
 * leafWeight, and spineWeights as an array aligned with the report's `spines` (1: a record).
 */
export const WHATIF_SCHEMA_VERSION = 2;

export interface ServerRow {
  readonly name: string;
  readonly leaf: string;
  readonly capacity: number;
  /** up, or why not: down / drained (fixture state), failed (scenario), unreachable (its leaf is down). */
  readonly status: 'up' | 'down' | 'drained' | 'failed' | 'unreachable';
  readonly share: number;
  readonly load: number;
  readonly utilization: number;
  readonly idealShare: number;
  /** The kernel weight the leaf installs toward this server (0: not installed). */
  readonly leafWeight: number;
}

export interface LeafRow {
  readonly name: string;
  /** The strategy the leaf runs in this evaluation (its own under `configured`). */
  readonly strategy: Strategy;
  readonly advertisement: Advertisement;
  readonly reason: string;
  readonly share: number;
  /**
   * Kernel weight this leaf gets on each spine (0 = not installed), aligned with the report's
   * `spines`; null for a spine the leaf has no link to. An array, not a record by spine name: on
   * 64 spines x 512 leaves the records were 4.5x the bytes and 5x the time of the whole report.
   */
  readonly spineWeights: readonly (number | null)[];
  /** Servers announcing the prefix behind this leaf: live ones, and all configured. */
  readonly liveServers: number;
  readonly configuredServers: number;
  readonly liveCapacity: number;
  /** Load the leaf passes to its servers, and that over their live capacity. */
  readonly load: number;
  readonly utilization: number;
  /** The highest utilization of one of its live servers (0 without any). */
  readonly maxUtilization: number;
}

export interface QuantizationCheck {
  /** The first spine's model; `versions` names the spines' FRR versions in words (all of them when mixed). */
  readonly model: WeightModel;
  readonly versions: string;
  /** The worst max/ideal ratio quantization alone can explain in this scenario. */
  readonly bound: number;
  readonly within: boolean;
  /** Set when the check does not apply (spines ignore link-bandwidth, or the policy withdrew a leaf on purpose). */
  readonly note?: string;
}

export interface StrategyResult extends LoadMetrics {
  /** A strategy the whole fabric runs, or `configured`: each leaf its own fixture strategy. */
  readonly name: FleetStrategy;
  readonly servers: ServerRow[];
  readonly leaves: LeafRow[];
  readonly overloaded: string[];
  /** No traffic reaches a live server (every server, leaf or spine on the way is down). */
  readonly outage: boolean;
  readonly quantization?: QuantizationCheck;
}

export interface PrefixReport {
  readonly prefix: string;
  readonly offeredLoad: number;
  readonly liveCapacity: number;
  readonly liveServers: number;
  /** Servers announcing the prefix; `strategies[].servers` lists those --servers chose. */
  readonly totalServers: number;
  readonly strategies: StrategyResult[];
}

/** What a report says before its prefixes (the JSON stream writes it first). */
export interface WhatifHeader {
  readonly schemaVersion: typeof WHATIF_SCHEMA_VERSION;
  readonly fixture: string;
  readonly fabric: string;
  readonly unit: string;
  readonly failed: string[];
  readonly mbpsPerUnit: number;
  /** Spine names, in fixture order: what each leaf row's spineWeights is aligned with. */
  readonly spines: string[];
  /** `all`, `top:N` or `overloaded`: which servers each strategy lists. */
  readonly servers: string;
  /** The strategy whose overloads decide the exit code. */
  readonly deciding: FleetStrategy;
}

export interface WhatifVerdict {
  readonly overloaded: boolean;
  /** Prefixes that reach no live server under the deciding strategy: an outage, not a quiet fabric. */
  readonly outage: string[];
}

export interface WhatifReport extends WhatifHeader, WhatifVerdict {
  readonly prefixes: PrefixReport[];
}

export interface WhatifOptions {
  readonly fixture: string;
  readonly failures: readonly Failure[];
  readonly live: Liveness;
  readonly strategies: readonly FleetStrategy[];
  /** Overrides every service's offered load. */
  readonly load?: number;
  /** Which servers to list; by default every one on small fabrics, the 20 most loaded on large ones. */
  readonly servers?: ServerSelection;
}

export function runWhatif(index: FabricIndex, options: WhatifOptions): WhatifReport {
  const header = whatifHeader(index, options);
  const prefixes = [...whatifPrefixes(index, options)];
  return { ...header, prefixes, ...verdict(header.deciding, prefixes) };
}

export function whatifHeader(index: FabricIndex, options: WhatifOptions): WhatifHeader {
  const { fabric } = index;
  return {
    schemaVersion: WHATIF_SCHEMA_VERSION,
    fixture: options.fixture,
    fabric: fabric.name,
    unit: fabric.unit,
    failed: options.failures.map((f) => f.name),
    mbpsPerUnit: fabric.policy.mbpsPerUnit,
    spines: fabric.spines.map((s) => s.name),
    servers: selectionText(selection(fabric, options)),
    deciding: decidingStrategy(options.strategies),
  };
}

/**
 * Whose overloads decide the exit status: the fleet as configured when shown (what will happen),
 * else ballast, else the first strategy shown.
 */
export function decidingStrategy(strategies: readonly FleetStrategy[]): FleetStrategy {
  if (strategies.includes('configured')) return 'configured';
  return strategies.includes('ballast') ? 'ballast' : (strategies[0] ?? 'ballast');
}

/**
 * The prefixes one at a time: each is evaluated under every strategy, reported, and let go.
 * Prefixes announced by exactly the same servers forward alike whatever their offered load, so
 * they share one evaluation (the generated 24,576-server fabric has 16 such prefixes); it is kept
 * only until the last prefix that needs it.
 */
export function* whatifPrefixes(index: FabricIndex, options: WhatifOptions): Generator<PrefixReport> {
  const chosen = selection(index.fabric, options);
  const same = sameServers(index);
  const lastUse = new Map<number, number>();
  same.forEach((r, pi) => lastUse.set(r, pi));
  const kept = new Map<number, Evaluated[]>();
  for (let pi = 0; pi < index.prefixes.length; pi++) {
    const r = same[pi]!;
    const evaluated = kept.get(r) ?? options.strategies.map((name) => evaluate(index, r, name, options.live));
    if (lastUse.get(r)! > pi) kept.set(r, evaluated);
    else kept.delete(r);
    yield prefixReport(index, pi, options, chosen, evaluated);
  }
}

/** Per prefix, the first prefix announced by exactly the same servers (itself if none). */
export function sameServers(index: FabricIndex): number[] {
  const byHash = new Map<number, number[]>();
  return index.prefixes.map((p, pi) => {
    let h = 0x811c9dc5;
    for (let k = 0; k < p.servers.length; k++) h = Math.imul(h ^ p.servers[k]!, 0x01000193);
    const bucket = byHash.get(h) ?? [];
    byHash.set(h, bucket);
    const hit = bucket.find((q) => equalArrays(index.prefixes[q]!.servers, p.servers));
    if (hit !== undefined) return hit;
    bucket.push(pi);
    return pi;
  });
}

function equalArrays(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Overload and outage under the deciding strategy, over the prefixes seen so far. */
export function verdict(deciding: FleetStrategy, prefixes: Iterable<PrefixReport>): WhatifVerdict {
  let overloaded = false;
  const outage: string[] = [];
  for (const p of prefixes) {
    const s = p.strategies.find((x) => x.name === deciding);
    if (!s) continue;
    if (s.overloaded.length > 0) overloaded = true;
    if (s.outage) outage.push(p.prefix);
  }
  return { overloaded, outage };
}

/** A prefix's report without its rows: what a streamed report keeps for its verdict. */
export function withoutRows(p: PrefixReport): PrefixReport {
  return { ...p, strategies: p.strategies.map((s) => ({ ...s, servers: [], leaves: [] })) };
}

function selection(fabric: Fabric, options: WhatifOptions): ServerSelection {
  return options.servers ?? defaultSelection(fabric.servers.length);
}

/** One strategy on one prefix, everything that does not depend on the offered load. */
interface Evaluated {
  readonly name: FleetStrategy;
  readonly fwd: PrefixForwarding;
  /** Load metrics at an offered load of 1 (only maxUtilization scales with the load). */
  readonly perUnit: LoadMetrics;
  readonly share: Float64Array;
  readonly live: Uint8Array;
  readonly delivered: number;
  readonly quantization?: QuantizationCheck;
  /** Per leaf: spine weights (the rows' spineWeights), live servers and capacity, highest share / capacity. */
  readonly leafSpineWeights: (number | null)[][];
  readonly leafLive: Int32Array;
  readonly leafCapacity: Float64Array;
  readonly leafPeak: Float64Array;
}

function prefixCapacity(index: FabricIndex, pi: number): Float64Array {
  const p = index.prefixes[pi]!;
  const capacity = new Float64Array(p.servers.length);
  for (let k = 0; k < capacity.length; k++) capacity[k] = index.serverCapacity[p.servers[k]!]!;
  return capacity;
}

function evaluate(index: FabricIndex, pi: number, name: FleetStrategy, live: Liveness): Evaluated {
  const { fabric } = index;
  const p = index.prefixes[pi]!;
  const capacity = prefixCapacity(index, pi);
  // With super-spines the spines' ingress comes from the tiers above (forwarding/tiers.ts).
  const fwd = evaluateFabricPrefix(index, pi, name, live).f;
  const perUnit = loadMetrics(fwd.serverShare, capacity, fwd.serverLive, 1);
  let delivered = 0;
  for (let k = 0; k < p.servers.length; k++) if (fwd.serverLive[k]) delivered += fwd.serverShare[k]!;
  const attached = spinePositions(index);
  const nLeaves = fabric.leaves.length;
  const leafSpineWeights: (number | null)[][] = new Array(nLeaves);
  const leafLive = new Int32Array(nLeaves);
  const leafCapacity = new Float64Array(nLeaves);
  const leafPeak = new Float64Array(nLeaves);
  for (let l = 0; l < nLeaves; l++) {
    const w: (number | null)[] = new Array<number | null>(fabric.spines.length).fill(null);
    for (const [s, k] of attached[l]!) w[s] = fwd.spineWeights[s]![k]!;
    leafSpineWeights[l] = w;
    for (let k = p.leafStart[l]!; k < p.leafStart[l + 1]!; k++) {
      if (!fwd.serverLive[k]) continue;
      leafLive[l]!++;
      leafCapacity[l]! += capacity[k]!;
      leafPeak[l] = Math.max(leafPeak[l]!, fwd.serverShare[k]! / capacity[k]!);
    }
  }
  const quantization = name === 'ballast' ? quantizationCheck(index, pi, fwd, capacity, perUnit, live) : undefined;
  return { name, fwd, perUnit, share: fwd.serverShare, live: fwd.serverLive, delivered, ...(quantization ? { quantization } : {}), leafSpineWeights, leafLive, leafCapacity, leafPeak };
}

function prefixReport(index: FabricIndex, pi: number, options: WhatifOptions, chosen: ServerSelection, evaluated: readonly Evaluated[]): PrefixReport {
  const p = index.prefixes[pi]!;
  const offeredLoad = options.load ?? p.service.load;
  const capacity = prefixCapacity(index, pi);
  const shown = selectServers(chosen, evaluated, capacity, offeredLoad);
  const strategies = evaluated.map((e) => strategyResult(index, pi, e, options.live, offeredLoad, capacity, shown));
  const first = evaluated[0];
  let liveServers = 0;
  if (first) for (let k = 0; k < first.live.length; k++) liveServers += first.live[k]!;
  return {
    prefix: p.service.prefix.text,
    offeredLoad,
    liveCapacity: first?.perUnit.liveCapacity ?? 0,
    liveServers,
    totalServers: p.servers.length,
    strategies,
  };
}

function strategyResult(index: FabricIndex, pi: number, e: Evaluated, live: Liveness, offeredLoad: number, capacity: Float64Array, shown: readonly number[]): StrategyResult {
  const { fabric } = index;
  const p = index.prefixes[pi]!;
  const { fwd } = e;
  // loadMetrics's own product (offeredLoad * highest share per capacity), so the figures are exact.
  const metrics: LoadMetrics = { ...e.perUnit, maxUtilization: offeredLoad * e.perUnit.maxUtilization };
  const overloaded: string[] = [];
  for (let k = 0; k < p.servers.length; k++) {
    if (fwd.serverLive[k] && (fwd.serverShare[k]! * offeredLoad) / capacity[k]! > 1 + 1e-9) overloaded.push(fabric.servers[p.servers[k]!]!.name);
  }
  const servers = shown.map((k): ServerRow => {
    const s = p.servers[k]!;
    const server = fabric.servers[s]!;
    const share = fwd.serverShare[k]!;
    const isLive = fwd.serverLive[k] === 1;
    return {
      name: server.name,
      leaf: server.leaf,
      capacity: server.capacity,
      status: isLive ? 'up' : serverStatus(index, live, s),
      share,
      load: share * offeredLoad,
      utilization: (share * offeredLoad) / server.capacity,
      idealShare: isLive && metrics.liveCapacity > 0 ? server.capacity / metrics.liveCapacity : 0,
      leafWeight: fwd.leafWeights[k]!,
    };
  });
  const leaves = fabric.leaves.map((leaf, l): LeafRow => {
    const load = fwd.leafShare[l]! * offeredLoad;
    const liveCapacity = e.leafCapacity[l]!;
    return {
      name: leaf.name,
      strategy: leafStrategy(leaf, e.name),
      advertisement: fwd.advertisements[l]!,
      reason: fwd.reasons[l]!,
      share: fwd.leafShare[l]!,
      spineWeights: e.leafSpineWeights[l]!,
      liveServers: e.leafLive[l]!,
      configuredServers: p.configuredServers[l]!,
      liveCapacity,
      load,
      utilization: liveCapacity > 0 ? load / liveCapacity : 0,
      maxUtilization: offeredLoad * e.leafPeak[l]!,
    };
  });
  return { name: e.name, ...metrics, servers, leaves, overloaded, outage: e.delivered < 1e-9, ...(e.quantization ? { quantization: e.quantization } : {}) };
}

const positions = new WeakMap<FabricIndex, [number, number][][]>();

/**
 * Per leaf: [spine, the leaf's position in that spine's spineLeaves], built once per index rather
 * than searched per leaf and spine.
 */
function spinePositions(index: FabricIndex): [number, number][][] {
  let out = positions.get(index);
  if (out) return out;
  const made: [number, number][][] = index.fabric.leaves.map(() => []);
  index.spineLeaves.forEach((leaves, s) => leaves.forEach((l, k) => made[l]!.push([s, k])));
  positions.set(index, made);
  return made;
}

function serverStatus(index: FabricIndex, live: Liveness, s: number): ServerRow['status'] {
  const state = index.fabric.servers[s]!.state;
  if (state !== 'up') return state;
  if (!live.server[s]) return 'failed';
  return 'unreachable';
}
