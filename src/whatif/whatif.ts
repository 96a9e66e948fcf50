/**
 * The what-if: one scenario, every strategy side by side, per prefix. Produces the report object
 * that the text and JSON renderers print; its JSON form is a stable, versioned schema.
 */
import type { Fabric, Strategy, WeightModel } from '../fabric/types.js';
import type { FabricIndex, Liveness } from '../forwarding/fabric-index.js';
import { evaluatePrefix, type PrefixForwarding } from '../forwarding/shares.js';
import { quantizationBound } from '../forwarding/weights.js';
import { modelVersions } from '../fabric/weight-model.js';
import type { Advertisement } from '../policy/advertisement.js';
import { capacityToMbps } from '../policy/decide.js';
import { loadMetrics, type LoadMetrics } from './metrics.js';
import type { Failure } from './scenario.js';

export const WHATIF_SCHEMA_VERSION = 1;

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
}

export interface LeafRow {
  readonly name: string;
  readonly advertisement: Advertisement;
  readonly reason: string;
  readonly share: number;
  /** Kernel weight this leaf gets on each spine (0 = not installed), by spine name. */
  readonly spineWeights: Readonly<Record<string, number>>;
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
  readonly name: Strategy;
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
  readonly strategies: StrategyResult[];
}

export interface WhatifReport {
  readonly schemaVersion: typeof WHATIF_SCHEMA_VERSION;
  readonly fixture: string;
  readonly fabric: string;
  readonly unit: string;
  readonly failed: string[];
  readonly mbpsPerUnit: number;
  readonly prefixes: PrefixReport[];
  /** The strategy whose overloads decide the exit code. */
  readonly deciding: Strategy;
  readonly overloaded: boolean;
  /** Prefixes that reach no live server under the deciding strategy: an outage, not a quiet fabric. */
  readonly outage: string[];
}

export interface WhatifOptions {
  readonly fixture: string;
  readonly failures: readonly Failure[];
  readonly live: Liveness;
  readonly strategies: readonly Strategy[];
  /** Overrides every service's offered load. */
  readonly load?: number;
}

export function runWhatif(index: FabricIndex, options: WhatifOptions): WhatifReport {
  const { fabric } = index;
  const prefixes = index.prefixes.map((p, pi): PrefixReport => {
    const offeredLoad = options.load ?? p.service.load;
    const strategies = options.strategies.map((s) => strategyResult(index, pi, s, options.live, offeredLoad));
    const first = strategies[0];
    return {
      prefix: p.service.prefix.text,
      offeredLoad,
      liveCapacity: first?.liveCapacity ?? 0,
      liveServers: first ? first.servers.filter((r) => r.status === 'up').length : 0,
      strategies,
    };
  });
  const deciding: Strategy = options.strategies.includes('ballast') ? 'ballast' : (options.strategies[0] ?? 'ballast');
  const overloaded = prefixes.some((p) => p.strategies.some((s) => s.name === deciding && s.overloaded.length > 0));
  const outage = prefixes.filter((p) => p.strategies.some((s) => s.name === deciding && s.outage)).map((p) => p.prefix);
  return {
    schemaVersion: WHATIF_SCHEMA_VERSION,
    fixture: options.fixture,
    fabric: fabric.name,
    unit: fabric.unit,
    failed: options.failures.map((f) => f.name),
    mbpsPerUnit: fabric.policy.mbpsPerUnit,
    prefixes,
    deciding,
    overloaded,
    outage,
  };
}

function strategyResult(index: FabricIndex, pi: number, strategy: Strategy, live: Liveness, offeredLoad: number): StrategyResult {
  const { fabric } = index;
  const p = index.prefixes[pi]!;
  const fwd = evaluatePrefix(index, pi, strategy, live);
  const capacity = Float64Array.from(p.servers, (s) => index.serverCapacity[s]!);
  const metrics = loadMetrics(fwd.serverShare, capacity, fwd.serverLive, offeredLoad);
  const servers: ServerRow[] = [];
  const overloaded: string[] = [];
  let delivered = 0;
  p.servers.forEach((s, k) => {
    const server = fabric.servers[s]!;
    const share = fwd.serverShare[k]!;
    const load = share * offeredLoad;
    const utilization = load / server.capacity;
    const status = fwd.serverLive[k] ? 'up' : serverStatus(index, live, s);
    if (fwd.serverLive[k] && utilization > 1 + 1e-9) overloaded.push(server.name);
    if (fwd.serverLive[k]) delivered += share;
    servers.push({
      name: server.name,
      leaf: server.leaf,
      capacity: server.capacity,
      status,
      share,
      load,
      utilization,
      idealShare: fwd.serverLive[k] && metrics.liveCapacity > 0 ? server.capacity / metrics.liveCapacity : 0,
    });
  });
  const leaves = fabric.leaves.map((leaf, l): LeafRow => {
    const spineWeights: Record<string, number> = {};
    fabric.spines.forEach((spine, s) => {
      const at = index.spineLeaves[s]!.indexOf(l);
      if (at >= 0) spineWeights[spine.name] = fwd.spineWeights[s]![at]!;
    });
    return { name: leaf.name, advertisement: fwd.advertisements[l]!, reason: fwd.reasons[l]!, share: fwd.leafShare[l]!, spineWeights };
  });
  const quantization = strategy === 'ballast' ? quantizationCheck(index, pi, fwd, capacity, metrics, live) : undefined;
  return { name: strategy, ...metrics, servers, leaves, overloaded, outage: delivered < 1e-9, ...(quantization ? { quantization } : {}) };
}

