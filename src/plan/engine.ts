/**
 * The sweep engine: one incremental evaluator per prefix and strategy over a shared scenario state.
 * `run(elements)` evaluates one failure scenario for all of them into flat typed arrays, allocating
 * nothing, so a sweep of millions of scenarios costs only arithmetic.
 */
import type { Fabric, FleetStrategy } from '../fabric/types.js';
import { indexFabric, uplinkName, type FabricIndex } from '../forwarding/fabric-index.js';
import { newEvalResult, PrefixEvaluator, type EvalResult } from './fast-eval.js';
import { evaluateFabricPrefix } from '../forwarding/tiers.js';
import { BallastError, quote } from '../util/errors.js';
import { ScenarioState } from './scenario-state.js';
import { elementItems, prefixServerClasses, samePrefixes, sweepsLinks } from './elements.js';
import { groupSpines, type SpineGroups } from './spine-groups.js';

export class SweepEngine {
  readonly index: FabricIndex;
  readonly groups: SpineGroups;
  readonly strategies: readonly FleetStrategy[];
  readonly nPrefixes: number;
  readonly state: ScenarioState;
  /** Per (strategy, prefix) at [s * nPrefixes + p]: the last scenario's terms. */
  readonly maxPerCap: Float64Array;
  readonly argServer: Int32Array;
  readonly liveCapacity: Float64Array;
  /** Per prefix: the load safe loads are measured against (offered load, or capacity when none is offered). */
  readonly referenceLoad: Float64Array;
  readonly offeredLoad: Float64Array;
  /** Failable elements: every spine and leaf, every server up in the fixture, and the links when swept (elements.ts). */
  readonly elements: Int32Array;
  /**
   * The elements as interchangeable groups ("items"): each spine and leaf alone; servers with the
   * same leaf, capacity and prefixes together, since failing any j of them gives the same shares up
   * to which server is which (same decision, same multiset of leaf weights). A sweep evaluates one
   * representative per choice of counts and weighs it by how many scenarios it stands for. Item t's
   * members are itemMembers[itemStart[t] .. itemStart[t+1]); with symmetry off, every item has one.
   */
  readonly itemStart: Int32Array;
  readonly itemMembers: Int32Array;
  /**
   * Distinct evaluators: prefixes announced by exactly the same servers get the same shares in every
   * scenario (a leaf's decision and weights depend only on which of its servers announce the prefix),
   * so they share one. evalOf[s * nPrefixes + p] is the evaluator of strategy s and prefix p.
   */
  private readonly evaluators: PrefixEvaluator[];
  private readonly evalOf: Int32Array;
  private readonly evalMax: Float64Array;
  private readonly evalArg: Int32Array;
  private readonly evalCap: Float64Array;
  private readonly result: EvalResult = newEvalResult();

