/**
 * The base state of one prefix under one strategy, for the incremental evaluator: every leaf's
 * advertisement and metric terms with no failure, and the leaves grouped into classes of the same
 * advertisement and spine groups. Leaves of a class get the same weight on every spine, so a
 * scenario handles unchanged leaves per class: O(classes + touched leaves), not O(leaves).
 */
import { newLeafTerms, type LeafTables } from './leaf-terms.js';
import type { SpineGroups } from './spine-groups.js';

export class LeafClasses {
  // Per leaf, in the base state.
  readonly lUp: Uint8Array;
  readonly lBw: Float64Array;
  readonly lPrepend: Int32Array;
  readonly lR: Float64Array;
  readonly lArg: Int32Array;
  readonly lA: Float64Array;
  readonly lB: Float64Array;
  readonly lN: Int32Array;
  readonly lCap: Float64Array;
  readonly classOf: Int32Array;

  // Per class.
  readonly count: number;
  readonly cUp: Uint8Array;
  readonly cBw: Float64Array;
  readonly cPrepend: Int32Array;
  readonly cSize: Int32Array;
  readonly cA: Float64Array;
  readonly cB: Float64Array;
  readonly cN: Float64Array;
  readonly cCap: Float64Array;
  /** Members sorted by r, largest first: the class maximum skips touched leaves. */
  readonly cMemberStart: Int32Array;
  readonly cMembers: Int32Array;
  /** A class's spine groups (those of any member). */
  readonly cGroupStart: Int32Array;
  readonly cGroups: Int32Array;
  /** Per group, the classes whose leaves it sees. */
  readonly gClassStart: Int32Array;
  readonly gClasses: Int32Array;

  constructor(t: LeafTables, groups: SpineGroups, baseLeafDown: Uint8Array) {
    const nLeaves = t.p.leafStart.length - 1;
    this.lUp = new Uint8Array(nLeaves);
    this.lBw = new Float64Array(nLeaves);
    this.lPrepend = new Int32Array(nLeaves);
    this.lR = new Float64Array(nLeaves);
    this.lArg = new Int32Array(nLeaves).fill(-1);
    this.lA = new Float64Array(nLeaves);
    this.lB = new Float64Array(nLeaves);
    this.lN = new Int32Array(nLeaves);
    this.lCap = new Float64Array(nLeaves);
    const none = { serverFailed: new Uint8Array(t.index.serverLeaf.length), failedServers: new Int32Array(0), failedServerCount: 0 };
    const term = newLeafTerms();
    for (let l = 0; l < nLeaves; l++) {
      t.byClass(l, baseLeafDown[l] === 1, none, term);
      this.lUp[l] = term.up;
      this.lBw[l] = term.bw;
      this.lPrepend[l] = term.prepend;
      this.lR[l] = term.r;
      this.lArg[l] = term.arg;
      this.lA[l] = term.a;
      this.lB[l] = term.b;
      this.lN[l] = term.n;
      this.lCap[l] = term.cap;
    }

    // Classes by (spine groups, advertisement), in order of first member.
    const byKey = new Map<string, number>();
    const classOf = new Int32Array(nLeaves);
    const firstOf: number[] = [];
    for (let l = 0; l < nLeaves; l++) {
      const key = `${groups.leafGroups.subarray(groups.leafStart[l]!, groups.leafStart[l + 1]!).join(',')}|${this.lUp[l]}|${this.lBw[l]}|${this.lPrepend[l]}`;
      let c = byKey.get(key);
      if (c === undefined) {
        byKey.set(key, (c = firstOf.length));
        firstOf.push(l);
      }
      classOf[l] = c;
    }
    const nc = firstOf.length;
    this.count = nc;
    this.classOf = classOf;
    this.cUp = new Uint8Array(nc);
    this.cBw = new Float64Array(nc);
    this.cPrepend = new Int32Array(nc);
    this.cSize = new Int32Array(nc);
    this.cA = new Float64Array(nc);
    this.cB = new Float64Array(nc);
    this.cN = new Float64Array(nc);
    this.cCap = new Float64Array(nc);
    this.cMemberStart = new Int32Array(nc + 1);
    for (let l = 0; l < nLeaves; l++) this.cSize[classOf[l]!]!++;
    for (let c = 0; c < nc; c++) this.cMemberStart[c + 1] = this.cMemberStart[c]! + this.cSize[c]!;
    this.cMembers = new Int32Array(nLeaves);
    const fill = this.cMemberStart.slice(0, nc);
    for (let l = 0; l < nLeaves; l++) this.cMembers[fill[classOf[l]!]!++] = l;
    const cGroups: number[] = [];
    const perGroup: number[][] = [];
    for (let g = 0; g < groups.count; g++) perGroup.push([]);
    this.cGroupStart = new Int32Array(nc + 1);
    for (let c = 0; c < nc; c++) {
      const first = firstOf[c]!;
      this.cUp[c] = this.lUp[first]!;
      this.cBw[c] = this.lBw[first]!;
      this.cPrepend[c] = this.lPrepend[first]!;
      const from = this.cMemberStart[c]!;
      const to = this.cMemberStart[c + 1]!;
      // Members by r, largest first (ties by leaf; already so when r is equal throughout), then sums.
      if (!allEqual(this.lR, this.cMembers, from, to)) {
        const sorted = Array.from(this.cMembers.subarray(from, to)).sort((x, y) => this.lR[y]! - this.lR[x]! || x - y);
        this.cMembers.set(sorted, from);
      }
      for (let i = from; i < to; i++) {
        const l = this.cMembers[i]!;
        this.cA[c]! += this.lA[l]!;
        this.cB[c]! += this.lB[l]!;
        this.cN[c]! += this.lN[l]!;
        this.cCap[c]! += this.lCap[l]!;
      }
      this.cGroupStart[c] = cGroups.length;
      for (let j = groups.leafStart[first]!; j < groups.leafStart[first + 1]!; j++) {
        cGroups.push(groups.leafGroups[j]!);
        perGroup[groups.leafGroups[j]!]!.push(c);
      }
    }
    this.cGroupStart[nc] = cGroups.length;
    this.cGroups = Int32Array.from(cGroups);
    this.gClassStart = new Int32Array(groups.count + 1);
    const gClasses: number[] = [];
    for (let g = 0; g < groups.count; g++) {
      this.gClassStart[g] = gClasses.length;
      for (const c of perGroup[g]!) gClasses.push(c);
    }
    this.gClassStart[groups.count] = gClasses.length;
    this.gClasses = Int32Array.from(gClasses);
  }
}

/** Whether r is the same for every member (then leaf order is already the sorted order). */
function allEqual(r: Float64Array, members: Int32Array, from: number, to: number): boolean {
  const first = r[members[from]!]!;
  for (let i = from + 1; i < to; i++) if (r[members[i]!] !== first) return false;
  return true;
}
