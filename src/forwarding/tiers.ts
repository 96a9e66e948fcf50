/**
 * A 5-stage Clos: super-spines above the pods' spines, a border router above the super-spines. Every
 * super-spine peers with every spine; each spine re-advertises the link-bandwidth sum of its
 * multipaths (FRR does it by itself), each super-spine weights the spines by those values under its own
 * model and re-advertises the sum of its own multipaths, and the border weights the super-spines by
 * theirs. Traffic enters the spines in the resulting proportions. Pure; the lab and the what-if call it.
 */
import type { FleetStrategy, MissingBandwidth, WeightModel } from '../fabric/types.js';
import type { FabricIndex, Liveness } from './fabric-index.js';
import { routerWeights, spineAdvertisements, type Advertised } from './ingress.js';
import { evaluatePrefix, type PrefixForwarding } from './shares.js';

export interface TieredIngress {
  /** Per super-spine, its kernel weights toward the spines (fabric order), 0 = not installed. */
  readonly superWeights: Float64Array[];
  /** Per super-spine, what it re-advertises to the border. */
  readonly superAdvertised: Advertised;
  /** Per super-spine, the border's kernel weight toward it. */
  readonly borderWeights: Float64Array;
  /** Per spine, the fraction of the prefix's traffic entering it (sums to 1 when any route exists). */
  readonly spineIngress: Float64Array;
}

/** Super-spines as the evaluator needs them: weight model and missing-value rule. */
export interface SuperSpineModel {
  readonly weights: WeightModel;
  readonly missingBandwidth: MissingBandwidth;
}

export function tieredIngress(index: FabricIndex, f: PrefixForwarding, live: Liveness, superspines: readonly SuperSpineModel[], borderModel: WeightModel): TieredIngress {
  const all = spineAdvertisements(index, f, live);
  // What each super-spine hears: nothing from a spine whose link to it is down.
  const n = index.fabric.spines.length;
  const heard = superspines.map((_, i): Advertised => (live.uplink?.some((x, u) => x === 0 && Math.floor(u / n) === i) ? {
    advertisedMbps: all.advertisedMbps.map((v, s) => (live.uplink![i * n + s] === 0 ? undefined : v)),
    asPathLength: all.asPathLength,
  } : all));
  const superWeights = superspines.map((ss, i) => routerWeights(heard[i]!, ss.weights, ss.missingBandwidth).weights);
  const superAdvertised = upward(superWeights, heard);
  const borderWeights = routerWeights(superAdvertised, borderModel, 'ecmp-fallback').weights;
  const spineIngress = new Float64Array(index.fabric.spines.length);
  let borderTotal = 0;
  for (const w of borderWeights) borderTotal += w;
  superWeights.forEach((w, ss) => {
    let total = 0;
    for (const x of w) total += x;
    if (!borderTotal || !total) return;
    for (let s = 0; s < w.length; s++) spineIngress[s]! += (borderWeights[ss]! / borderTotal) * (w[s]! / total);
  });
  return { superWeights, superAdvertised, borderWeights, spineIngress };
}

/**
 * What each super-spine re-advertises: the sum of the values of the spines it installed, when every
 * one of its multipaths carries one (as spineAdvertisements); its AS-path one longer than its best.
 */
function upward(superWeights: readonly Float64Array[], heard: readonly Advertised[]): Advertised {
  return {
    advertisedMbps: superWeights.map((w, i) => {
      const spines = heard[i]!;
      let any = false;
      let all = true;
      let mbps = 0;
      let best = Infinity;
      w.forEach((x, s) => x > 0 && (best = Math.min(best, spines.asPathLength[s]!)));
      w.forEach((x, s) => {
        if (spines.advertisedMbps[s] === undefined || spines.asPathLength[s] !== best) return;
        any = true;
        const v = spines.advertisedMbps[s];
        if (v) mbps += v;
        else all = false;
      });
      return !any ? undefined : all && mbps > 0 ? mbps : null;
    }),
    asPathLength: Float64Array.from(superWeights, (w, i) => {
      const spines = heard[i]!;
      let best = Infinity;
      w.forEach((x, s) => x > 0 && (best = Math.min(best, spines.asPathLength[s]!)));
      return best + 1;
    }),
  };
}

/**
 * evaluatePrefix for any fabric: with super-spines, the spines' ingress is what the border above
 * them sends down (tieredIngress, border under `borderModel`); without, the fixture's fixed shares.
 */
export function evaluateFabricPrefix(index: FabricIndex, prefix: number, strategy: FleetStrategy, live: Liveness, borderModel: WeightModel = 'frr8'): { readonly f: PrefixForwarding; readonly tiers?: TieredIngress } {
  const f = evaluatePrefix(index, prefix, strategy, live);
  const supers = index.fabric.superspines;
  if (!supers?.length) return { f };
  const tiers = tieredIngress(index, f, live, supers, borderModel);
  return { f: evaluatePrefix(index, prefix, strategy, live, tiers.spineIngress), tiers };
}
