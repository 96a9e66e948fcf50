/**
 * A fabric compiled to integer indices and typed arrays, built once per fixture so that evaluating
 * a scenario allocates little: the capacity planner evaluates millions of them.
 */
import type { Fabric, Server, Service } from '../fabric/types.js';

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
  /** Per spine/super-spine link at [superspine * spines + spine] (uplinkName); absent means all up. */
  readonly uplink?: Uint8Array;
}

/** `spa1/super1`: a spine's link to a super-spine, as --fail, reports and the lab name it. */
export function uplinkName(index: FabricIndex, u: number): string {
  const n = index.fabric.spines.length;
  return `${index.fabric.spines[u % n]!.name}/${index.fabric.superspines![Math.floor(u / n)]!.name}`;
}

/** `leaf01/spine01`, `leaf01/spine01#2`: how a link is named in --fail, reports and the lab. */
export function linkName(leaf: string, spine: string, ordinal: number): string {
  return ordinal === 0 ? `${leaf}/${spine}` : `${leaf}/${spine}#${ordinal + 1}`;
}

export function indexFabric(fabric: Fabric): FabricIndex {
  // Linear in the fabric's size: the planner indexes a 24,576-server fabric several times per run.
  const spineIndex = byName(fabric.spines);
  const leafByName = byName(fabric.leaves);
  const nSpines = fabric.spines.length;
  const nLeaves = fabric.leaves.length;
  const nServers = fabric.servers.length;
  const leafSpines = fabric.leaves.map((l) => {
    const ids = new Int32Array(l.spines.length);
    for (let j = 0; j < ids.length; j++) ids[j] = spineIndex.get(l.spines[j]!)!;
    return ids;
  });
  const perSpine: number[][] = Array.from({ length: nSpines }, () => []);
  for (let l = 0; l < nLeaves; l++) {
    const ss = leafSpines[l]!;
    for (let j = 0; j < ss.length; j++) {
      const list = perSpine[ss[j]!]!;
      // A leaf listing a spine twice still attaches once.
      if (list[list.length - 1] !== l) list.push(l);
    }
  }
  const spineLeaves = perSpine.map((ls) => Int32Array.from(ls));
  const linkLeaf: number[] = [];
  const linkSpine: number[] = [];
  const linkOrdinal: number[] = [];
  const leafLinks: Int32Array[] = [];
  const perSpineLinks: number[][] = Array.from({ length: nSpines }, () => []);
  // Per spine, links seen so far from the current leaf (reset after each leaf).
  const seen = new Int32Array(nSpines);
  fabric.leaves.forEach((leaf, l) => {
    const mine: number[] = [];
    for (const spine of leaf.links ?? leaf.spines) {
      const s = spineIndex.get(spine)!;
      const ordinal = seen[s]!++;
      mine.push(linkLeaf.length);
      perSpineLinks[s]!.push(linkLeaf.length);
      linkLeaf.push(l);
      linkSpine.push(s);
      linkOrdinal.push(ordinal);
    }
    for (const i of mine) seen[linkSpine[i]!] = 0;
    leafLinks.push(Int32Array.from(mine));
  });
  const spineLinks = perSpineLinks.map((ls) => Int32Array.from(ls));
  const serverLeaf = new Int32Array(nServers);
  const serverCapacity = new Float64Array(nServers);
  const prefixOf = new Map(fabric.services.map((s, i) => [s.prefix.text, i]));
  const nPrefixes = fabric.services.length;
  // Per prefix, per leaf: how many servers announce it; then a counting sort into leaf order. The
  // servers' prefix indices go into one flat array (no small array per server: 24,576 of them).
  const counts: Int32Array[] = [];
  for (let p = 0; p < nPrefixes; p++) counts.push(new Int32Array(nLeaves + 1));
  let total = 0;
  for (const s of fabric.servers) total += s.prefixes.length;
  const flat = new Int32Array(total);
  const flatStart = new Int32Array(nServers + 1);
  // Servers share prefix lists (every server without a prefixes key shares one): each distinct list
  // resolved once to its known prefixes, each once, in order. Servers usually come leaf by leaf.
  const resolved = new Map<readonly string[], number[]>();
  let lastLeaf: string | undefined;
  let l = -1;
  let at = 0;
  for (let i = 0; i < nServers; i++) {
    const s = fabric.servers[i]!;
    if (s.leaf !== lastLeaf) {
      lastLeaf = s.leaf;
      l = leafByName.get(s.leaf)!;
    }
    serverLeaf[i] = l;
    serverCapacity[i] = s.capacity;
    flatStart[i] = at;
    let ps = resolved.get(s.prefixes);
    if (!ps) resolved.set(s.prefixes, (ps = [...new Set(s.prefixes.flatMap((text) => prefixOf.get(text) ?? []))]));
    for (let j = 0; j < ps.length; j++) {
      const p = ps[j]!;
      flat[at++] = p;
      counts[p]![l + 1]!++;
    }
  }
  flatStart[nServers] = at;
  const fills: Int32Array[] = [];
  const servers: Int32Array[] = [];
  for (let p = 0; p < nPrefixes; p++) {
    const leafStart = counts[p]!;
    for (let l = 0; l < nLeaves; l++) leafStart[l + 1]! += leafStart[l]!;
    servers.push(new Int32Array(leafStart[nLeaves]!));
    fills.push(leafStart.slice(0, nLeaves));
  }
  const configuredServers: Int32Array[] = [];
  const configuredCapacity: Float64Array[] = [];
  for (let p = 0; p < nPrefixes; p++) {
    configuredServers.push(new Int32Array(nLeaves));
    configuredCapacity.push(new Float64Array(nLeaves));
  }
  // Servers in fabric order, so within a leaf they keep it.
  for (let i = 0; i < nServers; i++) {
    const l = serverLeaf[i]!;
    for (let x = flatStart[i]!; x < flatStart[i + 1]!; x++) {
      const p = flat[x]!;
      servers[p]![fills[p]![l]!++] = i;
      configuredServers[p]![l]!++;
      configuredCapacity[p]![l]! += serverCapacity[i]!;
    }
  }
  const prefixes = fabric.services.map((service, p): PrefixIndex => ({
    service,
    servers: servers[p]!,
    leafStart: counts[p]!,
    configuredServers: configuredServers[p]!,
    configuredCapacity: configuredCapacity[p]!,
  }));
  // Name maps are built on first use: the planner's sweeps never look a name up, and a
  // 24,576-server fabric's maps cost more than the rest of the index.
  const lazy = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const serverByName = lazy(() => byName(fabric.servers));
  // 32,768 links on the generated fabric: their names only for whatif and reports.
  const linkNames = lazy(() => linkLeaf.map((l, i) => linkName(fabric.leaves[l]!.name, fabric.spines[linkSpine[i]!]!.name, linkOrdinal[i]!)));
  const linkByName = lazy(() => byName(linkNames().map((name) => ({ name }))));
  return {
    fabric,
    spineByName: spineIndex,
    leafByName,
    get serverByName() {
      return serverByName();
    },
    spineLeaves,
    leafSpines,
    linkLeaf: Int32Array.from(linkLeaf),
    linkSpine: Int32Array.from(linkSpine),
    linkOrdinal: Int32Array.from(linkOrdinal),
    get linkNames() {
      return linkNames();
    },
    get linkByName() {
      return linkByName();
    },
    spineLinks,
    leafLinks,
    parallelLinks: linkOrdinal.some((o) => o > 0),
    serverLeaf,
    serverCapacity,
    prefixes,
  };
}

