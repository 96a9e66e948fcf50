/**
 * What a sweep keeps from the scenarios it evaluates: per strategy and prefix the worst figures and
 * where, the worst scenarios overall and per kind of failure, outages, coverage counts and the seeds
 * for a beam search. Plain data, so a worker thread can send it back as it is.
 *
 * Every "worst" is the least (value, seq) pair, seq being the scenario's place in the sequential
 * enumeration order: ties go to the scenario enumerated first. That makes merging two outcomes of
 * disjoint scenario sets give exactly what one sweep over both would have kept, whatever the
 * partition or the order the parts finish in: the same report for 1 and N workers.
 */
import type { SweepEngine } from './engine.js';

export interface ScenarioHit {
  readonly elements: readonly number[];
  /** Safe load as a multiple of the reference load, over all prefixes (the smallest). */
  readonly factor: number;
  /** The prefix that limits it and the server that saturates first there (-1 when none). */
  readonly prefix: number;
  readonly server: number;
  /** Position in the sequential enumeration (ties between equal factors go to the smaller). */
  readonly seq: number;
}

export interface PrefixWorst {
  /** Smallest safe load (1 / max share-per-capacity) over the covered scenarios. */
  safeLoad: number;
  elements: number[];
  server: number;
  seq: number;
  /** Scenarios that overload this prefix at its offered load. */
  overloads: number;
  /** Largest max share over ideal share (quantization and imbalance), and where. */
  maxOverIdeal: number;
  overIdealElements: number[];
  overIdealSeq: number;
}

export interface StrategyOutcome {
  readonly worst: ScenarioHit[];
  /**
   * The worst scenario per mix of failed kinds, indexed by a bit mask (1 spines, 2 leaves, 4 servers):
   * a leaf failure often dominates, and the worst server-only scenario is where strategies differ.
   */
  readonly byKind: (ScenarioHit | null)[];
  readonly prefixes: PrefixWorst[];
  /** Scenarios in which some prefix is overloaded at its offered load. */
  overloadedScenarios: number;
}

/** Scenarios that leave some prefix without any live capacity (every path to it failed). */
export interface Outages {
  count: number;
  readonly examples: number[][];
  /** seq of each example (the first ones enumerated are kept). */
  readonly exampleSeq: number[];
}

export interface OrderCounts {
  /** Scenarios covered (each representative counts for all the scenarios equivalent to it). */
  evaluated: number;
  /** Representatives actually evaluated. */
  representatives: number;
  interrupted: boolean;
}

export interface SweepOutcome {
  readonly strategies: StrategyOutcome[];
  readonly outages: Outages;
  /** Per number of failures 0..k. */
  readonly orders: OrderCounts[];
  /** Per number of failures, per strategy: the worst scenarios (seeds for the next order's beam search). */
  readonly beams: ScenarioHit[][][];
}

export interface OutcomeLimits {
  readonly keepWorst: number;
  readonly beamWidth: number;
}

export const KIND_BITS = { spine: 1, leaf: 2, server: 4, link: 8, uplink: 16 } as const;

export function newOutcome(strategies: number, prefixes: number, k: number): SweepOutcome {
  return {
    strategies: Array.from({ length: strategies }, () => ({
      worst: [],
      byKind: new Array<ScenarioHit | null>(32).fill(null),
      prefixes: Array.from({ length: prefixes }, () => ({ safeLoad: Infinity, elements: [], server: -1, seq: Infinity, overloads: 0, maxOverIdeal: 0, overIdealElements: [], overIdealSeq: Infinity })),
      overloadedScenarios: 0,
    })),
    outages: { count: 0, examples: [], exampleSeq: [] },
    orders: Array.from({ length: k + 1 }, () => ({ evaluated: 0, representatives: 0, interrupted: false })),
    beams: Array.from({ length: k + 1 }, () => Array.from({ length: strategies }, () => [])),
  };
}

/**
 * Evaluate the scenario in ids[0..count) (`order` failures, standing for `weight` equivalent
 * scenarios, enumerated at `seq`) and keep what it shows. Allocates only when it improves a record.
 */
