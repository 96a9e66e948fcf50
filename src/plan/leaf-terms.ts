/**
 * What one leaf advertises for a prefix in a scenario, and the terms its servers contribute to the
 * metrics, for the incremental evaluator (fast-eval.ts). Two ways to the same numbers: per server
 * (the reference shape, also used for fractional capacities and to materialize weights) and per
 * capacity class (the sweep path). The property test holds both to evaluatePrefix.
 */
import { leafStrategy, type FleetStrategy, type LeafPolicy, type Strategy, type WeightModel } from '../fabric/types.js';
import type { FabricIndex, PrefixIndex } from '../forwarding/fabric-index.js';
import { WEIGHT_RULES, type WeightRule } from '../fabric/weight-model.js';
import { plainEcmp, receivedBytesPerSecond, ruleWeight } from '../forwarding/weights.js';
import { capacityToMbps, decide } from '../policy/decide.js';
import type { ServerClasses } from './server-classes.js';

/** Per leaf: what it advertises and the terms its servers contribute to the metrics. */
export interface LeafTerms {
  up: number;
  bw: number;
  prepend: number;
  /** max over its live servers of (weight / capacity) / total weight, and which server. */
  r: number;
  arg: number;
  /** Sums over live servers of (weight / capacity) / total and its square; live count and capacity. */
  a: number;
  b: number;
  n: number;
  cap: number;
}

export function newLeafTerms(): LeafTerms {
  return { up: 0, bw: 0, prepend: 0, r: 0, arg: -1, a: 0, b: 0, n: 0, cap: 0 };
}

/** A scenario's failed servers, as the leaf computations read them (ScenarioState has this shape). */
export interface FailedServers {
  readonly serverFailed: Uint8Array;
  readonly failedServers: Int32Array;
  readonly failedServerCount: number;
}

/** One evaluator's fixed inputs and scratch for the leaf computations (one prefix, one strategy). */
export class LeafTables {
  readonly index: FabricIndex;
  readonly p: PrefixIndex;
  readonly k: ServerClasses;
  readonly strategy: FleetStrategy;
  readonly policy: LeafPolicy;
  /** Per leaf, the strategy it runs (its own fixture `strategy:` under `configured`). */
  readonly leafStrategy: readonly Strategy[];
  /** Per leaf: ballast with weight-servers, the servers' paths carry link-bandwidth, so the leaf weights its ECMP. */
  readonly weightServers: Uint8Array;
  readonly leafModel: readonly WeightModel[];
  readonly leafRule: readonly WeightRule[];
  /** Per class: the link-bandwidth its servers' paths carry toward the leaf (bytes/s), 0 for none. */
  readonly kBw: Float64Array;
  /** Scratch: failed members per class while a leaf is computed. */
  private readonly kFailed: Int32Array;
  private readonly wScratch: Float64Array;
  /**
   * Decisions memoised per leaf and healthy count (slot dStart[l] + healthy), keyed by the healthy
   * capacity too (NaN: empty): decide is pure, and a sweep meets the same counts over and over, so
   * the hot path allocates no decision after the first of each.
   */
  private readonly dStart: Int32Array;
  private readonly dCap: Float64Array;
  private readonly dUp: Uint8Array;
  private readonly dBw: Float64Array;
  private readonly dPrepend: Int32Array;

