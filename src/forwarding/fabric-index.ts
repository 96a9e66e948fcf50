/**
 * A fabric compiled to integer indices and typed arrays, built once per fixture so that evaluating
 * a scenario allocates little: the capacity planner evaluates millions of them.
 */
import type { Fabric, Service } from '../fabric/types.js';

export interface PrefixIndex {
  readonly service: Service;
  /** Indices of the servers announcing this prefix, grouped by leaf in leaf order. */
  readonly servers: Int32Array;
  /** Per leaf l, its servers are servers[leafStart[l] .. leafStart[l+1]). Length leaves + 1. */
  readonly leafStart: Int32Array;
  /** Per leaf, configured servers and capacity for this prefix (all states). */
  readonly configuredServers: Int32Array;
  readonly configuredCapacity: Float64Array;
}

export interface FabricIndex {
  readonly fabric: Fabric;
  readonly spineByName: ReadonlyMap<string, number>;
  readonly leafByName: ReadonlyMap<string, number>;
  readonly serverByName: ReadonlyMap<string, number>;
  /** Per spine, the leaves attached to it (indices). */
  readonly spineLeaves: readonly Int32Array[];
  /** Per leaf, the spines it attaches to. */
  readonly leafSpines: readonly Int32Array[];
  /**
   * Leaf-spine links (BGP sessions), numbered leaf by leaf in fixture order; parallel links of one
   * pair are consecutive. linkOrdinal counts from 0 within a pair.
   */
  readonly linkLeaf: Int32Array;
  readonly linkSpine: Int32Array;
  readonly linkOrdinal: Int32Array;
  /** `leaf01/spine01`, and `leaf01/spine01#2` for the second of parallel links. */
  readonly linkNames: readonly string[];
  readonly linkByName: ReadonlyMap<string, number>;
  /** Per spine, its links in leaf order (aligned with nothing else: several may share a leaf). */
  readonly spineLinks: readonly Int32Array[];
  /** Per leaf, its links. */
  readonly leafLinks: readonly Int32Array[];
  /** Whether some leaf has parallel links to a spine. */
  readonly parallelLinks: boolean;
  readonly serverLeaf: Int32Array;
  readonly serverCapacity: Float64Array;
  readonly prefixes: readonly PrefixIndex[];
}

/** Which elements are up in a scenario: 1 up, 0 failed. */
export interface Liveness {
  readonly spine: Uint8Array;
  readonly leaf: Uint8Array;
  readonly server: Uint8Array;
  /** Per link (FabricIndex.linkLeaf); absent means every link is up. */
  readonly link?: Uint8Array;
}

/** `leaf01/spine01`, `leaf01/spine01#2`: how a link is named in --fail, reports and the lab. */
export function linkName(leaf: string, spine: string, ordinal: number): string {
  return ordinal === 0 ? `${leaf}/${spine}` : `${leaf}/${spine}#${ordinal + 1}`;
}

export function indexFabric(fabric: Fabric): FabricIndex {
  const spineByName = new Map(fabric.spines.map((s, i) => [s.name, i]));
  const leafByName = new Map(fabric.leaves.map((l, i) => [l.name, i]));
  const serverByName = new Map(fabric.servers.map((s, i) => [s.name, i]));
  const leafSpines = fabric.leaves.map((l) => Int32Array.from(l.spines.map((n) => spineByName.get(n)!)));
  const spineLeaves = fabric.spines.map((_, s) => Int32Array.from(fabric.leaves.map((_, l) => l).filter((l) => leafSpines[l]!.includes(s))));
  const linkLeaf: number[] = [];
  const linkSpine: number[] = [];
  const linkOrdinal: number[] = [];
  const linkNames: string[] = [];
  const leafLinks: Int32Array[] = [];
  fabric.leaves.forEach((leaf, l) => {
    const seen = new Map<string, number>();
    const mine: number[] = [];
    for (const spine of leaf.links ?? leaf.spines) {
      const ordinal = seen.get(spine) ?? 0;
      seen.set(spine, ordinal + 1);
      mine.push(linkLeaf.length);
      linkLeaf.push(l);
      linkSpine.push(spineByName.get(spine)!);
      linkOrdinal.push(ordinal);
      linkNames.push(linkName(leaf.name, spine, ordinal));
    }
    leafLinks.push(Int32Array.from(mine));
  });
  const spineLinks = fabric.spines.map((_, s) => Int32Array.from(linkSpine.flatMap((sp, i) => (sp === s ? [i] : []))));
  const serverLeaf = Int32Array.from(fabric.servers.map((s) => leafByName.get(s.leaf)!));
  const serverCapacity = Float64Array.from(fabric.servers.map((s) => s.capacity));
  const nLeaves = fabric.leaves.length;
  const prefixes = fabric.services.map((service): PrefixIndex => {
    const byLeaf: number[][] = fabric.leaves.map(() => []);
    fabric.servers.forEach((s, i) => {
      if (s.prefixes.includes(service.prefix.text)) byLeaf[serverLeaf[i]!]!.push(i);
    });
    const leafStart = new Int32Array(nLeaves + 1);
    const configuredServers = new Int32Array(nLeaves);
    const configuredCapacity = new Float64Array(nLeaves);
    const flat: number[] = [];
    for (let l = 0; l < nLeaves; l++) {
      leafStart[l] = flat.length;
      for (const i of byLeaf[l]!) {
        flat.push(i);
        configuredServers[l]!++;
        configuredCapacity[l]! += serverCapacity[i]!;
      }
    }
    leafStart[nLeaves] = flat.length;
    return { service, servers: Int32Array.from(flat), leafStart, configuredServers, configuredCapacity };
  });
  return {
    fabric,
    spineByName,
    leafByName,
    serverByName,
    spineLeaves,
    leafSpines,
    linkLeaf: Int32Array.from(linkLeaf),
    linkSpine: Int32Array.from(linkSpine),
    linkOrdinal: Int32Array.from(linkOrdinal),
    linkNames,
    linkByName: new Map(linkNames.map((n, i) => [n, i])),
    spineLinks,
    leafLinks,
    parallelLinks: linkOrdinal.some((o) => o > 0),
    serverLeaf,
    serverCapacity,
    prefixes,
  };
}

/** Everything up except servers whose fixture state is down or drained. */
export function baseLiveness(index: FabricIndex): Liveness {
  const f = index.fabric;
  return {
    spine: new Uint8Array(f.spines.length).fill(1),
    leaf: new Uint8Array(f.leaves.length).fill(1),
    server: Uint8Array.from(f.servers.map((s) => (s.state === 'up' ? 1 : 0))),
    link: new Uint8Array(index.linkLeaf.length).fill(1),
  };
}
