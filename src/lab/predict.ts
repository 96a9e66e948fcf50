/**
 * What the forwarding model predicts for the lab's current state, and how the kernels compare.
 * Pure: the prediction is forwarding/shares.ts, the same code the planner runs.
 */
import type { Fabric, WeightModel } from '../fabric/types.js';
import { baseLiveness, indexFabric, uplinkName, type FabricIndex } from '../forwarding/fabric-index.js';
import { borderIngress } from '../forwarding/ingress.js';
import { evaluateFabricPrefix } from '../forwarding/tiers.js';
import { evaluatePrefix } from '../forwarding/shares.js';
import { CLIENT_NAME } from './client.js';
import type { ClientMode } from './client.js';
import { weightsByDev, type KernelRoute } from './kernel-route.js';
import { linkInterfaces, strategyFor, type LeafPolicyName } from './topology.js';
import { DEFAULT_LAB_FRR, labFrrVersion, labWeightModel, nodeVersions, type LabFrrVersion } from './frr-versions.js';

/** One router's kernel route for a prefix, as predicted. */
export interface RouterPrediction {
  readonly router: string;
  /** `border`: the lab's client running BGP (next hops named after the spines, or the super-spines). */
  readonly role: 'border' | 'superspine' | 'spine' | 'leaf';
  /**
   * Next-hop interface (named after the peer: spine -> leaf, `leaf-2` for a second parallel link;
   * leaf -> server) -> predicted kernel weight; installed next hops only.
   */
  readonly predicted: ReadonlyMap<string, number>;
  /**
   * The peers whose next hops are compared. A leaf left without servers routes the prefix back
   * through the spines; those next hops are not the leaf's own and are left out.
   */
  readonly peers: readonly string[];
}

export interface PrefixPrediction {
  readonly prefix: string;
  /** Spines, then leaves (a leaf's ECMP toward its servers: it changes when a spine's does not). */
  readonly routers: readonly RouterPrediction[];
  /** Server name -> predicted share of the prefix's traffic (0..1), for every server announcing it. */
  readonly serverShare: ReadonlyMap<string, number>;
}

/** Fixture state, then the servers and links failed in the lab down, everything else up. */
export function labLiveness(index: FabricIndex, failed: readonly string[], failedLinks: readonly string[] = []) {
  const live = baseLiveness(index);
  index.fabric.servers.forEach((s, i) => {
    live.server[i] = failed.includes(s.name) ? 0 : 1;
  });
  index.linkNames.forEach((name, i) => {
    live.link![i] = failedLinks.includes(name) ? 0 : 1;
  });
  live.uplink!.forEach((_, u) => {
    live.uplink![u] = failedLinks.includes(uplinkName(index, u)) ? 0 : 1;
  });
  return live;
}

/** The fixture with every spine's and leaf's weight model replaced by what its lab FRR version runs. */
export function labFabricFor(fabric: Fabric, labFrr?: LabFrrVersion): Fabric {
  const versions = nodeVersions(fabric, labFrr);
  const runs = <T extends { name: string; weights: Fabric['spines'][number]['weights'] }>(n: T): T => (n.weights === 'ecmp' ? n : { ...n, weights: labWeightModel(versions.get(n.name)!) });
  const supers = fabric.superspines?.map((ss) => (ss.weights === 'ecmp' ? ss : { ...ss, weights: labWeightModel(labFrr ?? (ss.frr ? labFrrVersion(ss.frr.text) : DEFAULT_LAB_FRR)) }));
  return { ...fabric, spines: fabric.spines.map(runs), leaves: fabric.leaves.map(runs), ...(supers ? { superspines: supers } : {}) };
}

