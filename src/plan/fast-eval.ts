/**
 * Incremental evaluation of one prefix under one strategy for sweeps of failure scenarios. Gives the
 * same shares and metrics as the reference `evaluatePrefix` (a property test holds it to that), but:
 *
 * - the base state (every leaf's advertisement and metric terms, leaf-classes.ts) is computed once;
 *   a scenario recomputes only the leaves it touches (a failed server's leaf, failed or cut-off
 *   leaves; leaf-terms.ts, per capacity class) and the spine groups' sums;
 * - leaves with the same advertisement and the same spine groups get the same weight on every spine,
 *   so unchanged leaves are handled per class: a scenario costs O(classes + touched leaves), and
 *   O(leaves) only in the worst case where every leaf advertises something different;
 * - metrics need no per-server shares: within a leaf, share/capacity is the leaf's share times a
 *   per-leaf constant, and Jain's sums factor the same way;
 * - everything lives in typed arrays allocated once; `evaluate` allocates nothing but the shared
 *   `decide()` result when a touched leaf's counts are new.
 */
import type { FleetStrategy } from '../fabric/types.js';
import type { FabricIndex } from '../forwarding/fabric-index.js';
import { WEIGHT_RULES, type WeightRule } from '../fabric/weight-model.js';
import { leafPathLength, pathWeight, plainEcmp } from '../forwarding/weights.js';
import { LeafClasses } from './leaf-classes.js';
import { LeafTables, newLeafTerms, type LeafTerms } from './leaf-terms.js';
import type { ScenarioState } from './scenario-state.js';
import { serverClasses, type ServerClasses } from './server-classes.js';
import type { SpineGroups } from './spine-groups.js';

/** The metric terms of one evaluation (see loadMetrics for their meaning). */
export interface EvalResult {
  /** max over live servers of share / capacity; 0 when no server receives traffic. */
  maxPerCap: number;
  /** The server (fabric index) with that maximum, or -1. */
  argServer: number;
  liveCapacity: number;
  /** Sum and sum of squares of share / capacity over live servers, and their count (Jain's index). */
  sum: number;
  sumSq: number;
  n: number;
}

export function newEvalResult(): EvalResult {
  return { maxPerCap: 0, argServer: -1, liveCapacity: 0, sum: 0, sumSq: 0, n: 0 };
}

export class PrefixEvaluator {
  readonly prefix: number;
  readonly strategy: FleetStrategy;
  private readonly index: FabricIndex;
  private readonly groups: SpineGroups;
  private readonly t: LeafTables;
  private readonly base: LeafClasses;
  readonly classCount: number;

  // Scratch, reused by every evaluation: the touched leaves and their terms, per class what they
  // took out of it, per group the ECMP set and totals.
  private readonly touched: Uint8Array;
  private readonly tLeaf: Int32Array;
  private readonly tTerms: LeafTerms[];
  private tCount = 0;
  private readonly cRemoved: Int32Array;
  private readonly cRemA: Float64Array;
  private readonly cRemB: Float64Array;
  private readonly cRemN: Float64Array;
  private readonly cRemCap: Float64Array;
  private readonly cShare: Float64Array;
  private readonly tShare: Float64Array;
  private readonly gBest: Float64Array;
  private readonly gPlain: Uint8Array;
  private readonly gCum: Float64Array;
  private readonly gMax: Float64Array;
  private readonly gTotal: Float64Array;
  private readonly gCoef: Float64Array;
  /** Per group, its spines' weight rule (looked up once). */
  private readonly gRule: readonly WeightRule[];

  /** `classes` may be shared between the strategies' evaluators of one prefix (it depends only on the prefix). */
  constructor(index: FabricIndex, groups: SpineGroups, prefix: number, strategy: FleetStrategy, baseLeafDown: Uint8Array, classes: ServerClasses = serverClasses(index, prefix)) {
    this.index = index;
    this.groups = groups;
    this.prefix = prefix;
    this.strategy = strategy;
    this.t = new LeafTables(index, classes, strategy);
    this.base = new LeafClasses(this.t, groups, baseLeafDown);
    const nLeaves = index.fabric.leaves.length;
    const nc = this.base.count;
    this.classCount = nc;
    this.touched = new Uint8Array(nLeaves);
    this.tLeaf = new Int32Array(nLeaves);
    this.tTerms = [];
    for (let l = 0; l < nLeaves; l++) this.tTerms.push(newLeafTerms());
    this.cRemoved = new Int32Array(nc);
    this.cRemA = new Float64Array(nc);
    this.cRemB = new Float64Array(nc);
    this.cRemN = new Float64Array(nc);
    this.cRemCap = new Float64Array(nc);
    this.cShare = new Float64Array(nc);
    this.tShare = new Float64Array(nLeaves);
    this.gBest = new Float64Array(groups.count);
    this.gPlain = new Uint8Array(groups.count);
    this.gCum = new Float64Array(groups.count);
    this.gMax = new Float64Array(groups.count);
    this.gTotal = new Float64Array(groups.count);
    this.gCoef = new Float64Array(groups.count);
    this.gRule = groups.model.map((m) => WEIGHT_RULES[m]);
  }