function serverStatus(index: FabricIndex, live: Liveness, s: number): ServerRow['status'] {
  const state = index.fabric.servers[s]!.state;
  if (state !== 'up') return state;
  if (!live.server[s]) return 'failed';
  return 'unreachable';
}

/**
 * How far ballast may sit from ideal through quantization alone: the spines' model over the leaves'
 * advertised values, times the leaves' model over their servers, times the whole-Mbps rounding of
 * the advertised values. A result above it means something other than resolution is at work.
 */
function quantizationCheck(index: FabricIndex, pi: number, fwd: PrefixForwarding, capacity: Float64Array, metrics: LoadMetrics, live: Liveness): QuantizationCheck {
  const { fabric } = index;
  const p = index.prefixes[pi]!;
  const models = new Set(fabric.spines.map((s) => s.weights));
  const model = fabric.spines[0]?.weights ?? 'frr8';
  const versions = [...models].map(modelVersions).join(' + ');
  if (models.has('ecmp')) {
    return { model: 'ecmp', versions, bound: Number.POSITIVE_INFINITY, within: false, note: 'some spines ignore link-bandwidth: ballast can only prepend there' };
  }
  if (fwd.reasons.some((r) => r === 'below-threshold')) {
    return { model, versions, bound: Number.POSITIVE_INFINITY, within: true, note: 'the policy moved a leaf out of the ECMP set on purpose (below its threshold)' };
  }
  // A spine that lost a link to a leaf still takes its fixed ingress share and pours it into the
  // leaves it still reaches: an imbalance one tier up that no leaf's advertisement can correct.
  const cut = [...index.linkLeaf.keys()].some((i) => live.link?.[i] === 0 && live.spine[index.linkSpine[i]!] && fwd.advertisements[index.linkLeaf[i]!]!.kind !== 'withdraw');
  if (cut) {
    return { model, versions, bound: Number.POSITIVE_INFINITY, within: metrics.maxOverIdeal <= 1 + 1e-9, note: 'a failed leaf-spine link: that spine spreads its fixed ingress share over the leaves it still reaches' };
  }
  let spineBound = 1;
  let roundingBound = 1;
  fabric.spines.forEach((spine, s) => {
    const leaves = index.spineLeaves[s]!;
    const bws: number[] = [];
    const caps: number[] = [];
    for (let k = 0; k < leaves.length; k++) {
      const a = fwd.advertisements[leaves[k]!]!;
      if (a.kind === 'withdraw' || a.bandwidthMbps === null) continue;
      bws.push(a.bandwidthMbps);
      let cap = 0;
      for (let j = p.leafStart[leaves[k]!]!; j < p.leafStart[leaves[k]! + 1]!; j++) if (fwd.serverLive[j]) cap += capacity[j]!;
      caps.push(cap);
    }
    const bwSum = bws.reduce((a, b) => a + b, 0);
    const capSum = caps.reduce((a, b) => a + b, 0);
    if (bwSum === 0 || capSum === 0) return;
    spineBound = Math.max(spineBound, quantizationBound(spine.weights, bws.map((b) => b / bwSum)));
    bws.forEach((b, i) => {
      roundingBound = Math.max(roundingBound, b / bwSum / (caps[i]! / capSum));
    });
  });
  let leafBound = 1;
  fabric.leaves.forEach((leaf, l) => {
    if (!fabric.policy.weightServers) return;
    const mbps: number[] = [];
    for (let j = p.leafStart[l]!; j < p.leafStart[l + 1]!; j++) if (fwd.serverLive[j]) mbps.push(capacityToMbps(fabric.policy, capacity[j]!));
    const sum = mbps.reduce((a, b) => a + b, 0);
    if (sum > 0) leafBound = Math.max(leafBound, quantizationBound(leaf.weights, mbps.map((m) => m / sum)));
  });
  const bound = spineBound * leafBound * roundingBound;
  return { model, versions, bound, within: metrics.maxOverIdeal <= bound + 1e-9 };
}

