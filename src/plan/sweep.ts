/**
 * N-k sweeps: every scenario of up to k failed elements while the count fits the budget; past it,
 * a beam search that extends the worst scenarios found so far one failure at a time. The result says
 * exactly what was and was not covered. Pure: progress and cancellation come in as callbacks.
 *
 * Interchangeable servers (same leaf, capacity and prefixes; see SweepEngine items) are enumerated
 * once per count: failing server01+server02 or server05+server07 of the same leaf gives the same
 * result, so one representative is evaluated and counted for all the scenarios it stands for.
 */
import type { SweepEngine } from './engine.js';

export interface SweepOptions {
  readonly k: number;
  /** Most evaluations (representative scenarios) in total, the base scenario included. */
  readonly budget: number;
  /** Scenarios kept per order and strategy as seeds for the next order when it is searched. */
  readonly beamWidth: number;
  /** Worst scenarios reported per strategy. */
  readonly keepWorst: number;
  /** sweepSteps yields progress every this many scenarios (default 1024). */
  readonly progressEvery?: number;
  /** Polled between scenarios; true stops the sweep cleanly with partial coverage. */
  readonly shouldStop?: () => boolean;
}

export interface ScenarioHit {
  readonly elements: readonly number[];
  /** Safe load as a multiple of the reference load, over all prefixes (the smallest). */
  readonly factor: number;
  /** The prefix that limits it and the server that saturates first there (-1 when none). */
  readonly prefix: number;
  readonly server: number;
}

