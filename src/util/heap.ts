/**
 * Give the heap back after large reads. A resync of 200 prefixes allocates ~5 MiB (a 750 KB reply
 * and its parse) and keeps almost none of it; V8 lets the old generation grow to 3-4x the live size
 * between its own full collections, so an idle agent sat at 25-35 MiB of heap with ~8 MiB live
 * (bench/agent.md). This runs a full collection once the heap has grown by `growthBytes` since the
 * last one, so the agent stays near its live size; small agents (1 prefix) never reach it.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MiB = 1024 * 1024;

/** A function to call after each large read; null when V8 offers no collector to call. */
export function heapCompactor(growthBytes = 6 * MiB): (() => void) | null {
  let gc: () => void;
  try {
    // The documented way to reach V8's collector without starting node with --expose-gc.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
    if (typeof gc !== 'function') return null;
  } catch {
    return null;
  }
  let after = getHeapStatistics().used_heap_size;
  return () => {
    if (getHeapStatistics().used_heap_size - after < growthBytes) return;
    gc();
    after = getHeapStatistics().used_heap_size;
  };
}