export function recordScenario(out: SweepOutcome, engine: SweepEngine, ids: Int32Array, count: number, weight: number, seq: number, limits: OutcomeLimits): void {
  engine.run(ids, count);
  const order = out.orders[count]!;
  order.representatives++;
  order.evaluated += weight;
  const S = engine.strategies.length;
  const P = engine.nPrefixes;
  if (engine.outage()) {
    out.outages.count += weight;
    if (out.outages.examples.length < limits.keepWorst) {
      out.outages.examples.push(Array.from(ids.subarray(0, count)));
      out.outages.exampleSeq.push(seq);
    }
  }
  const beams = out.beams[count]!;
  for (let s = 0; s < S; s++) {
    const so = out.strategies[s]!;
    const factor = engine.factor(s);
    const prefix = engine.limitingPrefix;
    let overloaded = false;
    for (let p = 0; p < P; p++) {
      const live = engine.liveCapacity[s * P + p]!;
      if (live === 0) continue;
      const mpc = engine.maxPerCap[s * P + p]!;
      const safe = mpc > 0 ? 1 / mpc : 0;
      const pw = so.prefixes[p]!;
      if (engine.offeredLoad[p]! * mpc > 1 + 1e-9) {
        overloaded = true;
        pw.overloads += weight;
      }
      const overIdeal = mpc * live;
      if (overIdeal > pw.maxOverIdeal) {
        pw.maxOverIdeal = overIdeal;
        pw.overIdealElements = Array.from(ids.subarray(0, count));
        pw.overIdealSeq = seq;
      }
      if (safe < pw.safeLoad) {
        pw.safeLoad = safe;
        pw.elements = Array.from(ids.subarray(0, count));
        pw.server = engine.argServer[s * P + p]!;
        pw.seq = seq;
      }
    }
    if (overloaded) so.overloadedScenarios += weight;
    if (factor === Infinity) continue;
    const server = engine.argServer[s * P + prefix]!;
    let kind = 0;
    for (let i = 0; i < count; i++) kind |= KIND_BITS[engine.elementKind(ids[i]!)];
    const byKind = so.byKind[kind];
    if (!byKind || factor < byKind.factor) so.byKind[kind] = { elements: Array.from(ids.subarray(0, count)), factor, prefix, server, seq };
    keepWorst(so.worst, limits.keepWorst, factor, seq, () => ({ elements: Array.from(ids.subarray(0, count)), factor, prefix, server, seq }));
    keepWorst(beams[s]!, limits.beamWidth, factor, seq, () => ({ elements: Array.from(ids.subarray(0, count)), factor, prefix, server, seq }));
  }
}

/** a before b: the smaller value, ties to the earlier scenario. */
const before = (av: number, aSeq: number, bv: number, bSeq: number) => av < bv || (av === bv && aSeq < bSeq);

/** Insert into a list kept sorted by (factor, seq), at most `limit` long; builds the hit only on insert. */
function keepWorst(list: ScenarioHit[], limit: number, factor: number, seq: number, hit: () => ScenarioHit): void {
  if (limit <= 0) return;
  const last = list[list.length - 1];
  if (list.length >= limit && last && !before(factor, seq, last.factor, last.seq)) return;
  let at = list.length;
  while (at > 0 && before(factor, seq, list[at - 1]!.factor, list[at - 1]!.seq)) at--;
  list.splice(at, 0, hit());
  if (list.length > limit) list.pop();
}

/** Fold `from` (disjoint scenarios) into `into`: the same as if one sweep had seen both. */
export function mergeOutcome(into: SweepOutcome, from: SweepOutcome, limits: OutcomeLimits): void {
  into.strategies.forEach((a, s) => {
    const b = from.strategies[s]!;
    a.overloadedScenarios += b.overloadedScenarios;
    for (const h of b.worst) keepWorst(a.worst, limits.keepWorst, h.factor, h.seq, () => h);
    b.byKind.forEach((h, kind) => {
      const cur = a.byKind[kind];
      if (h && (!cur || before(h.factor, h.seq, cur.factor, cur.seq))) a.byKind[kind] = h;
    });
    a.prefixes.forEach((pa, p) => {
      const pb = b.prefixes[p]!;
      pa.overloads += pb.overloads;
      if (before(pb.safeLoad, pb.seq, pa.safeLoad, pa.seq)) {
        pa.safeLoad = pb.safeLoad;
        pa.elements = pb.elements;
        pa.server = pb.server;
        pa.seq = pb.seq;
      }
      // The largest over-ideal ratio: before() on its negation.
      if (before(-pb.maxOverIdeal, pb.overIdealSeq, -pa.maxOverIdeal, pa.overIdealSeq)) {
        pa.maxOverIdeal = pb.maxOverIdeal;
        pa.overIdealElements = pb.overIdealElements;
        pa.overIdealSeq = pb.overIdealSeq;
      }
    });
  });
  into.outages.count += from.outages.count;
  const examples = [...into.outages.examples.map((e, i) => ({ e, seq: into.outages.exampleSeq[i]! })), ...from.outages.examples.map((e, i) => ({ e, seq: from.outages.exampleSeq[i]! }))]
    .sort((x, y) => x.seq - y.seq)
    .slice(0, limits.keepWorst);
  into.outages.examples.splice(0, Infinity, ...examples.map((x) => x.e));
  into.outages.exampleSeq.splice(0, Infinity, ...examples.map((x) => x.seq));
  into.orders.forEach((a, i) => {
    const b = from.orders[i]!;
    a.evaluated += b.evaluated;
    a.representatives += b.representatives;
    a.interrupted ||= b.interrupted;
  });
  into.beams.forEach((perStrategy, i) => perStrategy.forEach((list, s) => {
    for (const h of from.beams[i]![s]!) keepWorst(list, limits.beamWidth, h.factor, h.seq, () => h);
  }));
}
