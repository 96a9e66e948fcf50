/**
 * Ingress learned by BGP: a border router (a border leaf, or the lab's client) that peers with every
 * spine weights the spines by the link-bandwidth each re-advertises. FRR puts on a route with weighted
 * multipaths the sum of their values by itself, no route-map needed (FRR-FACTS "Link-bandwidth"), so
 * the border sees the capacity behind each spine, and installs it under its own weight model. Pure:
 * the lab's prediction and the planner call this.
 */
import type { WeightModel } from '../fabric/types.js';
import type { FabricIndex, Liveness } from './fabric-index.js';
import { linkLive, type PrefixForwarding } from './shares.js';
import { installWeights, leafPathLength, receivedBytesPerSecond, type PathIn } from './weights.js';

export interface BorderIngress {
  /**
   * Per spine: the Mbps it re-advertises (the sum of its multipaths' values as received, bytes/s over
   * 125000), null when it has a route whose multipaths do not all carry a value (the border then sees
   * no value from it), undefined when it has no route at all.
   */
  readonly advertisedMbps: (number | null | undefined)[];
  /** Per spine: the border's kernel weight toward it, 0 = not installed. */
  readonly weights: Float64Array;
  /** The AS-path length each spine advertises (its best path's, plus its own AS). */
  readonly asPathLength: Float64Array;
}

/**
 * What a border router under `model` installs toward the spines for one prefix, from the spines'
 * forwarding `f` (evaluatePrefix; which spine installs what does not depend on ingress).
 * Unverified on real FRR: a spine whose multipaths lack some values is assumed to advertise none
 * (FRR sums only when every multipath carries one); measured: every value present.
 */
export function borderIngress(index: FabricIndex, f: PrefixForwarding, live: Liveness, model: WeightModel): BorderIngress {
  const n = index.fabric.spines.length;
  const advertisedMbps: (number | null | undefined)[] = new Array(n).fill(undefined);
  const asPathLength = new Float64Array(n);
  const paths: PathIn[] = [];
  const present: number[] = [];
  for (let s = 0; s < n; s++) {
    if (!live.spine[s]) continue;
    let installed = false;
    for (const link of index.spineLinks[s]!) if (f.linkWeights[link]! > 0) installed = true;
    if (!installed) continue;
    // The spine's multipaths: live links whose leaf advertises, on the shortest AS path.
    let best = Infinity;
    const mine: number[] = [];
    for (const link of index.spineLinks[s]!) {
      const a = f.advertisements[index.linkLeaf[link]!]!;
      if (!linkLive(index, live, link) || a.kind === 'withdraw') continue;
      mine.push(link);
      best = Math.min(best, leafPathLength(a.prepend));
    }
    let bytes = 0;
    let all = true;
    for (const link of mine) {
      const a = f.advertisements[index.linkLeaf[link]!]!;
      if (a.kind === 'withdraw' || leafPathLength(a.prepend) !== best) continue;
      if (a.bandwidthMbps) bytes += receivedBytesPerSecond(a.bandwidthMbps);
      else all = false;
    }
    advertisedMbps[s] = all && bytes > 0 ? bytes / 125000 : null;
    asPathLength[s] = best + 1;
    present.push(s);
    paths.push({ bandwidthMbps: advertisedMbps[s]!, asPathLength: best + 1 });
  }
  const w = new Float64Array(paths.length);
  installWeights(model, 'ecmp-fallback', paths, w);
  const weights = new Float64Array(n);
  present.forEach((s, j) => (weights[s] = w[j]!));
  return { advertisedMbps, weights, asPathLength };
}
