/**
 * Incremental evaluation of one prefix under one strategy for sweeps of failure scenarios. Gives the
 * same shares and metrics as the reference `evaluatePrefix` (a property test holds it to that), but:
 *
 * - the base state (every leaf's advertisement, its internal weights, per-leaf metric terms) is
 *   computed once; a scenario recomputes only the leaves it touches (a failed server's leaf, failed
 *   or cut-off leaves) and the spine groups' sums;
 * - leaves with the same advertisement and the same spine groups get the same weight on every spine,
 *   so unchanged leaves are handled per class: a scenario costs O(classes + touched leaves), and
 *   O(leaves) only in the worst case where every leaf advertises something different;
 * - metrics need no per-server shares: within a leaf, share/capacity is the leaf's share times a
 *   per-leaf constant, and Jain's sums factor the same way;
 * - everything lives in typed arrays allocated once; `evaluate` allocates nothing but the shared
 *   `decide()` result for each touched leaf.
 */
import type { LeafPolicy, Strategy, WeightModel } from '../fabric/types.js';
import type { FabricIndex, PrefixIndex } from '../forwarding/fabric-index.js';
import { quantize, receivedBytesPerSecond } from '../forwarding/weights.js';
import { capacityToMbps, decide } from '../policy/decide.js';
import type { ScenarioState } from './scenario-state.js';
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

/** Per leaf: what it advertises and the terms its servers contribute to the metrics. */
interface LeafTerms {
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

export class PrefixEvaluator {
  readonly prefix: number;
  readonly strategy: Strategy;
  private readonly index: FabricIndex;
  private readonly p: PrefixIndex;
  private readonly groups: SpineGroups;
  private readonly policy: LeafPolicy;
  private readonly weightServers: boolean;
  private readonly leafModel: WeightModel[];
  /** Per fabric server: its position in p.servers, or -1 when it does not announce this prefix. */
  private readonly posOfServer: Int32Array;
  /** Per fabric server: the link-bandwidth its path carries toward the leaf (bytes/s), 0 for none. */
  private readonly serverBw: Float64Array;
  /** Aligned with p.servers: up in the fixture's own states. */
  private readonly baseLive: Uint8Array;
  /** Aligned with p.servers: the leaf's base kernel weight toward the server; per leaf the total. */
  private readonly baseW: Float64Array;
  private readonly baseWTotal: Float64Array;

  // Base per-leaf terms.
  private readonly lUp: Uint8Array;
  private readonly lBw: Float64Array;
  private readonly lPrepend: Int32Array;
  private readonly lR: Float64Array;
  private readonly lArg: Int32Array;
  private readonly lA: Float64Array;
  private readonly lB: Float64Array;
  private readonly lN: Int32Array;
  private readonly lCap: Float64Array;
  private readonly classOf: Int32Array;

  // Classes: leaves with the same advertisement and spine groups.
  readonly classCount: number;
  private readonly cUp: Uint8Array;
  private readonly cBw: Float64Array;
  private readonly cPrepend: Int32Array;
  private readonly cSize: Int32Array;
  private readonly cA: Float64Array;
  private readonly cB: Float64Array;
  private readonly cN: Float64Array;
  private readonly cCap: Float64Array;
  /** Members sorted by r, largest first: the class maximum skips touched leaves. */
  private readonly cMemberStart: Int32Array;
  private readonly cMembers: Int32Array;
  /** A class's spine groups (those of any member). */
  private readonly cGroupStart: Int32Array;
  private readonly cGroups: Int32Array;
  /** Per group, the classes whose leaves it sees. */
  private readonly gClassStart: Int32Array;
  private readonly gClasses: Int32Array;