  /** `links`: fail leaf-spine links too (default where the fabric is small enough, elements.ts sweepsLinks). */
  constructor(fabricOrIndex: Fabric | FabricIndex, strategies: readonly FleetStrategy[], maxFailures: number, symmetry = true, links?: boolean) {
    this.index = 'fabric' in fabricOrIndex ? fabricOrIndex : indexFabric(fabricOrIndex);
    const index = this.index;
    // The incremental evaluator sees one path per leaf and spine group; parallel links are more.
    if (index.parallelLinks) throw new BallastError('E_USAGE', `Cannot plan ${quote(index.fabric.name)}: it has parallel leaf-spine links, which the sweep engine does not model yet (whatif does)`);
    this.tiered = (index.fabric.superspines?.length ?? 0) > 0;
    this.groups = groupSpines(index);
    this.strategies = strategies;
    this.nPrefixes = index.prefixes.length;
    this.state = new ScenarioState(index, this.groups, maxFailures);
    const sameAs = samePrefixes(index);
    this.evaluators = [];
    const n = strategies.length * this.nPrefixes;
    this.evalOf = new Int32Array(n);
    strategies.forEach((s, si) => {
      for (let p = 0; p < this.nPrefixes; p++) {
        const rep = sameAs[p]!;
        if (rep === p) {
          this.evalOf[si * this.nPrefixes + p] = this.evaluators.length;
          this.evaluators.push(new PrefixEvaluator(index, this.groups, p, s, this.state.leafDown, prefixServerClasses(index, p)));
        } else this.evalOf[si * this.nPrefixes + p] = this.evalOf[si * this.nPrefixes + rep]!;
      }
    });
    this.evalMax = new Float64Array(this.evaluators.length);
    this.evalArg = new Int32Array(this.evaluators.length);
    this.evalCap = new Float64Array(this.evaluators.length);
    this.maxPerCap = new Float64Array(n);
    this.argServer = new Int32Array(n);
    this.liveCapacity = new Float64Array(n);
    this.offeredLoad = Float64Array.from(index.prefixes, (p) => p.service.load);
    this.referenceLoad = Float64Array.from(index.prefixes, (p) => {
      if (p.service.load > 0) return p.service.load;
      let cap = 0;
      for (let k = 0; k < p.servers.length; k++) if (index.fabric.servers[p.servers[k]!]!.state === 'up') cap += index.serverCapacity[p.servers[k]!]!;
      return cap;
    });
    const items = elementItems(index, symmetry, links ?? sweepsLinks(index));
    this.elements = items.elements;
    this.itemStart = items.itemStart;
    this.itemMembers = items.itemMembers;
  }

  get itemCount(): number {
    return this.itemStart.length - 1;
  }

  evaluator(strategy: number, prefix: number): PrefixEvaluator {
    return this.evaluators[this.evalOf[strategy * this.nPrefixes + prefix]!]!;
  }

  /** Whether the last scenario left some prefix without any live capacity. */
  outage(): boolean {
    for (let p = 0; p < this.nPrefixes; p++) if (this.liveCapacity[p] === 0 && this.referenceLoad[p]! > 0) return true;
    return false;
  }

  /** Evaluate one scenario (element ids, see ScenarioState) for every strategy and prefix. */
  run(elements: ArrayLike<number>, count: number): void {
    const sc = this.state;
    sc.apply(elements, count);
    const r = this.result;
    if (this.byReference()) this.runReference();
    else {
      for (let e = 0; e < this.evaluators.length; e++) {
        this.evaluators[e]!.evaluate(sc, r);
        this.evalMax[e] = r.maxPerCap;
        this.evalArg[e] = r.argServer;
        this.evalCap[e] = r.liveCapacity;
      }
    }
    for (let i = 0; i < this.evalOf.length; i++) {
      const e = this.evalOf[i]!;
      this.maxPerCap[i] = this.evalMax[e]!;
      this.argServer[i] = this.evalArg[e]!;
      this.liveCapacity[i] = this.evalCap[e]!;
    }
    sc.clear();
  }

  /**
   * Safe load of strategy s over all prefixes, as a multiple of each prefix's reference load (the
   * smallest), over the prefixes that still have live capacity; Infinity when none has. Returns
   * the factor and leaves the limiting prefix in `limitingPrefix` (no object per call: hot loop).
   */
  factor(s: number): number {
    let worst = Infinity;
    let at = 0;
    const P = this.nPrefixes;
    for (let p = 0; p < P; p++) {
      // A prefix with no live capacity left is an outage, not an overload: counted apart.
      if (this.liveCapacity[s * P + p] === 0) continue;
      const m = this.maxPerCap[s * P + p]!;
      const ref = this.referenceLoad[p]!;
      const f = m > 0 ? 1 / m / (ref > 0 ? ref : 1) : ref > 0 ? 0 : Infinity;
      if (f < worst) {
        worst = f;
        at = p;
      }
    }
    this.limitingPrefix = at;
    return worst;
  }

  /** The prefix that limited the last `factor` call. */
  limitingPrefix = 0;

