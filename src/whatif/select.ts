/**
 * Which servers a what-if report lists. On a 24,576-server fabric one row per server and strategy
 * is 430 MB of JSON that nobody reads: the report then carries per-leaf aggregates and only the
 * servers worth looking at (the most loaded, or the overloaded ones). Pure.
 */
import { BallastError, quote } from '../util/errors.js';

export type ServerSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'top'; readonly n: number }
  | { readonly kind: 'overloaded' };

/** Up to this many servers in the fabric, the default lists every one (the bundled fixtures). */
export const ALL_SERVERS_UP_TO = 64;
/** Beyond it, the default lists this many of the most loaded servers per prefix and strategy. */
export const DEFAULT_TOP = 20;

/** `--servers all|top:N|overloaded`; undefined (not given) is decided per fabric by defaultSelection. */
export function parseServerSelection(text: string): ServerSelection {
  const t = text.trim();
  if (t === 'all') return { kind: 'all' };
  if (t === 'overloaded') return { kind: 'overloaded' };
  const m = /^top:(\d{1,7})$/.exec(t);
  if (m && Number(m[1]) >= 1) return { kind: 'top', n: Number(m[1]) };
  throw new BallastError('E_USAGE', `Cannot use --servers ${quote(text)}: expected all, top:N (N at least 1) or overloaded`);
}

export function defaultSelection(servers: number): ServerSelection {
  return servers <= ALL_SERVERS_UP_TO ? { kind: 'all' } : { kind: 'top', n: DEFAULT_TOP };
}

export function selectionText(s: ServerSelection): string {
  return s.kind === 'top' ? `top:${s.n}` : s.kind;
}

/** One strategy's view of a prefix's servers, aligned with PrefixIndex.servers. */
export interface ServerLoads {
  readonly share: ArrayLike<number>;
  readonly live: ArrayLike<number>;
}

/**
 * Positions (into PrefixIndex.servers) of the servers to list. `all`: every server, in fabric
 * order. `top:N`: the union over strategies of each one's N live servers with the highest
 * utilization; `overloaded`: every live server above 100 % under some strategy. Both sorted by the
 * highest utilization any strategy gives the server, then fabric order, so the worst come first.
 */
export function selectServers(selection: ServerSelection, loads: readonly ServerLoads[], capacity: ArrayLike<number>, offeredLoad: number): number[] {
  const n = capacity.length;
  if (selection.kind === 'all') return Array.from({ length: n }, (_, i) => i);
  const chosen = new Uint8Array(n);
  for (const { share, live } of loads) {
    if (selection.kind === 'overloaded') {
      for (let i = 0; i < n; i++) if (live[i] && (share[i]! * offeredLoad) / capacity[i]! > 1 + 1e-9) chosen[i] = 1;
      continue;
    }
    for (const i of topByUtilization(share, live, capacity, selection.n)) chosen[i] = 1;
  }
  const out: number[] = [];
  const worst = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!chosen[i]) continue;
    out.push(i);
    for (const { share, live } of loads) if (live[i]) worst[i] = Math.max(worst[i]!, share[i]! / capacity[i]!);
  }
  return out.sort((a, b) => worst[b]! - worst[a]! || a - b);
}

/**
 * The `k` live positions with the highest share / capacity (ties: the earlier position), in one
 * pass with a small sorted buffer: 24,576 servers, k = 20, mostly one comparison per server.
 */
export function topByUtilization(share: ArrayLike<number>, live: ArrayLike<number>, capacity: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < capacity.length; i++) {
    if (!live[i]) continue;
    const u = share[i]! / capacity[i]!;
    if (idx.length === k && u <= val[k - 1]!) continue;
    let at = idx.length === k ? k - 1 : idx.length;
    // Strictly greater moves ahead, so an equal value stays behind the earlier server.
    while (at > 0 && val[at - 1]! < u) {
      val[at] = val[at - 1]!;
      idx[at] = idx[at - 1]!;
      at--;
    }
    val[at] = u;
    idx[at] = i;
  }
  return idx;
}