  constructor(index: FabricIndex, classes: ServerClasses, strategy: FleetStrategy) {
    const { fabric } = index;
    this.index = index;
    this.p = classes.p;
    this.k = classes;
    this.strategy = strategy;
    this.policy = fabric.policy;
    this.leafStrategy = fabric.leaves.map((l) => leafStrategy(l, strategy));
    this.weightServers = Uint8Array.from(this.leafStrategy, (st) => (st === 'ballast' && fabric.policy.weightServers ? 1 : 0));
    this.leafModel = fabric.leaves.map((l) => l.weights);
    this.leafRule = this.leafModel.map((m) => WEIGHT_RULES[m]);
    const nK = classes.kCap.length;
    this.kBw = new Float64Array(nK);
    const nLeaves = fabric.leaves.length;
    // A class belongs to one leaf (kStart): its servers carry a value only where that leaf runs ballast.
    for (let l = 0; l < nLeaves; l++) for (let j = classes.kStart[l]!; j < classes.kStart[l + 1]!; j++) this.kBw[j] = this.serverBw(l, classes.kCap[j]!);
    this.kFailed = new Int32Array(nK);
    this.wScratch = new Float64Array(Math.max(1, classes.maxPerLeaf));
    this.dStart = new Int32Array(nLeaves + 1);
    for (let l = 0; l < nLeaves; l++) this.dStart[l + 1] = this.dStart[l]! + classes.p.configuredServers[l]! + 1;
    const slots = this.dStart[nLeaves]!;
    this.dCap = new Float64Array(slots).fill(Number.NaN);
    this.dUp = new Uint8Array(slots);
    this.dBw = new Float64Array(slots);
    this.dPrepend = new Int32Array(slots);
  }

  /** The link-bandwidth (bytes/s as received) on a server path of this capacity, 0 when none is sent. */
  serverBw(l: number, capacity: number): number {
    return this.weightServers[l] ? receivedBytesPerSecond(capacityToMbps(this.policy, capacity)) : 0;
  }

  /** The leaf's decision (memoised: the same counts give the same advertisement). */
  private decideInto(l: number, healthy: number, healthyCap: number, out: LeafTerms): void {
    const d = this.dStart[l]! + healthy;
    if (this.dCap[d] !== healthyCap) {
      const p = this.p;
      const adv = decide(this.leafStrategy[l]!, this.policy, { healthyCount: healthy, healthyCapacity: healthyCap, configuredCount: p.configuredServers[l]!, configuredCapacity: p.configuredCapacity[l]! }).advertisement;
      this.dCap[d] = healthyCap;
      this.dUp[d] = adv.kind === 'advertise' ? 1 : 0;
      this.dBw[d] = adv.kind === 'advertise' && adv.bandwidthMbps ? receivedBytesPerSecond(adv.bandwidthMbps) : 0;
      this.dPrepend[d] = adv.kind === 'advertise' ? adv.prepend : 0;
    }
    out.up = this.dUp[d]!;
    out.bw = this.dBw[d]!;
    out.prepend = this.dPrepend[d]!;
  }

  /**
   * Whether the leaf's own ECMP toward its servers is plain (each live server weight 1): server paths
   * carry values all or none (weightServers), and FRR's default missing rule applies.
   */
  private plain(l: number, healthy: number): boolean {
    return plainEcmp(this.leafModel[l]!, 'ecmp-fallback', healthy, this.weightServers[l] ? healthy : 0);
  }

  /**
   * Per server: a leaf's advertisement and terms given which servers failed; writes the leaf's
   * kernel weights toward its servers into `w` (aligned with p.servers) when given.
   */
  perServer(l: number, down: boolean, serverFailed: Uint8Array, out: LeafTerms, w: Float64Array | null): void {
    const p = this.p;
    const baseLive = this.k.baseLive;
    const from = p.leafStart[l]!;
    const to = p.leafStart[l + 1]!;
    out.up = 0; out.bw = 0; out.prepend = 0; out.r = 0; out.arg = -1; out.a = 0; out.b = 0; out.n = 0; out.cap = 0;
    if (w) for (let k = from; k < to; k++) w[k] = 0;
    if (down) return;
    const cap = this.index.serverCapacity;
    let healthy = 0;
    let healthyCap = 0;
    let cum = 0;
    let max = 0;
    for (let k = from; k < to; k++) {
      const s = p.servers[k]!;
      if (!baseLive[k] || serverFailed[s]) continue;
      healthy++;
      healthyCap += cap[s]!;
      const bw = this.serverBw(l, cap[s]!);
      cum += bw;
      if (bw > max) max = bw;
    }
    out.n = healthy;
    out.cap = healthyCap;
    this.decideInto(l, healthy, healthyCap, out);
    if (healthy === 0) return;
    // The leaf's own ECMP toward its servers (installWeights with every path at AS-path length 1,
    // FRR's default missing rule; server values are all set or all absent).
    const rule = this.leafRule[l]!;
    const plain = this.plain(l, healthy);
    const ws = this.wScratch;
    let total = 0;
    let j = 0;
    for (let k = from; k < to; k++) {
      const s = p.servers[k]!;
      if (!baseLive[k] || serverFailed[s]) continue;
      const wk = plain ? 1 : ruleWeight(rule, this.serverBw(l, cap[s]!), cum, max);
      ws[j++] = wk;
      total += wk;
      if (w) w[k] = wk;
    }
    j = 0;
    let r = 0;
    let arg = -1;
    let a = 0;
    let b = 0;
    for (let k = from; k < to; k++) {
      const s = p.servers[k]!;
      if (!baseLive[k] || serverFailed[s]) continue;
      const x = ws[j++]! / total / cap[s]!;
      if (x > r) {
        r = x;
        arg = s;
      }
      a += x;
      b += x * x;
    }
    out.r = r;
    out.arg = arg;
    out.a = a;
    out.b = b;
  }

