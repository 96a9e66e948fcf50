/**
 * The agent's periodic tick: the resync, the reconcile and the held-poll that fell due together
 * (timers.ts), served with as few vtysh calls as they allow. Each vtysh call is a fork of the agent,
 * which copies its page tables: at 200 prefixes the separate reads were 6 forks per 5 s and most of
 * the idle CPU (bench/agent.md). With the reconcile, one call reads the prefixes, the session summary
 * and the running configuration; the reconcile then runs on what was read, before the prefixes are
 * decided (the order in which the two used to be queued does not matter: each acts on a fresh read).
 */
import type { Prefix } from '../fabric/prefix.js';
import type { BgpPrefix } from '../frr/bgp-prefix.js';
import type { AgentConfig, AgentReloadable } from './config.js';
import { matching, PREFIXES_PER_CALL, readTick, type FrrRunner, type TickRead } from './frr-io.js';
import type { ReadCache } from './read-cache.js';
import type { PrefixState } from './step.js';
import type { DueJobs } from './timers.js';

export interface TickDeps {
  readonly frr: FrrRunner;
  readonly config: AgentConfig;
  readonly prefixes: ReadonlyMap<string, PrefixState>;
  /** Whether the last read found spine neighbors (then the session summary is read too). */
  readonly spinesKnown: boolean;
  readonly noticeRestart: () => void;
  /** The reconcile, on the running configuration read here (undefined: it reads its own). */
  readonly reconcile: (read?: TickRead) => Promise<void>;
  /** Decide these prefixes; `given`: their routes as read here. */
  readonly observe: (texts: readonly string[], cause: string, given?: PrefixRoutes) => Promise<void>;
  readonly failure: (err: unknown, during: string) => void;
  /**
   * Run after a resync: the read's garbage is given back (util/heap.ts). Also when nothing was parsed:
   * the 750 KB reply itself is garbage every tick, and the compactor collects only after 6 MiB of growth.
   */
  readonly compact: (() => void) | null;
  /** The last tick's reply (read-cache.ts). */
  readonly cache: ReadCache;
  /** How many periodic resyncs ran before this tick (which slice of the prefixes is read: resyncSlice). */
  readonly resyncTurn: number;
}

/** Routes read for these prefixes, in order. */
export type PrefixRoutes = [Prefix, BgpPrefix][];

/** The managed prefixes among these texts, in order. */
export function known(cfg: AgentReloadable, texts: readonly string[]): Prefix[] {
  const byText = new Map(cfg.prefixes.map((p) => [p.text, p]));
  return texts.map((t) => byText.get(t)).filter((p) => p !== undefined);
}

/**
 * The resync's share of the managed prefixes at turn `turn`: `batch` of them, the next ones at each turn,
 * so every prefix is read once every ceil(managed / batch) turns; all of them when they fit in one batch.
 */
export function resyncSlice(managed: readonly string[], batch: number, turn: number): string[] {
  if (managed.length <= batch) return [...managed];
  const slices = Math.ceil(managed.length / batch);
  const k = turn % slices;
  return managed.slice(k * batch, (k + 1) * batch);
}

/**
 * Which prefixes the tick reads: the resync's slice (resyncSlice; `turn` counts the resyncs), with those
 * whose servers are held when the held-poll is due too; on a held-poll alone, only those.
 */
export function tickPrefixes(due: DueJobs, prefixes: ReadonlyMap<string, PrefixState>, managed: readonly string[], batch = Infinity, turn = 0): string[] {
  const held = due.heldPoll ? [...prefixes].filter(([, st]) => st.held.size > 0).map(([t]) => t) : [];
  if (!due.resync) return held;
  const slice = resyncSlice(managed, batch, turn);
  const inSlice = new Set(slice);
  return [...slice, ...held.filter((t) => !inSlice.has(t))];
}

export async function runTick(due: DueJobs, deps: TickDeps): Promise<void> {
  const cfg = deps.config.reloadable;
  const texts = tickPrefixes(due, deps.prefixes, cfg.prefixes.map((p) => p.text), cfg.resyncBatch, deps.resyncTurn);
  const cause = due.resync ? 'resync' : 'held-poll';
  const wanted = known(deps.config.reloadable, texts);
  if (!due.reconcile || wanted.length > PREFIXES_PER_CALL) {
    if (due.reconcile) await deps.reconcile();
    if (texts.length > 0) await deps.observe(texts, cause);
    if (due.resync) deps.compact?.();
    return;
  }
  // A bgpd restart noticed before the read, as the reconcile alone would notice it.
  deps.noticeRestart();
  let read: TickRead;
  try {
    read = await readTick(deps.frr, wanted, deps.spinesKnown, deps.config.static.timeoutMs, deps.cache);
  } catch (err) {
    deps.failure(err, `read of running-config and ${wanted.length} prefix(es)`);
    return;
  }
  await deps.reconcile(read);
  if (wanted.length > 0) await deps.observe(texts, cause, matching(wanted, read.routes, deps.failure));
  if (due.resync) deps.compact?.();
}