/**
 * The index of a fabric that differs from the indexed one only in policy or routers' weight models
 * (same elements, names and prefixes): shares everything, the lazy name maps included.
 */
export function withFabric(index: FabricIndex, fabric: Fabric): FabricIndex {
  return Object.create(index, { fabric: { value: fabric, enumerable: true } }) as FabricIndex;
}

/**
 * The index of `fabric` plus one server appended at the end of its servers (the planner's "one more
 * server behind this leaf"), built from the fabric's index in O(servers of its prefixes) instead of
 * re-indexing 24,576 servers per candidate. Equal to indexFabric of the extended fabric: the new
 * server comes last in fabric order, so last among its leaf's servers, and each per-leaf capacity
 * sum gains it as its last term (the same float additions in the same order).
 */
export function withAddedServer(index: FabricIndex, server: Server): FabricIndex {
  const old = index.fabric;
  const fabric: Fabric = { ...old, servers: [...old.servers, server] };
  const i = old.servers.length;
  const l = index.leafByName.get(server.leaf);
  if (l === undefined) throw new RangeError(`withAddedServer: unknown leaf ${server.leaf}`);
  const serverLeaf = new Int32Array(i + 1);
  serverLeaf.set(index.serverLeaf);
  serverLeaf[i] = l;
  const serverCapacity = new Float64Array(i + 1);
  serverCapacity.set(index.serverCapacity);
  serverCapacity[i] = server.capacity;
  const mine = new Set<number>();
  const prefixOf = new Map(old.services.map((s, p) => [s.prefix.text, p]));
  for (const text of server.prefixes) {
    const p = prefixOf.get(text);
    if (p !== undefined) mine.add(p);
  }
  // Prefixes announced by the same servers (the generated fabrics' 16 all are) share one copy:
  // allocating 16 x 4 arrays of the fabric's size per variant cost more than the variant's sweep.
  const copies: { from: PrefixIndex; to: PrefixIndex }[] = [];
  const prefixes = index.prefixes.map((pi, p): PrefixIndex => {
    if (!mine.has(p)) return pi;
    const twin = copies.find((c) => sameArrays(c.from, pi))?.to;
    if (twin) return { service: pi.service, servers: twin.servers, leafStart: twin.leafStart, configuredServers: twin.configuredServers, configuredCapacity: twin.configuredCapacity };
    const at = pi.leafStart[l + 1]!;
    const servers = new Int32Array(pi.servers.length + 1);
    servers.set(pi.servers.subarray(0, at));
    servers[at] = i;
    servers.set(pi.servers.subarray(at), at + 1);
    const leafStart = pi.leafStart.slice();
    for (let x = l + 1; x < leafStart.length; x++) leafStart[x]!++;
    const configuredServers = pi.configuredServers.slice();
    configuredServers[l]!++;
    const configuredCapacity = pi.configuredCapacity.slice();
    configuredCapacity[l]! += server.capacity;
    const out = { service: pi.service, servers, leafStart, configuredServers, configuredCapacity };
    copies.push({ from: pi, to: out });
    return out;
  });
  let names: Map<string, number> | undefined;
  return Object.create(index, {
    fabric: { value: fabric, enumerable: true },
    serverLeaf: { value: serverLeaf, enumerable: true },
    serverCapacity: { value: serverCapacity, enumerable: true },
    prefixes: { value: prefixes, enumerable: true },
    serverByName: { get: () => (names ??= byName(fabric.servers)), enumerable: true },
  }) as FabricIndex;
}

/** Whether two prefixes' server lists and per-leaf counts are equal, element by element. */
function sameArrays(a: PrefixIndex, b: PrefixIndex): boolean {
  const eq = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    if (x === y) return true;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  };
  return eq(a.leafStart, b.leafStart) && eq(a.configuredServers, b.configuredServers) && eq(a.configuredCapacity, b.configuredCapacity) && eq(a.servers, b.servers);
}

function byName(items: readonly { readonly name: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < items.length; i++) m.set(items[i]!.name, i);
  return m;
}

/** Everything up except servers whose fixture state is down or drained. */
export function baseLiveness(index: FabricIndex): Liveness {
  const f = index.fabric;
  return {
    spine: new Uint8Array(f.spines.length).fill(1),
    leaf: new Uint8Array(f.leaves.length).fill(1),
    server: Uint8Array.from(f.servers.map((s) => (s.state === 'up' ? 1 : 0))),
    link: new Uint8Array(index.linkLeaf.length).fill(1),
    uplink: new Uint8Array((f.superspines?.length ?? 0) * f.spines.length).fill(1),
  };
}