  /** Evaluate the scenario currently applied to `sc`; fills `out`. */
  evaluate(sc: ScenarioState, out: EvalResult): void {
    this.touch(sc);
    this.spread(sc);
    this.collect(out);
    this.untouch();
  }

  /**
   * Evaluate and write per-leaf shares and, aligned with p.servers, per-server shares and liveness
   * (what evaluatePrefix returns as leafShare, serverShare and serverLive). Not on the sweep path:
   * it recomputes every leaf's weights per server.
   */
  materialize(sc: ScenarioState, out: EvalResult, leafShare: Float64Array, serverShare: Float64Array, serverLive: Uint8Array): void {
    this.touch(sc);
    this.spread(sc);
    this.collect(out);
    const { p, k } = this.t;
    const nLeaves = leafShare.length;
    const w = new Float64Array(p.servers.length);
    const scratch = newLeafTerms();
    for (let l = 0; l < nLeaves; l++) leafShare[l] = this.shareOf(l);
    for (let j = 0; j < this.tCount; j++) leafShare[this.tLeaf[j]!] = this.tTerms[j]!.up ? this.tShare[j]! : 0;
    for (let l = 0; l < nLeaves; l++) {
      const from = p.leafStart[l]!;
      const to = p.leafStart[l + 1]!;
      this.t.perServer(l, sc.leafDown[l] === 1, sc.serverFailed, scratch, w);
      let total = 0;
      for (let x = from; x < to; x++) total += w[x]!;
      const share = leafShare[l]!;
      for (let x = from; x < to; x++) {
        const live = !sc.leafDown[l] && k.baseLive[x] && !sc.serverFailed[p.servers[x]!] ? 1 : 0;
        serverLive[x] = live;
        serverShare[x] = live && share && total ? (share * w[x]!) / total : 0;
      }
    }
    this.untouch();
  }

  /**
   * Per-leaf shares (evaluatePrefix's leafShare) and live capacity behind each leaf, in O(leaves):
   * what uplink checks and the quantization report need, without per-server work.
   */
  leafShares(sc: ScenarioState, leafShare: Float64Array, leafCapacity: Float64Array): void {
    this.touch(sc);
    this.spread(sc);
    const nLeaves = leafShare.length;
    for (let l = 0; l < nLeaves; l++) {
      leafShare[l] = this.shareOf(l);
      leafCapacity[l] = this.base.lCap[l]!;
    }
    for (let j = 0; j < this.tCount; j++) {
      const t = this.tTerms[j]!;
      leafShare[this.tLeaf[j]!] = t.up ? this.tShare[j]! : 0;
      leafCapacity[this.tLeaf[j]!] = t.cap;
    }
    this.untouch();
  }

  /** An untouched leaf's share: its class's. */
  private shareOf(l: number): number {
    const c = this.base.classOf[l]!;
    return this.base.cUp[c] ? this.cShare[c]! : 0;
  }

  /** Recompute the leaves the scenario touches and take them out of their classes. */
  private touch(sc: ScenarioState): void {
    for (let i = 0; i < sc.downCount; i++) this.touchLeaf(sc.downLeaves[i]!, sc);
    const k = this.t.k;
    for (let i = 0; i < sc.failedServerCount; i++) {
      const s = sc.failedServers[i]!;
      const x = k.posOfServer[s]!;
      if (x < 0 || !k.baseLive[x]) continue;
      this.touchLeaf(this.index.serverLeaf[s]!, sc);
    }
  }

