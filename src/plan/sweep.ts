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
import { runChunk, SEQ_CHUNK, sweepChunks, type SweepChunk } from './sweep-chunks.js';
import { mergeOutcome, newOutcome, recordScenario, type OutcomeLimits, type Outages, type ScenarioHit, type StrategyOutcome, type SweepOutcome } from './sweep-outcome.js';

export type { SweepChunk } from './sweep-chunks.js';

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
  /** Worker threads for the exhaustive orders (the result is the same with or without). */
  readonly parallel?: SweepParallel;
}

export type { ScenarioHit, PrefixWorst, StrategyOutcome, Outages } from './sweep-outcome.js';
export { KIND_BITS } from './sweep-outcome.js';

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
  /** Set while other threads do the work: the driver awaits it before the next step. */
  readonly wait?: Promise<void>;
}

/** Running chunks on other threads: the sweep's side of a worker pool (the CLI owns the threads). */
export interface SweepParallel {
  /** Threads; 1 means this thread only. */
  readonly jobs: number;
  /** Fewest representatives worth the threads' start (each builds its own engine). */
  readonly minScenarios: number;
  /** Start the chunks (every worker sweeps the same fabric, strategies, k and symmetry as `engine`). */
  start(chunks: readonly SweepChunk[], limits: OutcomeLimits, k: number): ParallelRun;
}

export interface ParallelRun {
  /** Representatives done so far, over all threads. */
  progress(): number;
  /** Ask the threads to stop after the scenario at hand (Ctrl-C). */
  stop(): void;
  /** Resolves after a short while, or at once when every thread has finished. */
  tick(): Promise<void>;
  /** Each thread's outcome once all are finished; undefined before. */
  result(): SweepOutcome[] | undefined;
}

/** Run a sweep to the end without yielding (this thread only). */
export function sweep(engine: SweepEngine, o: SweepOptions): SweepResult {
  return drain(sweepSteps(engine, o));
}

export function drain<T>(steps: Generator<Progress, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (step.value.wait) throw new Error('drain() cannot wait for worker threads; drive the steps asynchronously');
  }
}

interface Plan {
  readonly k: number;
  readonly itemSize: Int32Array;
  readonly reps: number[];
  /** Orders 0..m are enumerated exhaustively. */
  readonly m: number;
}

function planOf(engine: SweepEngine, o: SweepOptions): Plan {
  const k = Math.min(o.k, engine.elements.length);
  const nItems = engine.itemCount;
  const itemSize = new Int32Array(nItems);
  for (let t = 0; t < nItems; t++) itemSize[t] = engine.itemStart[t + 1]! - engine.itemStart[t]!;
  const reps = representativeCounts(itemSize, k);
  return { k, itemSize, reps, m: exhaustiveOrders(reps, o.budget) };
}

/**
 * The sweep as a generator: it yields progress every few thousand scenarios, so a caller can give
 * the event loop a turn (signals, timers) and poll `shouldStop` between yields. With `parallel`
 * (and enough scenarios) the exhaustive orders run on worker threads and the steps carry `wait`.
 */
export function* sweepSteps(engine: SweepEngine, o: SweepOptions, phase = 'scenarios'): Generator<Progress, SweepResult> {
  const E = engine.elements.length;
  const S = engine.strategies.length;
  const P = engine.nPrefixes;
  const { k, itemSize, reps, m } = planOf(engine, o);
  const nItems = engine.itemCount;
  const limits: OutcomeLimits = { keepWorst: o.keepWorst, beamWidth: o.beamWidth };
  const out = newOutcome(S, P, k);
  let planned = 0;
  for (let i = 0; i <= m; i++) planned += reps[i]!;
  const every = o.progressEvery ?? 1024;
  let stopped = false;
  let done = 0;

  const parallel = o.parallel && o.parallel.jobs > 1 && planned >= o.parallel.minScenarios ? o.parallel : undefined;
  if (parallel) {
    // Small chunks for balance (about 16 per thread), handed out as threads become free.
    const chunks = sweepChunks(itemSize, m, Math.max(1, Math.ceil(planned / (parallel.jobs * 16))));
    const run = parallel.start(chunks, limits, k);
    let stopAsked = false;
    while (!run.result()) {
      if (!stopAsked && o.shouldStop?.()) {
        run.stop();
        stopAsked = true;
      }
      yield { phase, done: run.progress(), planned, wait: run.tick() };
    }
    for (const part of run.result()!) mergeOutcome(out, part, limits);
    for (let i = 0; i <= m; i++) done += out.orders[i]!.representatives;
    stopped = out.orders.some((c) => c.interrupted);
  } else {
    for (const chunk of sweepChunks(itemSize, m, Infinity)) {
      const steps = runChunk(engine, chunk, itemSize, out, limits, o.shouldStop, every);
      let step = steps.next();
      for (; !step.done; step = steps.next()) {
        done += step.value;
        if (step.value === every) yield { phase, done, planned };
      }
      if (!step.value) {
        stopped = true;
        break;
      }
    }
  }

  const orders: OrderCoverage[] = [];
  for (let i = 0; i <= k; i++) orders.push({ failures: i, total: binomial(E, i), evaluated: 0, representatives: 0, method: i <= m ? 'exhaustive' : 'none', interrupted: false });

  // Orders past the budget: extend each strategy's worst scenarios by one more failure, of every item
  // (an interchangeable server group contributes its first member not yet failed).
  if (!stopped && m < k) {
    const itemOf = new Map<number, number>();
    for (let t = 0; t < nItems; t++) for (let x = engine.itemStart[t]!; x < engine.itemStart[t + 1]!; x++) itemOf.set(engine.itemMembers[x]!, t);
    const ids = new Int32Array(Math.max(1, k));
    const seen = new Set<string>();
    let seq = (sweepChunks(itemSize, m, Infinity).length + 1) * SEQ_CHUNK;
    for (let i = Math.max(m + 1, 1); i <= k && !stopped; i++) {
      orders[i]!.method = 'beam';
      const seeds = dedupe(out.beams[i - 1]!.flat());
      planned = done + Math.min(seeds.length * nItems, Math.max(0, o.budget - done));
      search: for (const seed of seeds) {
        for (let t = 0; t < nItems; t++) {
          if (done >= o.budget) break search;
          let e = -1;
          for (let x = engine.itemStart[t]!; x < engine.itemStart[t + 1]!; x++) {
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
            out.orders[i]!.interrupted = true;
            break search;
          }
          for (let j = 0; j < key.length; j++) ids[j] = key[j]!;
          recordScenario(out, engine, ids, key.length, scenarioWeight(key, itemOf, itemSize), seq++, limits);
          done++;
          if (done % every === 0) yield { phase, done, planned };
        }
      }
    }
  }
  yield { phase, done, planned };
  let covered = 0;
  for (const r of orders) {
    const c = out.orders[r.failures]!;
    r.evaluated = c.evaluated;
    r.representatives = c.representatives;
    r.interrupted = c.interrupted;
    if (r.method === 'beam' && r.evaluated === 0) r.method = 'none';
    covered += r.evaluated;
  }
  const complete = !stopped && orders.every((r) => r.method === 'exhaustive' && r.evaluated === r.total);
  return { strategies: out.strategies, orders, evaluated: covered, representatives: done, complete, interrupted: stopped, elementCount: E, outages: out.outages };
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
