/**
 * What the forwarding model predicts for the lab's current state, and how the kernels compare.
 * Pure: the prediction is forwarding/shares.ts, the same code the planner runs.
 */
import type { Fabric } from '../fabric/types.js';
import { baseLiveness, indexFabric, type FabricIndex } from '../forwarding/fabric-index.js';
import { evaluatePrefix } from '../forwarding/shares.js';
import { weightsByDev, type KernelRoute } from './kernel-route.js';
import { strategyFor, type LeafPolicyName } from './plan.js';

export interface SpinePrediction {
  readonly spine: string;
  /** Leaf name -> predicted kernel weight (only installed leaves). */
  readonly predicted: ReadonlyMap<string, number>;
}

export interface PrefixPrediction {
  readonly prefix: string;
  readonly spines: readonly SpinePrediction[];
  /** Server name -> predicted share of the prefix's traffic (0..1), for every server announcing it. */
  readonly serverShare: ReadonlyMap<string, number>;
}

/** Fixture state, then the servers failed in the lab (`failed`) down, everything else up. */
export function labLiveness(index: FabricIndex, failed: readonly string[]) {
  const live = baseLiveness(index);
  index.fabric.servers.forEach((s, i) => {
    live.server[i] = failed.includes(s.name) ? 0 : 1;
  });
  return live;
}

export function predictLab(fabric: Fabric, leafPolicy: LeafPolicyName, failed: readonly string[]): PrefixPrediction[] {
  // The lab runs FRR 8.4: frr10 models cannot happen there, so predict what the lab really runs.
  const labFabric: Fabric = { ...fabric, spines: fabric.spines.map((s) => (s.weights === 'ecmp' ? s : { ...s, weights: 'frr8' })) };
  const index = indexFabric(labFabric);
  const live = labLiveness(index, failed);
  const strategy = strategyFor(leafPolicy);
  return index.prefixes.map((p, pi) => {
    const f = evaluatePrefix(index, pi, strategy, live);
    const spines = labFabric.spines.map((spine, s) => {
      const predicted = new Map<string, number>();
      index.spineLeaves[s]!.forEach((leaf, k) => {
        const w = f.spineWeights[s]![k]!;
        if (w > 0) predicted.set(labFabric.leaves[leaf]!.name, w);
      });
      return { spine: spine.name, predicted };
    });
    const serverShare = new Map<string, number>();
    p.servers.forEach((server, k) => serverShare.set(labFabric.servers[server]!.name, f.serverShare[k]!));
    return { prefix: p.service.prefix.text, spines, serverShare };
  });
}

export interface WeightComparison {
  readonly prefix: string;
  readonly spine: string;
  readonly predicted: ReadonlyMap<string, number>;
  readonly kernel: ReadonlyMap<string, number>;
  readonly equal: boolean;
}

/** Kernel weights per spine and prefix beside the prediction; equal means the same leaves, same weights. */
export function compareWeights(predictions: readonly PrefixPrediction[], kernel: ReadonlyMap<string, readonly KernelRoute[]>, findRoute: (routes: readonly KernelRoute[], prefix: string) => KernelRoute | undefined): WeightComparison[] {
  return predictions.flatMap((p) =>
    p.spines.map((s) => {
      const got = weightsByDev(findRoute(kernel.get(s.spine) ?? [], p.prefix));
      const equal = got.size === s.predicted.size && [...s.predicted].every(([leaf, w]) => got.get(leaf) === w);
      return { prefix: p.prefix, spine: s.spine, predicted: s.predicted, kernel: got, equal };
    }),
  );
}

/** `leaf1 57, leaf2 28, leaf3 14` in the fabric's leaf order; `-` when nothing is installed. */
export function formatWeights(weights: ReadonlyMap<string, number>, leafOrder: readonly string[]): string {
  const parts = leafOrder.filter((l) => weights.has(l)).map((l) => `${l} ${weights.get(l)}`);
  for (const [dev, w] of weights) if (!leafOrder.includes(dev)) parts.push(`${dev} ${w}`);
  return parts.length ? parts.join(', ') : '-';
}