  /**
   * For a sweep: per capacity class instead of per server. Same results as perServer (the property
   * test runs both against the reference); falls back to it for fractional capacities and down leaves.
   */
  byClass(l: number, down: boolean, sc: FailedServers, out: LeafTerms): void {
    const c = this.k;
    if (!c.whole || down) {
      this.perServer(l, down, sc.serverFailed, out, null);
      return;
    }
    const p = this.p;
    const kFailed = this.kFailed;
    for (let i = 0; i < sc.failedServerCount; i++) {
      const s = sc.failedServers[i]!;
      const k = c.posOfServer[s]!;
      if (k >= 0 && c.classOfPos[k]! >= 0 && this.index.serverLeaf[s] === l) kFailed[c.classOfPos[k]!]!++;
    }
    const from = c.kStart[l]!;
    const to = c.kStart[l + 1]!;
    let healthy = 0;
    let healthyCap = 0;
    let cum = 0;
    let max = 0;
    for (let j = from; j < to; j++) {
      const n = c.kCount[j]! - kFailed[j]!;
      if (n === 0) continue;
      healthy += n;
      healthyCap += n * c.kCap[j]!;
      const bw = this.kBw[j]!;
      cum += n * bw;
      if (bw > max) max = bw;
    }
    out.n = healthy;
    out.cap = healthyCap;
    this.decideInto(l, healthy, healthyCap, out);
    out.r = 0;
    out.arg = -1;
    out.a = 0;
    out.b = 0;
    if (healthy > 0) {
      const rule = this.leafRule[l]!;
      const plain = this.plain(l, healthy);
      let total = 0;
      for (let j = from; j < to; j++) {
        const n = c.kCount[j]! - kFailed[j]!;
        if (n > 0) total += n * (plain ? 1 : ruleWeight(rule, this.kBw[j]!, cum, max));
      }
      let r = 0;
      let rClass = -1;
      let a = 0;
      let b = 0;
      for (let j = from; j < to; j++) {
        const n = c.kCount[j]! - kFailed[j]!;
        if (n === 0) continue;
        const x = (plain ? 1 : ruleWeight(rule, this.kBw[j]!, cum, max)) / total / c.kCap[j]!;
        if (x > r) {
          r = x;
          rClass = j;
        }
        a += n * x;
        b += n * x * x;
      }
      out.r = r;
      out.a = a;
      out.b = b;
      // The saturating server: the class's first member still up.
      for (let i = c.kMemberStart[rClass]!; i < c.kMemberStart[rClass + 1]!; i++) {
        const s = p.servers[c.kMembers[i]!]!;
        if (!sc.serverFailed[s]) {
          out.arg = s;
          break;
        }
      }
    }
    for (let j = from; j < to; j++) kFailed[j] = 0;
  }
}
