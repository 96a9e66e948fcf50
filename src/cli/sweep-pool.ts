/**
 * Worker threads for `ballast plan --jobs N`: the CLI's side of SweepParallel. Each thread builds
 * its own engine and takes chunks from a shared counter (the first free thread takes the next
 * chunk, so uneven chunks balance out); progress and Ctrl-C go through shared memory, outcomes come
 * back as messages and are merged by the sweep, deterministically (sweep-outcome.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Fabric, FleetStrategy } from '../fabric/types.js';
import type { ParallelRun, SweepChunk, SweepParallel } from '../plan/sweep.js';
import type { OutcomeLimits, SweepOutcome } from '../plan/sweep-outcome.js';
import type { SweepWorkerData } from './sweep-worker.js';

/** Below this many representatives one thread is faster than starting more (each builds an engine). */
export const PARALLEL_MIN_SCENARIOS = 100_000;
const TICK_MS = 100;

function workerUrl(): URL {
  // From the sources (tsx) a small shim registers the loader; in the build the worker is its own entry.
  return import.meta.url.endsWith('.ts') ? new URL('./sweep-worker-tsx.mjs', import.meta.url) : new URL('../sweep-worker.js', import.meta.url);
}

export function sweepPool(fabric: Fabric, strategies: readonly FleetStrategy[], symmetry: boolean, jobs: number, minScenarios = PARALLEL_MIN_SCENARIOS): SweepParallel {
  return {
    jobs,
    minScenarios,
    start(chunks: readonly SweepChunk[], limits: OutcomeLimits, k: number): ParallelRun {
      const next = new Int32Array(new SharedArrayBuffer(4));
      const stop = new Int32Array(new SharedArrayBuffer(4));
      const progress = new Int32Array(new SharedArrayBuffer(4 * jobs));
      const outcomes: (SweepOutcome | undefined)[] = new Array(jobs).fill(undefined);
      let failure: Error | undefined;
      let finished = 0;
      let wake: (() => void) | undefined;
      const workers = Array.from({ length: jobs }, (_, slot) => {
        const data: SweepWorkerData = { fabric, strategies, k, symmetry, chunks, limits, next, stop, progress, slot };
        const w = new Worker(workerUrl(), { workerData: data });
        w.once('message', (o: SweepOutcome) => {
          outcomes[slot] = o;
          finished++;
          wake?.();
        });
        w.once('error', (err) => {
          failure ??= err;
          Atomics.store(stop, 0, 1);
          finished++;
          wake?.();
        });
        return w;
      });
      return {
        progress: () => {
          let n = 0;
          for (let i = 0; i < jobs; i++) n += Atomics.load(progress, i);
          return n;
        },
        stop: () => Atomics.store(stop, 0, 1),
        tick: () =>
          new Promise<void>((resolve, reject) => {
            const done = () => {
              clearTimeout(timer);
              wake = undefined;
              if (failure) {
                for (const w of workers) void w.terminate();
                reject(failure);
              } else resolve();
            };
            const timer = setTimeout(done, TICK_MS);
            wake = () => {
              if (finished === jobs) done();
            };
            if (finished === jobs) done();
          }),
        result: () => (finished === jobs && !failure ? (outcomes as SweepOutcome[]) : undefined),
      };
    },
  };
}