export interface PrefixWorst {
  /** Smallest safe load (1 / max share-per-capacity) over the covered scenarios. */
  safeLoad: number;
  elements: number[];
  server: number;
  /** Scenarios that overload this prefix at its offered load. */
  overloads: number;
  /** Largest max share over ideal share (quantization and imbalance), and where. */
  maxOverIdeal: number;
  overIdealElements: number[];
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

export interface OrderCoverage {
  readonly failures: number;
  /** C(elements, failures). */
  readonly total: number;
  /** Scenarios covered (each representative counts for all the scenarios equivalent to it). */
  evaluated: number;
  /** Representatives actually evaluated. */
  representatives: number;
  method: 'exhaustive' | 'beam' | 'none';
  /** The sweep was stopped (Ctrl-C) while on this order. */
  interrupted: boolean;
}

/** Scenarios that leave some prefix without any live capacity (every path to it failed). */
export interface Outages {
  count: number;
  readonly examples: number[][];
}

export interface SweepResult {
  readonly strategies: StrategyOutcome[];
  readonly outages: Outages;
  readonly orders: OrderCoverage[];
  /** Scenarios covered, and evaluations done (fewer when equivalent servers share one). */
  readonly evaluated: number;
  readonly representatives: number;
  readonly complete: boolean;
  readonly interrupted: boolean;
  readonly elementCount: number;
}

export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * Representative scenarios per number of failures, for items of the given sizes: the coefficients
 * of the product over items of (1 + x + ... + x^size), up to x^k.
 */
export function representativeCounts(itemSizes: ArrayLike<number>, k: number): number[] {
  let poly = [1, ...new Array<number>(k).fill(0)];
  for (let t = 0; t < itemSizes.length; t++) {
    const size = Math.min(itemSizes[t]!, k);
    const next = new Array<number>(k + 1).fill(0);
    for (let d = 0; d <= k; d++) {
      if (poly[d] === 0) continue;
      for (let j = 0; j <= size && d + j <= k; j++) next[d + j]! += poly[d]!;
    }
    poly = next;
  }
  return poly;
}

/** How many orders (0..m) an exhaustive sweep can afford: the largest m whose representatives fit the budget. */
export function exhaustiveOrders(counts: readonly number[], budget: number): number {
  let sum = 0;
  let m = -1;
  for (let i = 0; i < counts.length; i++) {
    sum += counts[i]!;
    if (sum > budget) break;
    m = i;
  }
  return m;
}

export interface Progress {
  readonly phase: string;
  readonly done: number;
  readonly planned: number;
}

/** Run a sweep to the end without yielding. */
export function sweep(engine: SweepEngine, o: SweepOptions): SweepResult {
  return drain(sweepSteps(engine, o));
}

export function drain<T>(steps: Generator<Progress, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The sweep as a generator: it yields progress every few thousand scenarios, so a caller can give
 * the event loop a turn (signals, timers) and poll `shouldStop` between yields.
 */
export function* sweepSteps(engine: SweepEngine, o: SweepOptions, phase = 'scenarios'): Generator<Progress, SweepResult> {
  const E = engine.elements.length;
  const S = engine.strategies.length;
  const P = engine.nPrefixes;
  const k = Math.min(o.k, E);
  const nItems = engine.itemCount;
  const itemStart = engine.itemStart;
  const itemSize = Int32Array.from({ length: nItems }, (_, t) => itemStart[t + 1]! - itemStart[t]!);
  const itemOf = new Map<number, number>();
  for (let t = 0; t < nItems; t++) for (let x = itemStart[t]!; x < itemStart[t + 1]!; x++) itemOf.set(engine.itemMembers[x]!, t);
  const reps = representativeCounts(itemSize, k);
  const m = exhaustiveOrders(reps, o.budget);
  const orders: OrderCoverage[] = [];
  for (let i = 0; i <= k; i++) orders.push({ failures: i, total: binomial(E, i), evaluated: 0, representatives: 0, method: i <= m ? 'exhaustive' : 'none', interrupted: false });
  const outcomes: StrategyOutcome[] = Array.from({ length: S }, () => ({
    worst: [],
    byKind: new Array<ScenarioHit | null>(8).fill(null),
    prefixes: Array.from({ length: P }, () => ({ safeLoad: Infinity, elements: [], server: -1, overloads: 0, maxOverIdeal: 0, overIdealElements: [] })),
    overloadedScenarios: 0,
  }));
  const outages: Outages = { count: 0, examples: [] };
  let planned = 0;
  for (let i = 0; i <= m; i++) planned += reps[i]!;
  let done = 0;
  let stopped = false;
  const every = o.progressEvery ?? 1024;
  // Per strategy, the worst scenarios of the order being swept: seeds for the beam search.
  let beam: ScenarioHit[][] = Array.from({ length: S }, () => []);
  const combo = new Int32Array(Math.max(1, k));
  const ids = new Int32Array(Math.max(1, k));

  /** Evaluate the scenario in ids[0..count), standing for `weight` equivalent scenarios. */
  const record = (count: number, order: OrderCoverage, weight: number): void => {
    engine.run(ids, count);
    done++;
    order.representatives++;
    order.evaluated += weight;
    if (engine.outage()) {
      outages.count += weight;
      if (outages.examples.length < o.keepWorst) outages.examples.push(Array.from(ids.subarray(0, count)));
    }
    for (let s = 0; s < S; s++) {
      const out = outcomes[s]!;
      const factor = engine.factor(s);
      const prefix = engine.limitingPrefix;
      let overloaded = false;
      for (let p = 0; p < P; p++) {
        if (engine.liveCapacity[s * P + p] === 0) continue;
        const mpc = engine.maxPerCap[s * P + p]!;
        const safe = mpc > 0 ? 1 / mpc : 0;
        const pw = out.prefixes[p]!;
        if (engine.offeredLoad[p]! * mpc > 1 + 1e-9) {
          overloaded = true;
          pw.overloads += weight;
        }
        const overIdeal = mpc * engine.liveCapacity[s * P + p]!;
        if (overIdeal > pw.maxOverIdeal * (1 + 1e-9)) {
          pw.maxOverIdeal = overIdeal;
          pw.overIdealElements = Array.from(ids.subarray(0, count));
        }
        if (safe < pw.safeLoad) {
          pw.safeLoad = safe;
          pw.elements = Array.from(ids.subarray(0, count));
          pw.server = engine.argServer[s * P + p]!;
        }
      }
      if (overloaded) out.overloadedScenarios += weight;
      const server = engine.argServer[s * P + prefix]!;
      if (factor === Infinity) continue;
      const kind = kindMask(engine, ids, count);
      const byKind = out.byKind[kind];
      if (!byKind || factor < byKind.factor) out.byKind[kind] = { elements: Array.from(ids.subarray(0, count)), factor, prefix, server };
      keepWorst(out.worst, o.keepWorst, factor, ids, count, prefix, server);
      keepWorst(beam[s]!, o.beamWidth, factor, ids, count, prefix, server);
    }
  };

  // Exhaustive orders: non-decreasing sequences of items, an item repeated at most its size times;
  // j picks of an item are its first j members.
  outer: for (let i = 0; i <= m; i++) {
    const order = orders[i]!;
    beam = Array.from({ length: S }, () => []);
    if (!fillCombo(combo, 0, i, itemSize)) continue;
    for (;;) {
      if (o.shouldStop && done % 256 === 0 && o.shouldStop()) {
        stopped = true;
        order.interrupted = true;
        break outer;
      }
      let weight = 1;
      for (let j = 0; j < i; ) {
        const t = combo[j]!;
        let run = 0;
        while (j + run < i && combo[j + run] === t) {
          ids[j + run] = engine.itemMembers[itemStart[t]! + run]!;
          run++;
        }
        weight *= binomial(itemSize[t]!, run);
        j += run;
      }
      record(i, order, weight);
      if (done % every === 0) yield { phase, done, planned };
      if (!nextCombo(combo, i, nItems, itemSize)) break;
    }
  }

  // Orders past the budget: extend each strategy's worst scenarios by one more failure, of every item
  // (an interchangeable server group contributes its first member not yet failed).
  if (!stopped && m < k) {
    const seen = new Set<string>();
    for (let i = Math.max(m + 1, 1); i <= k && !stopped; i++) {
      const order = orders[i]!;
      order.method = 'beam';
      const seeds = dedupe(beam.flat());
      const extensions = seeds.length * nItems;
      planned = done + Math.min(extensions, Math.max(0, o.budget - done));
      const next: ScenarioHit[][] = Array.from({ length: S }, () => []);
      beam = next;
      search: for (const seed of seeds) {
        for (let t = 0; t < nItems; t++) {
          if (done >= o.budget) break search;
          let e = -1;
          for (let x = itemStart[t]!; x < itemStart[t + 1]!; x++) {
            if (!seed.elements.includes(engine.itemMembers[x]!)) {
              e = engine.itemMembers[x]!;
              break;
            }
          }
          if (e < 0) continue;
          const key = [...seed.elements, e].sort((a, b) => a - b);
          const text = key.join(',');
          if (seen.has(text)) continue;
          seen.add(text);
          if (o.shouldStop && done % 256 === 0 && o.shouldStop()) {
            stopped = true;
            order.interrupted = true;
            break search;
          }
          for (let j = 0; j < key.length; j++) ids[j] = key[j]!;
          record(key.length, order, scenarioWeight(key, itemOf, itemSize));
          if (done % every === 0) yield { phase, done, planned };
        }
      }
      if (order.evaluated === 0) order.method = 'none';
    }
  }
  yield { phase, done, planned };
  const complete = !stopped && orders.every((r) => r.method === 'exhaustive' && r.evaluated === r.total);
  let covered = 0;
  for (const r of orders) covered += r.evaluated;
  return { strategies: outcomes, orders, evaluated: covered, representatives: done, complete, interrupted: stopped, elementCount: E, outages };
}

/** The first combination of `count` picks starting at position `from` (after combo[from-1]); false when none. */
function fillCombo(combo: Int32Array, from: number, count: number, size: Int32Array): boolean {
  for (let t = from; t < count; t++) {
    if (t === 0) {
      combo[0] = 0;
    } else {
      const prev = combo[t - 1]!;
      let run = 0;
      for (let j = t - 1; j >= 0 && combo[j] === prev; j--) run++;
      combo[t] = run < size[prev]! ? prev : prev + 1;
    }
    if (combo[t]! >= size.length) return false;
  }
  return true;
}

/** Advance to the next combination of `count` picks over items; false after the last one. */
function nextCombo(combo: Int32Array, count: number, nItems: number, size: Int32Array): boolean {
  for (let j = count - 1; j >= 0; j--) {
    const v = combo[j]! + 1;
    if (v >= nItems) continue;
    // Every earlier position holds a smaller item, so v starts a new run at j.
    combo[j] = v;
    if (fillCombo(combo, j + 1, count, size)) return true;
  }
  return false;
}

/** How many scenarios a set of failed elements stands for: the product of C(item size, picks). */
function scenarioWeight(elements: readonly number[], itemOf: ReadonlyMap<number, number>, size: Int32Array): number {
  const picks = new Map<number, number>();
  for (const e of elements) {
    const t = itemOf.get(e)!;
    picks.set(t, (picks.get(t) ?? 0) + 1);
  }
  let w = 1;
  for (const [t, j] of picks) w *= binomial(size[t]!, j);
  return w;
}

export const KIND_BITS = { spine: 1, leaf: 2, server: 4 } as const;

function kindMask(engine: SweepEngine, ids: Int32Array, count: number): number {
  let mask = 0;
  for (let i = 0; i < count; i++) mask |= KIND_BITS[engine.elementKind(ids[i]!)];
  return mask;
}

/** Insert into a list kept sorted by factor (worst first), at most `limit` long; allocates only on insert. */
function keepWorst(list: ScenarioHit[], limit: number, factor: number, ids: Int32Array, count: number, prefix: number, server: number): void {
  if (limit <= 0) return;
  if (list.length >= limit && factor >= list[list.length - 1]!.factor) return;
  const hit: ScenarioHit = { elements: Array.from(ids.subarray(0, count)), factor, prefix, server };
  let at = list.length;
  while (at > 0 && list[at - 1]!.factor > factor) at--;
  list.splice(at, 0, hit);
  if (list.length > limit) list.pop();
}

function dedupe(hits: ScenarioHit[]): ScenarioHit[] {
  const seen = new Set<string>();
  const out: ScenarioHit[] = [];
  for (const h of hits) {
    const key = [...h.elements].sort((a, b) => a - b).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(h);
  }
  return out;
}