  private touchLeaf(l: number, sc: ScenarioState): void {
    if (this.touched[l]) return;
    this.touched[l] = 1;
    const j = this.tCount++;
    this.tLeaf[j] = l;
    this.t.byClass(l, sc.leafDown[l] === 1, sc, this.tTerms[j]!);
    const b = this.base;
    const c = b.classOf[l]!;
    this.cRemoved[c]!++;
    this.cRemA[c]! += b.lA[l]!;
    this.cRemB[c]! += b.lB[l]!;
    this.cRemN[c]! += b.lN[l]!;
    this.cRemCap[c]! += b.lCap[l]!;
  }

  private untouch(): void {
    for (let j = 0; j < this.tCount; j++) {
      const l = this.tLeaf[j]!;
      this.touched[l] = 0;
      const c = this.base.classOf[l]!;
      this.cRemoved[c] = 0;
      this.cRemA[c] = 0;
      this.cRemB[c] = 0;
      this.cRemN[c] = 0;
      this.cRemCap[c] = 0;
    }
    this.tCount = 0;
  }

  /** Each live spine group's ECMP set, FRR's weights and totals; then every class's and touched leaf's share. */
  private spread(sc: ScenarioState): void {
    const b = this.base;
    const G = this.groups.count;
    let ingressTotal = 0;
    for (let g = 0; g < G; g++) {
      this.gTotal[g] = 0;
      if (sc.groupLive[g] === 0) continue;
      // The ECMP set: the shortest AS paths among advertising leaves (multipath-relax).
      let best = Infinity;
      for (let i = b.gClassStart[g]!; i < b.gClassStart[g + 1]!; i++) {
        const c = b.gClasses[i]!;
        if (b.cUp[c] && b.cSize[c]! > this.cRemoved[c]!) best = Math.min(best, leafPathLength(b.cPrepend[c]!));
      }
      for (let j = 0; j < this.tCount; j++) {
        const t = this.tTerms[j]!;
        if (t.up && this.leafInGroup(this.tLeaf[j]!, g)) best = Math.min(best, leafPathLength(t.prepend));
      }
      if (best === Infinity) continue;
      let inSet = 0;
      let withBw = 0;
      let cum = 0;
      let max = 0;
      for (let i = b.gClassStart[g]!; i < b.gClassStart[g + 1]!; i++) {
        const c = b.gClasses[i]!;
        const n = b.cSize[c]! - this.cRemoved[c]!;
        if (!b.cUp[c] || n === 0 || leafPathLength(b.cPrepend[c]!) !== best) continue;
        inSet += n;
        const bw = b.cBw[c]!;
        if (bw > 0) {
          withBw += n;
          cum += bw * n;
          if (bw > max) max = bw;
        }
      }
      for (let j = 0; j < this.tCount; j++) {
        const t = this.tTerms[j]!;
        if (!t.up || leafPathLength(t.prepend) !== best || !this.leafInGroup(this.tLeaf[j]!, g)) continue;
        inSet++;
        if (t.bw > 0) {
          withBw++;
          cum += t.bw;
          if (t.bw > max) max = t.bw;
        }
      }
      this.gBest[g] = best;
      this.gPlain[g] = plainEcmp(this.groups.model[g]!, this.groups.missing[g]!, inSet, withBw) ? 1 : 0;
      this.gCum[g] = cum;
      this.gMax[g] = max;
      let total = 0;
      for (let i = b.gClassStart[g]!; i < b.gClassStart[g + 1]!; i++) {
        const c = b.gClasses[i]!;
        const n = b.cSize[c]! - this.cRemoved[c]!;
        if (!b.cUp[c] || n === 0) continue;
        total += n * this.weight(g, b.cBw[c]!, b.cPrepend[c]!);
      }
      for (let j = 0; j < this.tCount; j++) {
        const t = this.tTerms[j]!;
        if (t.up && this.leafInGroup(this.tLeaf[j]!, g)) total += this.weight(g, t.bw, t.prepend);
      }
      this.gTotal[g] = total;
      if (total > 0) ingressTotal += sc.groupIngress[g]!;
    }
    for (let g = 0; g < G; g++) this.gCoef[g] = ingressTotal > 0 && this.gTotal[g]! > 0 ? sc.groupIngress[g]! / ingressTotal : 0;

    const nc = b.count;
    for (let c = 0; c < nc; c++) {
      let share = 0;
      if (b.cUp[c] && b.cSize[c]! > this.cRemoved[c]!) {
        for (let i = b.cGroupStart[c]!; i < b.cGroupStart[c + 1]!; i++) {
          const g = b.cGroups[i]!;
          if (this.gCoef[g]! > 0) share += (this.gCoef[g]! * this.weight(g, b.cBw[c]!, b.cPrepend[c]!)) / this.gTotal[g]!;
        }
      }
      this.cShare[c] = share;
    }
    for (let j = 0; j < this.tCount; j++) {
      const t = this.tTerms[j]!;
      let share = 0;
      if (t.up) {
        const l = this.tLeaf[j]!;
        for (let i = this.groups.leafStart[l]!; i < this.groups.leafStart[l + 1]!; i++) {
          const g = this.groups.leafGroups[i]!;
          if (this.gCoef[g]! > 0) share += (this.gCoef[g]! * this.weight(g, t.bw, t.prepend)) / this.gTotal[g]!;
        }
      }
      this.tShare[j] = share;
    }
  }

