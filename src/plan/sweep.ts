/**
 * N-k sweeps: every scenario of up to k failed elements while the count fits the budget; past it,
 * a beam search that extends the worst scenarios found so far one failure at a time. The result says
 * exactly what was and was not covered. Pure: progress and cancellation come in as callbacks.
 */
import type { SweepEngine } from './engine.js';

export interface SweepOptions {
  readonly k: number;
  /** Most scenarios to evaluate in total (the base scenario included). */
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
  evaluated: number;
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
  readonly evaluated: number;
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

/** How many orders (0..m) an exhaustive sweep can afford within the budget. */
export function exhaustiveOrders(elementCount: number, k: number, budget: number): number {
  let sum = 0;
  let m = -1;
  for (let i = 0; i <= k; i++) {
    sum += binomial(elementCount, i);
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
  const m = exhaustiveOrders(E, k, o.budget);
  const orders: OrderCoverage[] = [];
  for (let i = 0; i <= k; i++) orders.push({ failures: i, total: binomial(E, i), evaluated: 0, method: i <= m ? 'exhaustive' : 'none', interrupted: false });
  const outcomes: StrategyOutcome[] = Array.from({ length: S }, () => ({
    worst: [],
    byKind: new Array<ScenarioHit | null>(8).fill(null),
    prefixes: Array.from({ length: P }, () => ({ safeLoad: Infinity, elements: [], server: -1, overloads: 0, maxOverIdeal: 0, overIdealElements: [] })),
    overloadedScenarios: 0,
  }));
  const outages: Outages = { count: 0, examples: [] };
  let planned = 0;
  for (let i = 0; i <= m; i++) planned += orders[i]!.total;
  let done = 0;
  let stopped = false;
  const every = o.progressEvery ?? 1024;
  // Per strategy, the worst scenarios of the order being swept: seeds for the beam search.
  let beam: ScenarioHit[][] = Array.from({ length: S }, () => []);
  const combo = new Int32Array(Math.max(1, k));
  const ids = new Int32Array(Math.max(1, k));

  const record = (count: number, order: OrderCoverage): void => {
    engine.run(ids, count);
    done++;
    order.evaluated++;
    if (engine.outage()) {
      outages.count++;
      if (outages.examples.length < o.keepWorst) outages.examples.push(Array.from(ids.subarray(0, count)));
    }
    for (let s = 0; s < S; s++) {
      const out = outcomes[s]!;
      const { factor, prefix } = engine.factor(s);
      let overloaded = false;
      for (let p = 0; p < P; p++) {
        if (engine.liveCapacity[s * P + p] === 0) continue;
        const mpc = engine.maxPerCap[s * P + p]!;
        const safe = mpc > 0 ? 1 / mpc : 0;
        const pw = out.prefixes[p]!;
        if (engine.offeredLoad[p]! * mpc > 1 + 1e-9) {
          overloaded = true;
          pw.overloads++;
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
      if (overloaded) out.overloadedScenarios++;
      const server = engine.argServer[s * P + prefix]!;
      if (factor === Infinity) continue;
      const kind = kindMask(engine, ids, count);
      const byKind = out.byKind[kind];
      if (!byKind || factor < byKind.factor) out.byKind[kind] = { elements: Array.from(ids.subarray(0, count)), factor, prefix, server };
      keepWorst(out.worst, o.keepWorst, factor, ids, count, prefix, server);
      keepWorst(beam[s]!, o.beamWidth, factor, ids, count, prefix, server);
    }
  };

  // Exhaustive orders: combinations in lexicographic order.
  outer: for (let i = 0; i <= m; i++) {
    const order = orders[i]!;
    beam = Array.from({ length: S }, () => []);
    for (let j = 0; j < i; j++) combo[j] = j;
    for (;;) {
      if (o.shouldStop && done % 256 === 0 && o.shouldStop()) {
        stopped = true;
        order.interrupted = true;
        break outer;
      }
      for (let j = 0; j < i; j++) ids[j] = engine.elements[combo[j]!]!;
      record(i, order);
      if (done % every === 0) yield { phase, done, planned };
      // Next combination.
      let j = i - 1;
      while (j >= 0 && combo[j] === E - i + j) j--;
      if (j < 0) break;
      combo[j]!++;
      for (let t = j + 1; t < i; t++) combo[t] = combo[t - 1]! + 1;
    }
  }

  // Orders past the budget: extend each strategy's worst scenarios by every other element.
  if (!stopped && m < k) {
    const seen = new Set<string>();
    for (let i = Math.max(m + 1, 1); i <= k && !stopped; i++) {
      const order = orders[i]!;
      order.method = 'beam';
      const seeds = dedupe(beam.flat());
      const extensions = seeds.length * E;
      planned = done + Math.min(extensions, Math.max(0, o.budget - done));
      const next: ScenarioHit[][] = Array.from({ length: S }, () => []);
      beam = next;
      search: for (const seed of seeds) {
        for (let x = 0; x < E; x++) {
          if (done >= o.budget) break search;
          const e = engine.elements[x]!;
          if (seed.elements.includes(e)) continue;
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
          record(key.length, order);
          if (done % every === 0) yield { phase, done, planned };
        }
      }
      if (order.evaluated === 0) order.method = 'none';
    }
  }
  yield { phase, done, planned };
  const complete = !stopped && orders.every((r) => r.method === 'exhaustive' && r.evaluated === r.total);
  return { strategies: outcomes, orders, evaluated: done, complete, interrupted: stopped, elementCount: E, outages };
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
