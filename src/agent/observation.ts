/**
 * From FRR's paths for one prefix to what the decision needs: the healthy server paths. Only paths
 * from server neighbors count, never the paths a leaf learns back through the spines (which become its
 * best paths when it loses all its servers). Pure.
 */
import type { Prefix } from '../fabric/prefix.js';
import type { BgpPrefix } from '../frr/bgp-prefix.js';
import type { BgpConfig } from '../frr/running-config.js';
import type { AgentReloadable, ServerConfig } from './config.js';

export interface ServerPathObservation {
  readonly neighbor: string;
  /** Configured name, else FRR's hostname of the peer, else the neighbor. */
  readonly name: string;
  readonly capacity: number;
  /** The server's AS: the first AS of its path (it peers directly with the leaf); null when the path has none. */
  readonly asn: number | null;
  /** Whether the server is listed in the configuration (and so counts toward configured capacity). */
  readonly listed: boolean;
  /** Link-bandwidth the path arrived with, bytes/s; null when none. */
  readonly bandwidthBytes: number | null;
  /**
   * In the leaf's multipath set. A valid server path outside it is either held back by the agent
   * (returning server, inbound local-preference lowered until its hold-down ends) or steered away by
   * the server itself (for example by prepending); only the former counts as healthy.
   */
  readonly admitted: boolean;
}

export interface PrefixObservation {
  readonly prefix: Prefix;
  /** One per server with a valid path, in neighbor order. */
  readonly servers: readonly ServerPathObservation[];
}

/** Which neighbors are servers and which are spines, from the running configuration. */
export interface NeighborIndex {
  readonly serverNeighbors: ReadonlySet<string>;
  readonly spineNeighbors: ReadonlySet<string>;
}

export function neighborIndex(cfg: AgentReloadable, spinePeerGroup: string, bgp: BgpConfig | null): NeighborIndex {
  const serverNeighbors = new Set(cfg.servers.map((s) => s.neighbor));
  const spineNeighbors = new Set<string>();
  for (const [neighbor, group] of bgp?.neighbors ?? []) {
    if (group === spinePeerGroup) spineNeighbors.add(neighbor);
    if (cfg.serverMatch.kind === 'peer-group' && group === cfg.serverMatch.peerGroup) serverNeighbors.add(neighbor);
  }
  if (cfg.serverMatch.kind === 'interfaces') for (const n of cfg.serverMatch.neighbors) serverNeighbors.add(n);
  return { serverNeighbors, spineNeighbors };
}

export function observePrefix(cfg: AgentReloadable, neighbors: NeighborIndex, prefix: Prefix, route: BgpPrefix): PrefixObservation {
  const byNeighbor = new Map<string, ServerPathObservation>();
  for (const path of route.paths) {
    if (!path.valid) continue;
    if (!isServerPath(cfg, neighbors, path.neighbor, path.asPath)) continue;
    if (byNeighbor.has(path.neighbor)) continue;
    const listed = findServer(cfg.servers, path.neighbor, path.hostname);
    byNeighbor.set(path.neighbor, {
      neighbor: path.neighbor,
      name: listed?.name ?? path.hostname ?? path.neighbor,
      capacity: listed?.capacity ?? cfg.defaultCapacity,
      asn: path.asPath[0] ?? null,
      listed: listed !== undefined && listed.prefixes.includes(prefix.text),
      bandwidthBytes: path.bandwidthBytes,
      admitted: path.multipath,
    });
  }
  const servers = [...byNeighbor.values()].sort((a, b) => (a.neighbor < b.neighbor ? -1 : a.neighbor > b.neighbor ? 1 : 0));
  return { prefix, servers };
}

function isServerPath(cfg: AgentReloadable, neighbors: NeighborIndex, neighbor: string, asPath: readonly number[]): boolean {
  if (neighbors.spineNeighbors.has(neighbor)) return false;
  if (neighbors.serverNeighbors.has(neighbor)) return true;
  if (cfg.serverMatch.kind !== 'asn') return false;
  // The server's own AS only (prepends allowed): a path through a spine has the spines' and a leaf's AS in it.
  const asn = cfg.serverMatch.asn;
  return asPath.length > 0 && asPath.every((a) => a === asn);
}

function findServer(servers: readonly ServerConfig[], neighbor: string, hostname: string | null): ServerConfig | undefined {
  return servers.find((s) => s.neighbor === neighbor) ?? (hostname === null ? undefined : servers.find((s) => s.name === hostname));
}

/** Configured servers and capacity of a prefix: the listed ones, plus unlisted servers while they are healthy. */
export function configuredFor(cfg: AgentReloadable, obs: PrefixObservation): { count: number; capacity: number } {
  const listed = cfg.servers.filter((s) => s.prefixes.includes(obs.prefix.text));
  let count = listed.length;
  let capacity = listed.reduce((a, s) => a + s.capacity, 0);
  for (const s of obs.servers) {
    if (s.listed || !s.admitted) continue;
    count++;
    capacity += s.capacity;
  }
  return { count, capacity };
}