  // Scratch, reused by every evaluation.
  private readonly touched: Uint8Array;
  private readonly tLeaf: Int32Array;
  private readonly t: LeafTerms[];
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
  private readonly wScratch: Float64Array;
  /**
   * Servers of a leaf with the same capacity get the same weight, so a touched leaf is recomputed
   * per capacity class: per leaf l its classes are [kStart[l], kStart[l+1]), each with a capacity,
   * link-bandwidth, base-live count and members (positions in p.servers). Only used when capacities
   * are whole numbers, where summing per class gives bit-identical capacities to summing per server.
   */
  private readonly byCapacityClass: boolean;
  private readonly kStart: Int32Array;
  private readonly kCap: Float64Array;
  private readonly kBw: Float64Array;
  private readonly kCount: Int32Array;
  private readonly kMemberStart: Int32Array;
  private readonly kMembers: Int32Array;
  private readonly classOfPos: Int32Array;
  private readonly kFailed: Int32Array;
  /** Last decision per leaf, keyed by its healthy count and capacity (decide is pure). */
  private readonly dHealthy: Int32Array;
  private readonly dCap: Float64Array;
  private readonly dUp: Uint8Array;
  private readonly dBw: Float64Array;
  private readonly dPrepend: Int32Array;
  private readonly termScratch: LeafTerms = { up: 0, bw: 0, prepend: 0, r: 0, arg: -1, a: 0, b: 0, n: 0, cap: 0 };

