/**
 * The exhaustive orders of a sweep in chunks: every scenario of one number of failures whose first
 * item falls in a range. The sequential sweep runs one chunk per order; worker threads take many
 * small ones. A scenario's seq (its place in the sequential enumeration) is the same either way.
 */
import type { SweepEngine } from './engine.js';
import { binomial } from './sweep.js';
import { recordScenario, type OutcomeLimits, type SweepOutcome } from './sweep-outcome.js';

export const SEQ_CHUNK = 2 ** 32;

/**
 * A part of an exhaustive order: every scenario of `order` failures whose first item (in
 * enumeration order) lies in [fromItem, toItem). `index` orders the chunks as the sequential
 * enumeration meets them; a scenario's seq is index * 2^32 + its place in the chunk.
 */
export interface SweepChunk {
  readonly index: number;
  readonly order: number;
  readonly fromItem: number;
  readonly toItem: number;
  /** Representatives in it. */
  readonly size: number;
}

/**
 * The exhaustive orders cut into chunks of about `perChunk` representatives each (one chunk per
 * order when perChunk is Infinity): by first item, with counts from suffix polynomials.
 */
export function sweepChunks(itemSize: Int32Array, m: number, perChunk: number): SweepChunk[] {
  const n = itemSize.length;
  const chunks: SweepChunk[] = [];
  if (m < 0) return chunks;
  chunks.push({ index: 0, order: 0, fromItem: 0, toItem: n, size: 1 });
  // suffix[t * (m + 1) + d]: picks of d failures among items t..n-1.
  const w = m + 1;
  const suffix = new Float64Array((n + 1) * w);
  suffix[n * w] = 1;
  for (let t = n - 1; t >= 0; t--) {
    for (let d = 0; d <= m; d++) {
      let c = 0;
      for (let j = 0; j <= Math.min(itemSize[t]!, d); j++) c += suffix[(t + 1) * w + d - j]!;
      suffix[t * w + d] = c;
    }
  }
  for (let i = 1; i <= m; i++) {
    let from = 0;
    let size = 0;
    for (let t = 0; t < n; t++) {
      let first = 0;
      for (let j = 1; j <= Math.min(itemSize[t]!, i); j++) first += suffix[(t + 1) * w + i - j]!;
      size += first;
      if (size >= perChunk || t === n - 1) {
        if (size > 0) chunks.push({ index: chunks.length, order: i, fromItem: from, toItem: t + 1, size });
        from = t + 1;
        size = 0;
      }
    }
  }
  return chunks;
}

/**
 * Every scenario of one chunk, recorded into `out`. Exhaustive orders: non-decreasing sequences of
 * items, an item repeated at most its size times; j picks of an item are its first j members.
 */
export function* runChunk(engine: SweepEngine, chunk: SweepChunk, itemSize: Int32Array, out: SweepOutcome, limits: OutcomeLimits, shouldStop: (() => boolean) | undefined, every: number): Generator<number, boolean> {
  const i = chunk.order;
  const combo = new Int32Array(Math.max(1, i));
  const ids = new Int32Array(Math.max(1, i));
  const base = chunk.index * SEQ_CHUNK;
  let local = 0;
  const nItems = itemSize.length;
  const counts = out.orders[i]!;
  for (let t = chunk.fromItem; t < chunk.toItem || (i === 0 && t === chunk.fromItem); t++) {
    if (i > 0) {
      combo[0] = t;
      if (!fillCombo(combo, 1, i, itemSize)) continue;
    }
    for (;;) {
      if (shouldStop && local % 256 === 0 && shouldStop()) {
        counts.interrupted = true;
        return false;
      }
      let weight = 1;
      for (let j = 0; j < i; ) {
        const item = combo[j]!;
        let run = 0;
        while (j + run < i && combo[j + run] === item) {
          ids[j + run] = engine.itemMembers[engine.itemStart[item]! + run]!;
          run++;
        }
        weight *= binomial(itemSize[item]!, run);
        j += run;
      }
      recordScenario(out, engine, ids, i, weight, base + local, limits);
      local++;
      if (local % every === 0) yield every;
      if (i === 0 || !nextCombo(combo, i, nItems, itemSize, 1)) break;
    }
    if (i === 0) break;
  }
  yield local % every;
  return true;
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

/** Advance to the next combination of `count` picks over items, positions below `lo` fixed; false after the last. */
function nextCombo(combo: Int32Array, count: number, nItems: number, size: Int32Array, lo: number): boolean {
  for (let j = count - 1; j >= lo; j--) {
    const v = combo[j]! + 1;
    if (v >= nItems) continue;
    // Every earlier position holds a smaller item, so v starts a new run at j.
    combo[j] = v;
    if (fillCombo(combo, j + 1, count, size)) return true;
  }
  return false;
}

