/**
 * One prefix's servers grouped, per leaf, by capacity ("capacity classes"). Servers of a leaf with
 * the same capacity get the same weight, so a scenario recomputes a touched leaf per class rather
 * than per server. Depends only on the prefix, so the strategies' evaluators share one.
 */
import type { FabricIndex, PrefixIndex } from '../forwarding/fabric-index.js';

export interface ServerClasses {
  readonly p: PrefixIndex;
  /** Per fabric server: its position in p.servers, or -1 when it does not announce this prefix. */
  readonly posOfServer: Int32Array;
  /** Aligned with p.servers: up in the fixture's own states. */
  readonly baseLive: Uint8Array;
  /**
   * Every capacity is a whole number: only then does summing per class give bit-identical capacities
   * to summing per server, so only then are classes used on the sweep path.
   */
  readonly whole: boolean;
  /** Per leaf l its classes are [kStart[l], kStart[l+1]), each with a capacity and a base-live count. */
  readonly kStart: Int32Array;
  readonly kCap: Float64Array;
  readonly kCount: Int32Array;
  /** Members of class j (positions in p.servers, in server order): kMembers[kMemberStart[j] .. kMemberStart[j+1]). */
  readonly kMemberStart: Int32Array;
  readonly kMembers: Int32Array;
  /** Per position in p.servers: its class, -1 when the server is not up in the fixture. */
  readonly classOfPos: Int32Array;
  /** The most servers behind one leaf (scratch sizes). */
  readonly maxPerLeaf: number;
}

export function serverClasses(index: FabricIndex, prefix: number): ServerClasses {
  const p = index.prefixes[prefix]!;
  const { fabric } = index;
  const n = p.servers.length;
  const nLeaves = fabric.leaves.length;
  const cap = index.serverCapacity;
  const posOfServer = new Int32Array(fabric.servers.length).fill(-1);
  const baseLive = new Uint8Array(n);
  let whole = true;
  for (let k = 0; k < n; k++) {
    const s = p.servers[k]!;
    posOfServer[s] = k;
    baseLive[k] = fabric.servers[s]!.state === 'up' ? 1 : 0;
    if (!Number.isInteger(cap[s]!)) whole = false;
  }
  // Classes in order of first appearance within the leaf (the order sums are taken in).
  const kStart = new Int32Array(nLeaves + 1);
  const kCapAll = new Float64Array(n);
  const kCountAll = new Int32Array(n);
  const classOfPos = new Int32Array(n).fill(-1);
  let nK = 0;
  let maxPerLeaf = 0;
  for (let l = 0; l < nLeaves; l++) {
    kStart[l] = nK;
    const from = p.leafStart[l]!;
    const to = p.leafStart[l + 1]!;
    if (to - from > maxPerLeaf) maxPerLeaf = to - from;
    for (let k = from; k < to; k++) {
      if (!baseLive[k]) continue;
      const c = cap[p.servers[k]!]!;
      let j = kStart[l]!;
      while (j < nK && kCapAll[j] !== c) j++;
      if (j === nK) kCapAll[nK++] = c;
      kCountAll[j]!++;
      classOfPos[k] = j;
    }
  }
  kStart[nLeaves] = nK;
  const kMemberStart = new Int32Array(nK + 1);
  for (let j = 0; j < nK; j++) kMemberStart[j + 1] = kMemberStart[j]! + kCountAll[j]!;
  const kMembers = new Int32Array(kMemberStart[nK]!);
  const fill = kMemberStart.slice(0, nK);
  for (let k = 0; k < n; k++) {
    const j = classOfPos[k]!;
    if (j >= 0) kMembers[fill[j]!++] = k;
  }
  return {
    p,
    posOfServer,
    baseLive,
    whole,
    kStart,
    kCap: kCapAll.slice(0, nK),
    kCount: kCountAll.slice(0, nK),
    kMemberStart,
    kMembers,
    classOfPos,
    maxPerLeaf,
  };
}