  constructor(index: FabricIndex, groups: SpineGroups, prefix: number, strategy: Strategy, baseLeafDown: Uint8Array) {
    const { fabric } = index;
    this.index = index;
    this.groups = groups;
    this.prefix = prefix;
    this.strategy = strategy;
    this.p = index.prefixes[prefix]!;
    this.policy = fabric.policy;
    this.weightServers = strategy === 'ballast' && fabric.policy.weightServers;
    this.leafModel = fabric.leaves.map((l) => l.weights);
    const p = this.p;
    const nLeaves = fabric.leaves.length;
    const nServers = fabric.servers.length;

    this.posOfServer = new Int32Array(nServers).fill(-1);
    for (let k = 0; k < p.servers.length; k++) this.posOfServer[p.servers[k]!] = k;
    this.serverBw = new Float64Array(nServers);
    if (this.weightServers) for (let s = 0; s < nServers; s++) this.serverBw[s] = receivedBytesPerSecond(capacityToMbps(this.policy, index.serverCapacity[s]!));
    this.baseLive = Uint8Array.from(p.servers, (s) => (fabric.servers[s]!.state === 'up' ? 1 : 0));
    this.baseW = new Float64Array(p.servers.length);
    this.baseWTotal = new Float64Array(nLeaves);
    let maxPerLeaf = 0;
    for (let l = 0; l < nLeaves; l++) maxPerLeaf = Math.max(maxPerLeaf, p.leafStart[l + 1]! - p.leafStart[l]!);
    this.wScratch = new Float64Array(Math.max(1, maxPerLeaf));
    this.dHealthy = new Int32Array(nLeaves).fill(-1);
    this.dCap = new Float64Array(nLeaves);
    this.dUp = new Uint8Array(nLeaves);
    this.dBw = new Float64Array(nLeaves);
    this.dPrepend = new Int32Array(nLeaves);
    this.byCapacityClass = Array.from(p.servers).every((s) => Number.isInteger(index.serverCapacity[s]!));
    {
      const kStart = new Int32Array(nLeaves + 1);
      const kCap: number[] = [];
      const kBw: number[] = [];
      const kCount: number[] = [];
      const memberStart: number[] = [];
      const members: number[] = [];
      this.classOfPos = new Int32Array(p.servers.length).fill(-1);
      for (let l = 0; l < nLeaves; l++) {
        kStart[l] = kCap.length;
        const byCap = new Map<number, number[]>();
        for (let k = p.leafStart[l]!; k < p.leafStart[l + 1]!; k++) {
          if (!this.baseLive[k]) continue;
          const c = index.serverCapacity[p.servers[k]!]!;
          let list = byCap.get(c);
          if (!list) byCap.set(c, (list = []));
          list.push(k);
        }
        for (const [c, list] of byCap) {
          const j = kCap.length;
          kCap.push(c);
          kBw.push(this.serverBw[p.servers[list[0]!]!]!);
          kCount.push(list.length);
          memberStart.push(members.length);
          for (const k of list) {
            members.push(k);
            this.classOfPos[k] = j;
          }
        }
      }
      kStart[nLeaves] = kCap.length;
      memberStart.push(members.length);
      this.kStart = kStart;
      this.kCap = Float64Array.from(kCap);
      this.kBw = Float64Array.from(kBw);
      this.kCount = Int32Array.from(kCount);
      this.kMemberStart = Int32Array.from(memberStart);
      this.kMembers = Int32Array.from(members);
      this.kFailed = new Int32Array(kCap.length);
    }

    this.lUp = new Uint8Array(nLeaves);
    this.lBw = new Float64Array(nLeaves);
    this.lPrepend = new Int32Array(nLeaves);
    this.lR = new Float64Array(nLeaves);
    this.lArg = new Int32Array(nLeaves).fill(-1);
    this.lA = new Float64Array(nLeaves);
    this.lB = new Float64Array(nLeaves);
    this.lN = new Int32Array(nLeaves);
    this.lCap = new Float64Array(nLeaves);
    const noFailures = new Uint8Array(nServers);
    for (let l = 0; l < nLeaves; l++) {
      const t = this.termScratch;
      this.leafTerms(l, baseLeafDown[l] === 1, noFailures, t, this.baseW);
      this.lUp[l] = t.up;
      this.lBw[l] = t.bw;
      this.lPrepend[l] = t.prepend;
      this.lR[l] = t.r;
      this.lArg[l] = t.arg;
      this.lA[l] = t.a;
      this.lB[l] = t.b;
      this.lN[l] = t.n;
      this.lCap[l] = t.cap;
      let total = 0;
      for (let k = p.leafStart[l]!; k < p.leafStart[l + 1]!; k++) total += this.baseW[k]!;
      this.baseWTotal[l] = total;
    }

    // Classes by (spine groups, advertisement).
    const keyOf = (l: number) => `${groups.leafGroups.subarray(groups.leafStart[l]!, groups.leafStart[l + 1]!).join(',')}|${this.lUp[l]}|${this.lBw[l]}|${this.lPrepend[l]}`;
    const byKey = new Map<string, number[]>();
    for (let l = 0; l < nLeaves; l++) {
      const key = keyOf(l);
      let members = byKey.get(key);
      if (!members) byKey.set(key, (members = []));
      members.push(l);
    }
    const classes = [...byKey.values()];
    const nc = classes.length;
    this.classCount = nc;
    this.classOf = new Int32Array(nLeaves);
    this.cUp = new Uint8Array(nc);
    this.cBw = new Float64Array(nc);
    this.cPrepend = new Int32Array(nc);
    this.cSize = new Int32Array(nc);
    this.cA = new Float64Array(nc);
    this.cB = new Float64Array(nc);
    this.cN = new Float64Array(nc);
    this.cCap = new Float64Array(nc);
    this.cMemberStart = new Int32Array(nc + 1);
    this.cMembers = new Int32Array(nLeaves);
    this.cGroupStart = new Int32Array(nc + 1);
    const cGroups: number[] = [];
    const perGroup: number[][] = Array.from({ length: groups.count }, () => []);
    let at = 0;
    classes.forEach((members, c) => {
      const first = members[0]!;
      this.cUp[c] = this.lUp[first]!;
      this.cBw[c] = this.lBw[first]!;
      this.cPrepend[c] = this.lPrepend[first]!;
      this.cSize[c] = members.length;
      members.sort((x, y) => this.lR[y]! - this.lR[x]! || x - y);
      this.cMemberStart[c] = at;
      for (const l of members) {
        this.classOf[l] = c;
        this.cMembers[at++] = l;
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
    });
    this.cMemberStart[nc] = at;
    this.cGroupStart[nc] = cGroups.length;
    this.cGroups = Int32Array.from(cGroups);
    this.gClassStart = new Int32Array(groups.count + 1);
    const gClasses: number[] = [];
    perGroup.forEach((cs, g) => {
      this.gClassStart[g] = gClasses.length;
      gClasses.push(...cs);
    });
    this.gClassStart[groups.count] = gClasses.length;
    this.gClasses = Int32Array.from(gClasses);

    this.touched = new Uint8Array(nLeaves);
    this.tLeaf = new Int32Array(nLeaves);
    this.t = Array.from({ length: nLeaves }, () => ({ up: 0, bw: 0, prepend: 0, r: 0, arg: -1, a: 0, b: 0, n: 0, cap: 0 }));
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
  }

  /**
   * A leaf's advertisement and metric terms given which servers failed; writes the leaf's kernel
   * weights toward its servers into `w` (aligned with p.servers) when given.
   */
  private leafTerms(l: number, down: boolean, serverFailed: Uint8Array, out: LeafTerms, w: Float64Array | null): void {
    const p = this.p;
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
      if (!this.baseLive[k] || serverFailed[s]) continue;
      healthy++;
      healthyCap += cap[s]!;
      const bw = this.serverBw[s]!;
      cum += bw;
      if (bw > max) max = bw;
    }
    out.n = healthy;
    out.cap = healthyCap;
    const d = decide(this.strategy, this.policy, { healthyServers: healthy, healthyCapacity: healthyCap, configuredServers: p.configuredServers[l]!, configuredCapacity: p.configuredCapacity[l]! });
    const adv = d.advertisement;
    if (adv.kind === 'advertise') {
      out.up = 1;
      out.bw = adv.bandwidthMbps ? receivedBytesPerSecond(adv.bandwidthMbps) : 0;
      out.prepend = adv.prepend;
    }
    if (healthy === 0) return;
    // The leaf's own ECMP toward its servers (installWeights with every path at AS-path length 1,
    // FRR's default missing rule; server values are all set or all absent).
    const model = this.leafModel[l]!;
    const plain = model === 'ecmp' || healthy <= 1 || !this.weightServers;
    const ws = this.wScratch;
    let total = 0;
    let j = 0;
    for (let k = from; k < to; k++) {
      const s = p.servers[k]!;
      if (!this.baseLive[k] || serverFailed[s]) continue;
      const wk = plain ? 1 : quantize(model, this.serverBw[s]!, cum, max);
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
      if (!this.baseLive[k] || serverFailed[s]) continue;
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
   * leafTerms for a sweep: per capacity class instead of per server, and the decision from the
   * per-leaf cache. Same results as leafTerms (the property test runs both against the reference).
   */
  private leafTermsFast(l: number, sc: ScenarioState, out: LeafTerms): void {
    if (!this.byCapacityClass || sc.leafDown[l]) {
      this.leafTerms(l, sc.leafDown[l] === 1, sc.serverFailed, out, null);
      return;
    }
    const p = this.p;
    for (let i = 0; i < sc.failedServerCount; i++) {
      const s = sc.failedServers[i]!;
      const k = this.posOfServer[s]!;
      if (k >= 0 && this.classOfPos[k]! >= 0 && this.index.serverLeaf[s] === l) this.kFailed[this.classOfPos[k]!]!++;
    }
    const from = this.kStart[l]!;
    const to = this.kStart[l + 1]!;
    let healthy = 0;
    let healthyCap = 0;
    let cum = 0;
    let max = 0;
    for (let j = from; j < to; j++) {
      const n = this.kCount[j]! - this.kFailed[j]!;
      if (n === 0) continue;
      healthy += n;
      healthyCap += n * this.kCap[j]!;
      const bw = this.kBw[j]!;
      cum += n * bw;
      if (bw > max) max = bw;
    }
    out.n = healthy;
    out.cap = healthyCap;
    if (this.dHealthy[l] !== healthy || this.dCap[l] !== healthyCap) {
      const d = decide(this.strategy, this.policy, { healthyServers: healthy, healthyCapacity: healthyCap, configuredServers: p.configuredServers[l]!, configuredCapacity: p.configuredCapacity[l]! });
      const adv = d.advertisement;
      this.dHealthy[l] = healthy;
      this.dCap[l] = healthyCap;
      this.dUp[l] = adv.kind === 'advertise' ? 1 : 0;
      this.dBw[l] = adv.kind === 'advertise' && adv.bandwidthMbps ? receivedBytesPerSecond(adv.bandwidthMbps) : 0;
      this.dPrepend[l] = adv.kind === 'advertise' ? adv.prepend : 0;
    }
    out.up = this.dUp[l]!;
    out.bw = this.dBw[l]!;
    out.prepend = this.dPrepend[l]!;
    out.r = 0;
    out.arg = -1;
    out.a = 0;
    out.b = 0;
    if (healthy > 0) {
      const model = this.leafModel[l]!;
      const plain = model === 'ecmp' || healthy <= 1 || !this.weightServers;
      let total = 0;
      for (let j = from; j < to; j++) {
        const n = this.kCount[j]! - this.kFailed[j]!;
        if (n > 0) total += n * (plain ? 1 : quantize(model, this.kBw[j]!, cum, max));
      }
      let r = 0;
      let rClass = -1;
      let a = 0;
      let b = 0;
      for (let j = from; j < to; j++) {
        const n = this.kCount[j]! - this.kFailed[j]!;
        if (n === 0) continue;
        const x = (plain ? 1 : quantize(model, this.kBw[j]!, cum, max)) / total / this.kCap[j]!;
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
      for (let i = this.kMemberStart[rClass]!; i < this.kMemberStart[rClass + 1]!; i++) {
        const s = p.servers[this.kMembers[i]!]!;
        if (!sc.serverFailed[s]) {
          out.arg = s;
          break;
        }
      }
    }
    for (let j = from; j < to; j++) this.kFailed[j] = 0;
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
   * (what evaluatePrefix returns as leafShare, serverShare and serverLive).
   */
  materialize(sc: ScenarioState, out: EvalResult, leafShare: Float64Array, serverShare: Float64Array, serverLive: Uint8Array): void {
    this.touch(sc);
    this.spread(sc);
    this.collect(out);
    const p = this.p;
    const nLeaves = leafShare.length;
    for (let l = 0; l < nLeaves; l++) {
      const from = p.leafStart[l]!;
      const to = p.leafStart[l + 1]!;
      if (this.touched[l]) {
        let j = 0;
        while (this.tLeaf[j] !== l) j++;
        const t = this.t[j]!;
        const share = t.up ? this.tShare[j]! : 0;
        leafShare[l] = share;
        const w = this.baseW.slice(from, to).fill(0);
        this.leafTermsInto(l, sc, w, from);
        let total = 0;
        for (const x of w) total += x;
        for (let k = from; k < to; k++) {
          const live = !sc.leafDown[l] && this.baseLive[k] && !sc.serverFailed[p.servers[k]!] ? 1 : 0;
          serverLive[k] = live;
          serverShare[k] = live && share && total ? (share * w[k - from]!) / total : 0;
        }
      } else {
        const c = this.classOf[l]!;
        const share = this.cUp[c] ? this.cShare[c]! : 0;
        leafShare[l] = share;
        const total = this.baseWTotal[l]!;
        for (let k = from; k < to; k++) {
          const live = !sc.leafDown[l] && this.baseLive[k] ? 1 : 0;
          serverLive[k] = live;
          serverShare[k] = live && share && total ? (share * this.baseW[k]!) / total : 0;
        }
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
      const c = this.classOf[l]!;
      leafShare[l] = this.cUp[c] ? this.cShare[c]! : 0;
      leafCapacity[l] = this.lCap[l]!;
    }
    for (let j = 0; j < this.tCount; j++) {
      const t = this.t[j]!;
      leafShare[this.tLeaf[j]!] = t.up ? this.tShare[j]! : 0;
      leafCapacity[this.tLeaf[j]!] = t.cap;
    }
    this.untouch();
  }

  /** A touched leaf's weights for materialize (allocates; not on the sweep path). */
  private leafTermsInto(l: number, sc: ScenarioState, w: Float64Array, offset: number): void {
    const full = new Float64Array(this.p.servers.length);
    this.leafTerms(l, sc.leafDown[l] === 1, sc.serverFailed, { up: 0, bw: 0, prepend: 0, r: 0, arg: -1, a: 0, b: 0, n: 0, cap: 0 }, full);
    for (let k = 0; k < w.length; k++) w[k] = full[offset + k]!;
  }

  /** Recompute the leaves the scenario touches and take them out of their classes. */
  private touch(sc: ScenarioState): void {
    for (let i = 0; i < sc.downCount; i++) this.touchLeaf(sc.downLeaves[i]!, sc);
    for (let i = 0; i < sc.failedServerCount; i++) {
      const s = sc.failedServers[i]!;
      const k = this.posOfServer[s]!;
      if (k < 0 || !this.baseLive[k]) continue;
      this.touchLeaf(this.index.serverLeaf[s]!, sc);
    }
  }

  private touchLeaf(l: number, sc: ScenarioState): void {
    if (this.touched[l]) return;
    this.touched[l] = 1;
    const j = this.tCount++;
    this.tLeaf[j] = l;
    this.leafTermsFast(l, sc, this.t[j]!);
    const c = this.classOf[l]!;
    this.cRemoved[c]!++;
    this.cRemA[c]! += this.lA[l]!;
    this.cRemB[c]! += this.lB[l]!;
    this.cRemN[c]! += this.lN[l]!;
    this.cRemCap[c]! += this.lCap[l]!;
  }

  private untouch(): void {
    for (let j = 0; j < this.tCount; j++) {
      const l = this.tLeaf[j]!;
      this.touched[l] = 0;
      const c = this.classOf[l]!;
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
    const G = this.groups.count;
    let ingressTotal = 0;
    for (let g = 0; g < G; g++) {
      this.gTotal[g] = 0;
      if (sc.groupLive[g] === 0) continue;
      // The ECMP set: the shortest AS paths among advertising leaves (multipath-relax).
      let best = Infinity;
      for (let i = this.gClassStart[g]!; i < this.gClassStart[g + 1]!; i++) {
        const c = this.gClasses[i]!;
        if (this.cUp[c] && this.cSize[c]! > this.cRemoved[c]! && 2 + this.cPrepend[c]! < best) best = 2 + this.cPrepend[c]!;
      }
      for (let j = 0; j < this.tCount; j++) {
        const t = this.t[j]!;
        if (t.up && 2 + t.prepend < best && this.leafInGroup(this.tLeaf[j]!, g)) best = 2 + t.prepend;
      }
      if (best === Infinity) continue;
      let inSet = 0;
      let withBw = 0;
      let cum = 0;
      let max = 0;
      for (let i = this.gClassStart[g]!; i < this.gClassStart[g + 1]!; i++) {
        const c = this.gClasses[i]!;
        const n = this.cSize[c]! - this.cRemoved[c]!;
        if (!this.cUp[c] || n === 0 || 2 + this.cPrepend[c]! !== best) continue;
        inSet += n;
        const bw = this.cBw[c]!;
        if (bw > 0) {
          withBw += n;
          cum += bw * n;
          if (bw > max) max = bw;
        }
      }
      for (let j = 0; j < this.tCount; j++) {
        const t = this.t[j]!;
        if (!t.up || 2 + t.prepend !== best || !this.leafInGroup(this.tLeaf[j]!, g)) continue;
        inSet++;
        if (t.bw > 0) {
          withBw++;
          cum += t.bw;
          if (t.bw > max) max = t.bw;
        }
      }
      const model = this.groups.model[g]!;
      const missing = this.groups.missing[g]!;
      this.gBest[g] = best;
      this.gPlain[g] = model === 'ecmp' || inSet <= 1 || withBw === 0 || (missing === 'ecmp-fallback' && withBw < inSet) ? 1 : 0;
      this.gCum[g] = cum;
      this.gMax[g] = max;
      let total = 0;
      for (let i = this.gClassStart[g]!; i < this.gClassStart[g + 1]!; i++) {
        const c = this.gClasses[i]!;
        const n = this.cSize[c]! - this.cRemoved[c]!;
        if (!this.cUp[c] || n === 0) continue;
        total += n * this.weight(g, this.cBw[c]!, this.cPrepend[c]!);
      }
      for (let j = 0; j < this.tCount; j++) {
        const t = this.t[j]!;
        if (t.up && this.leafInGroup(this.tLeaf[j]!, g)) total += this.weight(g, t.bw, t.prepend);
      }
      this.gTotal[g] = total;
      if (total > 0) ingressTotal += sc.groupIngress[g]!;
    }
    for (let g = 0; g < G; g++) this.gCoef[g] = ingressTotal > 0 && this.gTotal[g]! > 0 ? sc.groupIngress[g]! / ingressTotal : 0;

    const nc = this.classCount;
    for (let c = 0; c < nc; c++) {
      let share = 0;
      if (this.cUp[c] && this.cSize[c]! > this.cRemoved[c]!) {
        for (let i = this.cGroupStart[c]!; i < this.cGroupStart[c + 1]!; i++) {
          const g = this.cGroups[i]!;
          if (this.gCoef[g]! > 0) share += (this.gCoef[g]! * this.weight(g, this.cBw[c]!, this.cPrepend[c]!)) / this.gTotal[g]!;
        }
      }
      this.cShare[c] = share;
    }
    for (let j = 0; j < this.tCount; j++) {
      const t = this.t[j]!;
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
    let maxPerCap = 0;
    let arg = -1;
    let liveCap = 0;
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    const nc = this.classCount;
    for (let c = 0; c < nc; c++) {
      const left = this.cSize[c]! - this.cRemoved[c]!;
      if (left === 0) continue;
      liveCap += this.cCap[c]! - this.cRemCap[c]!;
      n += this.cN[c]! - this.cRemN[c]!;
      const share = this.cShare[c]!;
      if (share === 0) continue;
      sum += share * (this.cA[c]! - this.cRemA[c]!);
      sumSq += share * share * (this.cB[c]! - this.cRemB[c]!);
      for (let i = this.cMemberStart[c]!; i < this.cMemberStart[c + 1]!; i++) {
        const l = this.cMembers[i]!;
        if (this.touched[l]) continue;
        const x = share * this.lR[l]!;
        if (x > maxPerCap) {
          maxPerCap = x;
          arg = this.lArg[l]!;
        }
        break;
      }
    }
    for (let j = 0; j < this.tCount; j++) {
      const t = this.t[j]!;
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
    if (2 + prepend !== this.gBest[g]) return 0;
    if (this.gPlain[g]) return 1;
    if (bw === 0) return this.groups.missing[g] === 'skip-missing' ? 0 : 1;
    return quantize(this.groups.model[g]!, bw, this.gCum[g]!, this.gMax[g]!);
  }

  private leafInGroup(l: number, g: number): boolean {
    const lg = this.groups.leafGroups;
    for (let i = this.groups.leafStart[l]!; i < this.groups.leafStart[l + 1]!; i++) if (lg[i] === g) return true;
    return false;
  }

  /** The base state's class count and leaf advertisement of a leaf (for reports). */
  baseLeaf(l: number): { readonly up: boolean; readonly bw: number; readonly prepend: number } {
    return { up: this.lUp[l] === 1, bw: this.lBw[l]!, prepend: this.lPrepend[l]! };
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
