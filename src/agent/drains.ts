/**
 * Operator drains: which configured servers (or the whole leaf) are out of rotation, and the pure
 * transition a drain or undrain makes. The agent persists the next state before it applies it
 * (drain-store.ts), so a drain that cannot be kept is refused, not half-applied.
 */
import type { AddressFamily } from '../frr/running-config.js';
import type { ServerConfig } from './config.js';
import type { PrefixState } from './step.js';
import { BallastError } from '../util/errors.js';

export interface DrainRecord {
  readonly reason: string;
  readonly since: number;
}

/** Servers (by configured name) and the whole leaf, taken out of rotation by an operator. */
export interface DrainState {
  readonly servers: ReadonlyMap<string, DrainRecord>;
  readonly leaf: DrainRecord | null;
}

export interface DrainStore {
  load(): DrainState;
  /** Throws when the state cannot be kept: the drain is then refused, not half-applied. */
  save(state: DrainState): void;
}

export const NO_DRAINS: DrainState = { servers: new Map(), leaf: null };

export interface DrainChange {
  readonly next: DrainState;
  /** The configured name of the server drained or undrained; null for the whole leaf. */
  readonly server: string | null;
}

/**
 * Drain (reason given) or undrain (reason null) a configured server, named by its name or its
 * neighbor, or the whole leaf (server null). An unknown server is E_API_UNKNOWN_SERVER.
 */
export function changeDrain(state: DrainState, servers: readonly ServerConfig[], leaf: string, server: string | null, reason: string | null, now: number): DrainChange {
  const found = server === null ? null : servers.find((s) => s.name === server || s.neighbor === server);
  if (found === undefined) {
    throw new BallastError('E_API_UNKNOWN_SERVER', `No server ${JSON.stringify(server)} on leaf ${leaf}; expected one of ${servers.map((s) => s.name).join(', ')}`);
  }
  const name = found?.name ?? null;
  const next = new Map(state.servers);
  let leafDrain = state.leaf;
  const record = reason === null ? null : { reason, since: now };
  if (name === null) leafDrain = record;
  else if (record === null) next.delete(name);
  else next.set(name, record);
  return { next: { servers: next, leaf: leafDrain }, server: name };
}

/** The server neighbors drained now (every configured one while the leaf is). */
export function drainedNeighbors(state: DrainState, servers: readonly ServerConfig[]): Set<string> {
  if (state.leaf !== null) return new Set(servers.map((s) => s.neighbor));
  return new Set(servers.filter((s) => state.servers.has(s.name)).map((s) => s.neighbor));
}

/**
 * The holds to drop when the agent stops: every one but the drained servers' (an operator's drain
 * outlives the agent and is read back on start). `release`: the server paths to re-evaluate.
 */
export function holdsAfterStop(prefixes: ReadonlyMap<string, PrefixState>, families: ReadonlyMap<string, AddressFamily>, drained: ReadonlySet<string>): { changed: Map<string, PrefixState>; release: [string, AddressFamily][] } {
  const changed = new Map<string, PrefixState>();
  const release: [string, AddressFamily][] = [];
  for (const [text, st] of prefixes) {
    const keep = new Set([...st.held].filter((n) => drained.has(n)));
    if (st.held.size === keep.size) continue;
    const family = families.get(text) ?? 'ipv4';
    for (const s of st.observation?.servers ?? []) {
      if (!s.admitted && st.held.has(s.neighbor) && !keep.has(s.neighbor)) release.push([s.neighbor, family]);
    }
    changed.set(text, { ...st, held: keep });
  }
  return { changed, release };
}