/** Each receiving router weights by its own FRR version's rule (measured on mixed 8.4/10.3 fabrics). */
export function predictLab(fabric: Fabric, leafPolicy: LeafPolicyName, failed: readonly string[], labFrr?: LabFrrVersion, failedLinks: readonly string[] = [], client: ClientMode = 'static'): PrefixPrediction[] {
  const labFabric = labFabricFor(fabric, labFrr);
  const index = indexFabric(labFabric);
  const live = labLiveness(index, failed, failedLinks);
  const strategy = strategyFor(leafPolicy);
  return index.prefixes.map((p, pi) => {
    let f = evaluatePrefix(index, pi, strategy, live);
    const upper: RouterPrediction[] = [];
    const borderModel = labWeightModel(labFrr ?? DEFAULT_LAB_FRR);
    const supers = labFabric.superspines ?? [];
    const named = (names: readonly string[], w: ArrayLike<number>) => new Map(names.flatMap((n, i) => (w[i]! > 0 ? [[n, w[i]!] as const] : [])));
    const spineNames = labFabric.spines.map((s) => s.name);
    if (supers.length > 0) {
      // Border -> super-spines -> spines: each tier weights the one below by what it re-advertises.
      const tiered = evaluateFabricPrefix(index, pi, strategy, live, borderModel);
      const tiers = tiered.tiers!;
      f = tiered.f;
      upper.push({ router: CLIENT_NAME, role: 'border', predicted: named(supers.map((x) => x.name), tiers.borderWeights), peers: supers.map((x) => x.name) });
      supers.forEach((ss, i) => upper.push({ router: ss.name, role: 'superspine', predicted: named(spineNames, tiers.superWeights[i]!), peers: spineNames }));
    } else if (client === 'bgp') {
      // The client weights the spines by what they re-advertise; the shares follow those weights.
      const ingress = borderIngress(index, f, live, borderModel);
      f = evaluatePrefix(index, pi, strategy, live, ingress.weights);
      upper.push({ router: CLIENT_NAME, role: 'border', predicted: named(spineNames, ingress.weights), peers: spineNames });
    }
    const spines = labFabric.spines.map((spine, s): RouterPrediction => {
      const predicted = new Map<string, number>();
      const peers: string[] = [];
      for (const link of index.spineLinks[s]!) {
        const dev = linkInterfaces(labFabric.leaves[index.linkLeaf[link]!]!.name, spine.name, index.linkOrdinal[link]!).onSpine;
        peers.push(dev);
        const w = f.linkWeights[link]!;
        if (w > 0) predicted.set(dev, w);
      }
      return { router: spine.name, role: 'spine', predicted, peers };
    });
    const leaves = labFabric.leaves.map((leaf, l): RouterPrediction => {
      const predicted = new Map<string, number>();
      const peers: string[] = [];
      for (let k = p.leafStart[l]!; k < p.leafStart[l + 1]!; k++) {
        const server = labFabric.servers[p.servers[k]!]!.name;
        peers.push(server);
        if (f.leafWeights[k]! > 0) predicted.set(server, f.leafWeights[k]!);
      }
      return { router: leaf.name, role: 'leaf', predicted, peers };
    });
    const serverShare = new Map<string, number>();
    p.servers.forEach((server, k) => serverShare.set(labFabric.servers[server]!.name, f.serverShare[k]!));
    return { prefix: p.service.prefix.text, routers: [...upper, ...spines, ...leaves], serverShare };
  });
}

export interface WeightComparison {
  readonly prefix: string;
  readonly router: string;
  readonly role: RouterPrediction['role'];
  readonly predicted: ReadonlyMap<string, number>;
  readonly kernel: ReadonlyMap<string, number>;
  readonly equal: boolean;
}

/** Kernel weights per router and prefix beside the prediction; equal means the same peers, same weights. */
export function compareWeights(predictions: readonly PrefixPrediction[], kernel: ReadonlyMap<string, readonly KernelRoute[]>, findRoute: (routes: readonly KernelRoute[], prefix: string) => KernelRoute | undefined): WeightComparison[] {
  return predictions.flatMap((p) =>
    p.routers.map((r) => {
      const all = weightsByDev(findRoute(kernel.get(r.router) ?? [], p.prefix));
      const got = new Map([...all].filter(([dev]) => r.role !== 'leaf' || r.peers.includes(dev)));
      const equal = got.size === r.predicted.size && [...r.predicted].every(([peer, w]) => got.get(peer) === w);
      return { prefix: p.prefix, router: r.router, role: r.role, predicted: r.predicted, kernel: got, equal };
    }),
  );
}

/** `leaf1 57, leaf2 28, leaf3 14` in the given peer order; `-` when nothing is installed. */
export function formatWeights(weights: ReadonlyMap<string, number>, order: readonly string[]): string {
  const parts = order.filter((l) => weights.has(l)).map((l) => `${l} ${weights.get(l)}`);
  for (const [dev, w] of weights) if (!order.includes(dev)) parts.push(`${dev} ${w}`);
  return parts.length ? parts.join(', ') : '-';
}
