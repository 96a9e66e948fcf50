/**
 * Spines that see the same leaves and turn link-bandwidth into weights the same way install the same
 * weights, so a sweep computes each such group once. In a full-mesh fabric all spines form one group.
 */
import type { MissingBandwidth, WeightModel } from '../fabric/types.js';
import type { FabricIndex } from '../forwarding/fabric-index.js';

export interface SpineGroups {
  readonly count: number;
  readonly ofSpine: Int32Array;
  readonly model: readonly WeightModel[];
  readonly missing: readonly MissingBandwidth[];
  /** Member spines of each group. */
  readonly spines: readonly Int32Array[];
  /** The leaves each group's spines attach to (the same for every member). */
  readonly leaves: readonly Int32Array[];
  /** Per leaf l, its groups are leafGroups[leafStart[l] .. leafStart[l+1]). */
  readonly leafStart: Int32Array;
  readonly leafGroups: Int32Array;
}

export function groupSpines(index: FabricIndex): SpineGroups {
  const { fabric } = index;
  const byKey = new Map<string, number>();
  const ofSpine = new Int32Array(fabric.spines.length);
  const model: WeightModel[] = [];
  const missing: MissingBandwidth[] = [];
  const members: number[][] = [];
  const leaves: Int32Array[] = [];
  fabric.spines.forEach((spine, s) => {
    const key = `${spine.weights}|${spine.missingBandwidth}|${index.spineLeaves[s]!.join(',')}`;
    let g = byKey.get(key);
    if (g === undefined) {
      g = members.length;
      byKey.set(key, g);
      model.push(spine.weights);
      missing.push(spine.missingBandwidth);
      members.push([]);
      leaves.push(index.spineLeaves[s]!);
    }
    members[g]!.push(s);
    ofSpine[s] = g;
  });
  const nLeaves = fabric.leaves.length;
  const perLeaf: number[][] = Array.from({ length: nLeaves }, () => []);
  leaves.forEach((ls, g) => {
    for (const l of ls) perLeaf[l]!.push(g);
  });
  const leafStart = new Int32Array(nLeaves + 1);
  const flat: number[] = [];
  for (let l = 0; l < nLeaves; l++) {
    leafStart[l] = flat.length;
    flat.push(...perLeaf[l]!);
  }
  leafStart[nLeaves] = flat.length;
  return { count: members.length, ofSpine, model, missing, spines: members.map((m) => Int32Array.from(m)), leaves, leafStart, leafGroups: Int32Array.from(flat) };
}
