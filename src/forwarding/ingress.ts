/**
 * Ingress learned by BGP: a border router (a border leaf, or the lab's client) that peers with every
 * spine weights the spines by the link-bandwidth each re-advertises. FRR puts on a route with weighted
 * multipaths the sum of their values by itself, no route-map needed (FRR-FACTS "Link-bandwidth"), so
 * the border sees the capacity behind each spine, and installs it under its own weight model. Pure:
 * the lab's prediction and the planner call this.
 */
import type { MissingBandwidth, WeightModel } from '../fabric/types.js';
import type { FabricIndex, Liveness } from './fabric-index.js';
import { linkLive, type PrefixForwarding } from './shares.js';
import { installWeights, leafPathLength, receivedBytesPerSecond, type PathIn } from './weights.js';

/** What each router of a tier re-advertises upward, per router (fabric order). */
export interface Advertised {
  /**
   * The Mbps it re-advertises (the sum of its multipaths' values as received, bytes/s over 125000),
   * null when it has a route whose multipaths do not all carry a value (the router above then sees
   * no value from it), undefined when it has no route at all.
   */
  readonly advertisedMbps: readonly (number | null | undefined)[];
  /** The AS-path length it advertises (its best path's, plus its own AS). */
  readonly asPathLength: Float64Array;
}

export interface BorderIngress extends Advertised {
  /** Per spine: the border's kernel weight toward it, 0 = not installed. */
  readonly weights: Float64Array;
}

/**
 * What every spine re-advertises upward for one prefix, from the spines' forwarding `f`
 * (evaluatePrefix; which spine installs what does not depend on ingress).
 * Unverified on real FRR: a spine whose multipaths lack some values is assumed to advertise none
 * (FRR sums only when every multipath carries one); measured: every value present.
 */
export function spineAdvertisements(index: FabricIndex, f: PrefixForwarding, live: Liveness): Advertised {
  const n = index.fabric.spines.length;
  const advertisedMbps: (number | null | undefined)[] = new Array(n).fill(undefined);
  const asPathLength = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    if (!live.spine[s]) continue;
    let installed = false;
    for (const link of index.spineLinks[s]!) if (f.linkWeights[link]! > 0) installed = true;
    if (!installed) continue;
    // The spine's multipaths: live links whose leaf advertises, on the shortest AS path.
    let best = Infinity;
    for (const link of index.spineLinks[s]!) {
      const a = f.advertisements[index.linkLeaf[link]!]!;
      if (linkLive(index, live, link) && a.kind !== 'withdraw') best = Math.min(best, leafPathLength(a.prepend));
    }
    let bytes = 0;
    let all = true;
    for (const link of index.spineLinks[s]!) {
      const a = f.advertisements[index.linkLeaf[link]!]!;
      if (!linkLive(index, live, link) || a.kind === 'withdraw' || leafPathLength(a.prepend) !== best) continue;
      if (a.bandwidthMbps) bytes += receivedBytesPerSecond(a.bandwidthMbps);
      else all = false;
    }
    advertisedMbps[s] = all && bytes > 0 ? bytes / 125000 : null;
    asPathLength[s] = best + 1;
  }
  return { advertisedMbps, asPathLength };
}

/** The kernel weights a router installs toward the routers below it from what they advertise. */
export function routerWeights(below: Advertised, model: WeightModel, missing: MissingBandwidth): { readonly weights: Float64Array } {
  const paths: PathIn[] = [];
  const present: number[] = [];
  below.advertisedMbps.forEach((mbps, i) => {
    if (mbps === undefined) return;
    present.push(i);
    paths.push({ bandwidthMbps: mbps, asPathLength: below.asPathLength[i]! });
  });
  const w = new Float64Array(paths.length);
  installWeights(model, missing, paths, w);
  const weights = new Float64Array(below.advertisedMbps.length);
  present.forEach((i, j) => (weights[i] = w[j]!));
  return { weights };
}

/** What a border router under `model` that peers with every spine installs toward them for one prefix. */
export function borderIngress(index: FabricIndex, f: PrefixForwarding, live: Liveness, model: WeightModel): BorderIngress {
  const adv = spineAdvertisements(index, f, live);
  return { ...adv, weights: routerWeights(adv, model, 'ecmp-fallback').weights };
}