  elementName(e: number): string {
    const f = this.index.fabric;
    const S = f.spines.length;
    const L = f.leaves.length;
    if (e < S) return f.spines[e]!.name;
    if (e < S + L) return f.leaves[e - S]!.name;
    if (e < S + L + f.servers.length) return f.servers[e - S - L]!.name;
    const k = e - S - L - f.servers.length;
    return k < this.index.linkLeaf.length ? this.index.linkNames[k]! : uplinkName(this.index, k - this.index.linkLeaf.length);
  }

  elementKind(e: number): 'spine' | 'leaf' | 'server' | 'link' | 'uplink' {
    const f = this.index.fabric;
    if (e < f.spines.length) return 'spine';
    if (e < f.spines.length + f.leaves.length) return 'leaf';
    if (e < f.spines.length + f.leaves.length + f.servers.length) return 'server';
    return e < f.spines.length + f.leaves.length + f.servers.length + this.index.linkLeaf.length ? 'link' : 'uplink';
  }

  /**
   * The applied scenario's shares of strategy s and prefix p (leaf shares, server shares and
   * liveness aligned with the prefix's servers): the incremental evaluator, or the reference code
   * when a link failed.
   */
  materialize(s: number, p: number, leafShare: Float64Array, serverShare: Float64Array, serverLive: Uint8Array): void {
    const sc = this.state;
    if (!this.byReference()) {
      this.evaluator(s, p).materialize(sc, newEvalResult(), leafShare, serverShare, serverLive);
      return;
    }
    const f = evaluateFabricPrefix(this.index, p, this.strategies[s]!, sc.liveness()).f;
    leafShare.set(f.leafShare);
    serverShare.set(f.serverShare);
    serverLive.set(f.serverLive);
  }

  /** The applied scenario's per-leaf shares and live capacities of strategy s and prefix p. */
  leafShares(s: number, p: number, share: Float64Array, capacity: Float64Array): void {
    const sc = this.state;
    if (!this.byReference()) {
      this.evaluator(s, p).leafShares(sc, share, capacity);
      return;
    }
    const pi = this.index.prefixes[p]!;
    const f = evaluateFabricPrefix(this.index, p, this.strategies[s]!, sc.liveness()).f;
    share.set(f.leafShare);
    capacity.fill(0);
    for (let l = 0; l < pi.leafStart.length - 1; l++) {
      for (let k = pi.leafStart[l]!; k < pi.leafStart[l + 1]!; k++) if (f.serverLive[k]) capacity[l]! += this.index.serverCapacity[pi.servers[k]!]!;
    }
  }

  /**
   * Whether the applied scenario goes to the reference code (what whatif runs): a failed link, or a
   * fabric with super-spines, whose spines' ingress comes from the tiers above (forwarding/tiers.ts),
   * which the incremental evaluator's fixed ingress shares cannot express.
   */
  private byReference(): boolean {
    return this.state.failedLinkCount > 0 || this.tiered;
  }

  private readonly tiered: boolean;

  /** One scenario with a failed link, for every evaluator: the reference code's shares, summarised as the incremental evaluator does. */
  private runReference(): void {
    const live = this.state.liveness();
    const cap = this.index.serverCapacity;
    for (let e = 0; e < this.evaluators.length; e++) {
      const ev = this.evaluators[e]!;
      const pi = this.index.prefixes[ev.prefix]!;
      const f = evaluateFabricPrefix(this.index, ev.prefix, ev.strategy, live).f;
      let max = 0;
      let arg = -1;
      let liveCap = 0;
      for (let k = 0; k < pi.servers.length; k++) {
        if (!f.serverLive[k]) continue;
        const c = cap[pi.servers[k]!]!;
        liveCap += c;
        const x = f.serverShare[k]! / c;
        if (x > max) {
          max = x;
          arg = pi.servers[k]!;
        }
      }
      this.evalMax[e] = max;
      this.evalArg[e] = arg;
      this.evalCap[e] = liveCap;
    }
  }
}