  /** Metric terms from the shares: per class through its largest untouched member, plus touched leaves. */
  private collect(out: EvalResult): void {
    const b = this.base;
    let maxPerCap = 0;
    let arg = -1;
    let liveCap = 0;
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    const nc = b.count;
    for (let c = 0; c < nc; c++) {
      const left = b.cSize[c]! - this.cRemoved[c]!;
      if (left === 0) continue;
      liveCap += b.cCap[c]! - this.cRemCap[c]!;
      n += b.cN[c]! - this.cRemN[c]!;
      const share = this.cShare[c]!;
      if (share === 0) continue;
      sum += share * (b.cA[c]! - this.cRemA[c]!);
      sumSq += share * share * (b.cB[c]! - this.cRemB[c]!);
      for (let i = b.cMemberStart[c]!; i < b.cMemberStart[c + 1]!; i++) {
        const l = b.cMembers[i]!;
        if (this.touched[l]) continue;
        const x = share * b.lR[l]!;
        if (x > maxPerCap) {
          maxPerCap = x;
          arg = b.lArg[l]!;
        }
        break;
      }
    }
    for (let j = 0; j < this.tCount; j++) {
      const t = this.tTerms[j]!;
      liveCap += t.cap;
      n += t.n;
      const share = this.tShare[j]!;
      if (share === 0) continue;
      sum += share * t.a;
      sumSq += share * share * t.b;
      const x = share * t.r;
      if (x > maxPerCap) {
        maxPerCap = x;
        arg = t.arg;
      }
    }
    out.maxPerCap = maxPerCap;
    out.argServer = arg;
    out.liveCapacity = liveCap;
    out.sum = sum;
    out.sumSq = sumSq;
    out.n = n;
  }

  /** A leaf's kernel weight on a group's spines, given the group's ECMP set (installWeights per path). */
  private weight(g: number, bw: number, prepend: number): number {
    if (leafPathLength(prepend) !== this.gBest[g]) return 0;
    return pathWeight(this.gRule[g]!, this.groups.missing[g]!, this.gPlain[g] === 1, bw, this.gCum[g]!, this.gMax[g]!);
  }

  private leafInGroup(l: number, g: number): boolean {
    const lg = this.groups.leafGroups;
    for (let i = this.groups.leafStart[l]!; i < this.groups.leafStart[l + 1]!; i++) if (lg[i] === g) return true;
    return false;
  }

  /** A leaf's advertisement in the base state (for reports). */
  baseLeaf(l: number): { readonly up: boolean; readonly bw: number; readonly prepend: number } {
    const b = this.base;
    return { up: b.lUp[l] === 1, bw: b.lBw[l]!, prepend: b.lPrepend[l]! };
  }
}

/** loadMetrics' formulas over the terms. */
export function metricsOf(r: EvalResult, offeredLoad: number): { maxUtilization: number; maxOverIdeal: number; jain: number; safeLoad: number; liveCapacity: number } {
  return {
    maxUtilization: offeredLoad * r.maxPerCap,
    maxOverIdeal: r.liveCapacity > 0 ? r.maxPerCap * r.liveCapacity : 0,
    jain: r.n > 0 && r.sumSq > 0 ? (r.sum * r.sum) / (r.n * r.sumSq) : 1,
    safeLoad: r.maxPerCap > 0 ? 1 / r.maxPerCap : 0,
    liveCapacity: r.liveCapacity,
  };
}
