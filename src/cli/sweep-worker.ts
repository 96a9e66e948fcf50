/**
 * A sweep worker thread: builds its own engine over the fabric it is sent, takes chunks of the
 * exhaustive orders from a shared counter until none are left (or Ctrl-C sets the stop flag), and
 * posts back what it saw (a SweepOutcome, plain data). See sweep-pool.ts for the other side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Fabric, FleetStrategy } from '../fabric/types.js';
import { SweepEngine } from '../plan/engine.js';
import { runChunk, type SweepChunk } from '../plan/sweep-chunks.js';
import { newOutcome, type OutcomeLimits } from '../plan/sweep-outcome.js';

export interface SweepWorkerData {
  readonly fabric: Fabric;
  readonly strategies: readonly FleetStrategy[];
  readonly k: number;
  readonly symmetry: boolean;
  readonly chunks: readonly SweepChunk[];
  readonly limits: OutcomeLimits;
  /** Int32Array(1) on shared memory: the next chunk to take. */
  readonly next: Int32Array;
  /** Int32Array(1): non-zero asks every thread to stop. */
  readonly stop: Int32Array;
  /** Int32Array(threads): representatives done, one slot per thread. */
  readonly progress: Int32Array;
  readonly slot: number;
}

const d = workerData as SweepWorkerData;
const engine = new SweepEngine(d.fabric, d.strategies, d.k, d.symmetry);
const itemSize = new Int32Array(engine.itemCount);
for (let t = 0; t < itemSize.length; t++) itemSize[t] = engine.itemStart[t + 1]! - engine.itemStart[t]!;
const out = newOutcome(d.strategies.length, engine.nPrefixes, d.k);
const shouldStop = () => Atomics.load(d.stop, 0) !== 0;
for (;;) {
  const c = Atomics.add(d.next, 0, 1);
  if (c >= d.chunks.length) break;
  if (shouldStop()) {
    // Stopped with this chunk untouched: its order is not fully covered.
    out.orders[d.chunks[c]!.order]!.interrupted = true;
    break;
  }
  const steps = runChunk(engine, d.chunks[c]!, itemSize, out, d.limits, shouldStop, 1024);
  let step = steps.next();
  for (; !step.done; step = steps.next()) Atomics.add(d.progress, d.slot, step.value);
  if (!step.value) break;
}
parentPort!.postMessage(out);
