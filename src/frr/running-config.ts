/**
 * The parts of `show running-config` (FRR 8.4 text) the agent needs: route-maps and prefix-lists (to
 * adopt and verify what it owns), the BGP instance's neighbors and peer-groups (to recognise server and
 * spine peers), and which route-map each neighbor uses per address family. Everything else is ignored,
 * never rewritten: the agent only ever emits commands for objects it owns.
 */
import { BallastError } from '../util/errors.js';

export interface RouteMapEntryConfig {
  readonly action: 'permit' | 'deny';
  readonly seq: number;
  /** The entry's lines as FRR prints them, trimmed, in order (`match ...`, `set ...`, `call ...`). */
  readonly lines: readonly string[];
}

export interface PrefixListEntryConfig {
  readonly seq: number;
  readonly action: 'permit' | 'deny';
  /** The rest of the line: `198.51.100.1/32`, `198.51.100.0/24 ge 32`. */
  readonly match: string;
}

export type AddressFamily = 'ipv4' | 'ipv6';

export interface NeighborRouteMap {
  readonly af: AddressFamily;
  readonly neighbor: string;
  readonly direction: 'in' | 'out';
  readonly routeMap: string;
}

export interface BgpConfig {
  readonly asn: number;
  /** Neighbor (interface or address) -> its peer-group, or null when in none. */
  readonly neighbors: ReadonlyMap<string, string | null>;
  readonly peerGroups: ReadonlySet<string>;
  readonly routeMaps: readonly NeighborRouteMap[];
}

export interface RunningConfig {
  readonly routeMaps: ReadonlyMap<string, readonly RouteMapEntryConfig[]>;
  readonly prefixLists: ReadonlyMap<string, { readonly family: AddressFamily; readonly entries: readonly PrefixListEntryConfig[] }>;
  /** The default-VRF BGP instance; null when none is configured. */
  readonly bgp: BgpConfig | null;
}

export function parseRunningConfig(text: string): RunningConfig {
  if (!/^Current configuration:/m.test(text) && !/^frr version/m.test(text)) {
    throw new BallastError('E_FRR_PARSE', `Unexpected FRR output for show running-config: ${JSON.stringify(text.slice(0, 60))}`);
  }
  const lines = text.split('\n');
  const routeMaps = new Map<string, RouteMapEntryConfig[]>();
  const prefixLists = new Map<string, { family: AddressFamily; entries: PrefixListEntryConfig[] }>();
  let bgp: { asn: number; neighbors: Map<string, string | null>; peerGroups: Set<string>; routeMaps: NeighborRouteMap[] } | null = null;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    let m: RegExpExecArray | null;
    if ((m = /^route-map (\S+) (permit|deny) (\d+)$/.exec(line))) {
      const body: string[] = [];
      while (i + 1 < lines.length && /^\s/.test(lines[i + 1]!)) body.push(lines[++i]!.trim());
      const entries = routeMaps.get(m[1]!) ?? [];
      entries.push({ action: m[2] as 'permit' | 'deny', seq: Number(m[3]), lines: body.filter((l) => l !== '' && l !== '!') });
      routeMaps.set(m[1]!, entries);
    } else if ((m = /^(ip|ipv6) prefix-list (\S+) seq (\d+) (permit|deny) (.+)$/.exec(line))) {
      const family: AddressFamily = m[1] === 'ip' ? 'ipv4' : 'ipv6';
      const list = prefixLists.get(m[2]!) ?? { family, entries: [] };
      list.entries.push({ seq: Number(m[3]), action: m[4] as 'permit' | 'deny', match: m[5]!.trim() });
      prefixLists.set(m[2]!, list);
    } else if ((m = /^router bgp (\d+)$/.exec(line)) && bgp === null) {
      bgp = { asn: Number(m[1]), neighbors: new Map(), peerGroups: new Set(), routeMaps: [] };
      let af: AddressFamily | null = 'ipv4';
      while (i + 1 < lines.length && !/^(exit|end)$/.test(lines[i + 1]!.trim()) && /^\s/.test(lines[i + 1]!)) {
        const l = lines[++i]!.trim();
        let n: RegExpExecArray | null;
        if ((n = /^address-family (ipv4|ipv6) unicast$/.exec(l))) af = n[1] as AddressFamily;
        else if (/^address-family /.test(l)) af = null;
        else if (l === 'exit-address-family') af = 'ipv4';
        else if ((n = /^neighbor (\S+) peer-group$/.exec(l))) bgp.peerGroups.add(n[1]!);
        else if ((n = /^neighbor (\S+) (?:interface )?peer-group (\S+)$/.exec(l))) bgp.neighbors.set(n[1]!, n[2]!);
        else if ((n = /^neighbor (\S+) (?:interface|remote-as)\b/.exec(l)) && !bgp.peerGroups.has(n[1]!) && !bgp.neighbors.has(n[1]!)) bgp.neighbors.set(n[1]!, null);
        else if ((n = /^neighbor (\S+) route-map (\S+) (in|out)$/.exec(l)) && af !== null) {
          bgp.routeMaps.push({ af, neighbor: n[1]!, routeMap: n[2]!, direction: n[3] as 'in' | 'out' });
        }
      }
    }
  }
  // Sorted once at the end: sorting on every entry made a large map quadratic.
  for (const entries of routeMaps.values()) entries.sort((a, b) => a.seq - b.seq);
  return { routeMaps, prefixLists, bgp };
}

/** The route-map a neighbor (or peer-group) uses in one direction and family, or null. */
export function boundRouteMap(bgp: BgpConfig | null, af: AddressFamily, neighbor: string, direction: 'in' | 'out'): string | null {
  return bgp?.routeMaps.find((r) => r.af === af && r.neighbor === neighbor && r.direction === direction)?.routeMap ?? null;
}
