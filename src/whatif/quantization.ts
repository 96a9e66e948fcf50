/**
 * Whether ballast's result is explained by the weight models' resolution alone, or whether
 * something else (a failed link, a prepend, spines ignoring link-bandwidth) is at work. Pure.
 */
import type { FabricIndex, Liveness } from '../forwarding/fabric-index.js';
import type { PrefixForwarding } from '../forwarding/shares.js';
import { quantizationBound } from '../forwarding/weights.js';
import { modelVersions } from '../fabric/weight-model.js';
import { capacityToMbps } from '../policy/decide.js';
import type { LoadMetrics } from './metrics.js';
import type { QuantizationCheck } from './whatif.js';

/**
 * How far ballast may sit from ideal through quantization alone: the spines' model over the leaves'
 * advertised values, times the leaves' model over their servers, times the whole-Mbps rounding of
 * the advertised values. A result above it means something other than resolution is at work.
 */
export function quantizationCheck(index: FabricIndex, pi: number, fwd: PrefixForwarding, capacity: Float64Array, metrics: LoadMetrics, live: Liveness): QuantizationCheck {
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
  // Live capacity per leaf, once: summing it per spine and leaf cost 64 x 512 x 48 steps a prefix.
  const leafCapacity = new Float64Array(fabric.leaves.length);
  for (let l = 0; l < leafCapacity.length; l++) {
    for (let j = p.leafStart[l]!; j < p.leafStart[l + 1]!; j++) if (fwd.serverLive[j]) leafCapacity[l]! += capacity[j]!;
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
      caps.push(leafCapacity[leaves[k]!]!);
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

