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
  readonly serverLeaf: Int32Array;
  readonly serverCapacity: Float64Array;
  readonly prefixes: readonly PrefixIndex[];
}

/** Which elements are up in a scenario: 1 up, 0 failed. */
export interface Liveness {
  readonly spine: Uint8Array;
  readonly leaf: Uint8Array;
  readonly server: Uint8Array;
}

export function indexFabric(fabric: Fabric): FabricIndex {
  const spineByName = new Map(fabric.spines.map((s, i) => [s.name, i]));
  const leafByName = new Map(fabric.leaves.map((l, i) => [l.name, i]));
  const serverByName = new Map(fabric.servers.map((s, i) => [s.name, i]));
  const leafSpines = fabric.leaves.map((l) => Int32Array.from(l.spines.map((n) => spineByName.get(n)!)));
  const spineLeaves = fabric.spines.map((_, s) => Int32Array.from(fabric.leaves.map((_, l) => l).filter((l) => leafSpines[l]!.includes(s))));
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
  return { fabric, spineByName, leafByName, serverByName, spineLeaves, leafSpines, serverLeaf, serverCapacity, prefixes };
}

/** Everything up except servers whose fixture state is down or drained. */
export function baseLiveness(index: FabricIndex): Liveness {
  const f = index.fabric;
  return {
    spine: new Uint8Array(f.spines.length).fill(1),
    leaf: new Uint8Array(f.leaves.length).fill(1),
    server: Uint8Array.from(f.servers.map((s) => (s.state === 'up' ? 1 : 0))),
  };
}
