/**
 * Traffic shares for one prefix under one strategy: each leaf decides its advertisement, each spine
 * installs weights as FRR would, and traffic splits spine -> leaf -> server in proportion to the
 * installed weights (the kernel's hash-threshold multipath spreads flows that way).
 */
import { leafStrategy, type FleetStrategy } from '../fabric/types.js';
import { WITHDRAW, type Advertisement } from '../policy/advertisement.js';
import { capacityToMbps, decide, type DecisionReason } from '../policy/decide.js';
import type { FabricIndex, Liveness } from './fabric-index.js';
import { installWeights, leafPathLength, type PathIn } from './weights.js';

export interface PrefixForwarding {
  /** Per leaf: what it advertises (withdraw when the leaf is down) and why. */
  readonly advertisements: Advertisement[];
  readonly reasons: (DecisionReason | 'leaf-down')[];
  /**
   * Per spine: kernel weights toward index.spineLeaves[s] (0 = not installed), summed over parallel
   * links; all 0 when the spine is down.
   */
  readonly spineWeights: Float64Array[];
  /** Per link (index.linkLeaf): the spine's kernel weight on that link's next hop, 0 = not installed. */
  readonly linkWeights: Float64Array;
  /** Per leaf, the fraction of the prefix's traffic it receives. */
  readonly leafShare: Float64Array;
  /** Per leaf: the leaf's kernel weights toward its live servers, aligned with PrefixIndex.servers. */
  readonly leafWeights: Float64Array;
  /** Aligned with PrefixIndex.servers: the fraction of the prefix's traffic each server receives. */
  readonly serverShare: Float64Array;
  /** Whether the server counts as live for this prefix (up, and its leaf reaches a live spine). */
  readonly serverLive: Uint8Array;
}

/** A link carries traffic when it, its leaf and its spine are up. */
export function linkLive(index: FabricIndex, live: Liveness, link: number): boolean {
  return (live.link ? live.link[link] === 1 : true) && live.spine[index.linkSpine[link]!] === 1 && live.leaf[index.linkLeaf[link]!] === 1;
}

/** A leaf forwards only if it is up and at least one of its links reaches a live spine. */
export function leafReachable(index: FabricIndex, live: Liveness, leaf: number): boolean {
  if (!live.leaf[leaf]) return false;
  const links = index.leafLinks[leaf]!;
  for (let k = 0; k < links.length; k++) if (linkLive(index, live, links[k]!)) return true;
  return false;
}

/**
 * `strategy` is the whole fabric's, or `configured`: each leaf on its own fixture `strategy:` (a
 * mixed fleet, where the spines' missing-bandwidth rule decides what paths without a value get).
 * `ingress`, per spine, replaces the spines' fixed `ingress` shares (a border's weights learned by BGP,
 * ingress.ts); spines' and leaves' weights do not depend on it.
 */
export function evaluatePrefix(index: FabricIndex, prefix: number, strategy: FleetStrategy, live: Liveness, ingress?: ArrayLike<number>): PrefixForwarding {
  const p = index.prefixes[prefix]!;
  const { fabric } = index;
  const policy = fabric.policy;
  const nLeaves = fabric.leaves.length;
  const advertisements: Advertisement[] = new Array(nLeaves);
  const reasons: (DecisionReason | 'leaf-down')[] = new Array(nLeaves);
  const serverLive = new Uint8Array(p.servers.length);
  const leafWeights = new Float64Array(p.servers.length);
  const serverShare = new Float64Array(p.servers.length);
  const leafShare = new Float64Array(nLeaves);

  // Leaves: count what is healthy behind each, decide, and weight the leaf's own ECMP.
  const serverPaths = new PathList();
  let scratch = new Float64Array(64);
  for (let l = 0; l < nLeaves; l++) {
    const from = p.leafStart[l]!;
    const to = p.leafStart[l + 1]!;
    if (!leafReachable(index, live, l)) {
      advertisements[l] = WITHDRAW;
      reasons[l] = 'leaf-down';
      continue;
    }
    let healthyCount = 0;
    let healthyCapacity = 0;
    for (let k = from; k < to; k++) {
      const s = p.servers[k]!;
      if (live.server[s]) {
        serverLive[k] = 1;
        healthyCount++;
        healthyCapacity += index.serverCapacity[s]!;
      }
    }
    const own = leafStrategy(fabric.leaves[l]!, strategy);
    // Under ballast the servers announce their capacity too, so the leaf weights its own ECMP.
    const weightServers = own === 'ballast' && policy.weightServers;
    const d = decide(own, policy, {
      healthyCount,
      healthyCapacity,
      configuredCount: p.configuredServers[l]!,
      configuredCapacity: p.configuredCapacity[l]!,
    });
    advertisements[l] = d.advertisement;
    reasons[l] = d.reason;
    if (healthyCount === 0) continue;
    serverPaths.clear();
    for (let k = from; k < to; k++) {
      if (!serverLive[k]) continue;
      const bandwidthMbps = weightServers ? capacityToMbps(policy, index.serverCapacity[p.servers[k]!]!) : null;
      serverPaths.add(bandwidthMbps, 1);
    }
    if (scratch.length < serverPaths.list.length) scratch = new Float64Array(serverPaths.list.length * 2);
    const w = scratch;
    installWeights(fabric.leaves[l]!.weights, 'ecmp-fallback', serverPaths.list, w);
    let j = 0;
    for (let k = from; k < to; k++) if (serverLive[k]) leafWeights[k] = w[j++]!;
  }

  // Spines: one path per live link (parallel links are parallel paths, each with the leaf's value);
  // ingress splits over the spines with a route.
  const spineWeights: Float64Array[] = new Array(fabric.spines.length);
  const linkWeights = new Float64Array(index.linkLeaf.length);
  const spinePaths = new PathList();
  const present: number[] = [];
  let ingressTotal = 0;
  const spineTotals = new Float64Array(fabric.spines.length);
  for (let s = 0; s < fabric.spines.length; s++) {
    const leaves = index.spineLeaves[s]!;
    const weights = new Float64Array(leaves.length);
    spineWeights[s] = weights;
    if (!live.spine[s]) continue;
    const links = index.spineLinks[s]!;
    spinePaths.clear();
    present.length = 0;
    for (let k = 0; k < links.length; k++) {
      const link = links[k]!;
      if (!linkLive(index, live, link)) continue;
      const a = advertisements[index.linkLeaf[link]!]!;
      if (a.kind === 'withdraw') continue;
      present.push(link);
      spinePaths.add(a.bandwidthMbps, leafPathLength(a.prepend));
    }
    if (present.length === 0) continue;
    if (scratch.length < present.length) scratch = new Float64Array(present.length * 2);
    const w = scratch;
    installWeights(fabric.spines[s]!.weights, fabric.spines[s]!.missingBandwidth, spinePaths.list, w);
    let total = 0;
    for (let j = 0; j < present.length; j++) {
      linkWeights[present[j]!] = w[j]!;
      total += w[j]!;
    }
    // The spine's links and its leaves are both in leaf order: one walk sums parallel links per
    // leaf (a loop over every leaf's links per spine cost 64 x 512 x 64 steps per evaluation).
    for (let j = 0, k = 0; j < links.length; j++) {
      const leaf = index.linkLeaf[links[j]!]!;
      while (leaves[k] !== leaf) k++;
      weights[k]! += linkWeights[links[j]!]!;
    }
    spineTotals[s] = total;
    if (total > 0) ingressTotal += ingress ? ingress[s]! : fabric.spines[s]!.ingress;
  }
  if (ingressTotal > 0) {
    for (let s = 0; s < fabric.spines.length; s++) {
      if (!spineTotals[s]) continue;
      const enter = (ingress ? ingress[s]! : fabric.spines[s]!.ingress) / ingressTotal;
      const leaves = index.spineLeaves[s]!;
      const weights = spineWeights[s]!;
      for (let k = 0; k < leaves.length; k++) if (weights[k]) leafShare[leaves[k]!]! += (enter * weights[k]!) / spineTotals[s]!;
    }
  }
  for (let l = 0; l < nLeaves; l++) {
    if (!leafShare[l]) continue;
    let total = 0;
    for (let k = p.leafStart[l]!; k < p.leafStart[l + 1]!; k++) total += leafWeights[k]!;
    if (total === 0) continue;
    for (let k = p.leafStart[l]!; k < p.leafStart[l + 1]!; k++) serverShare[k] = (leafShare[l]! * leafWeights[k]!) / total;
  }
  return { advertisements, reasons, spineWeights, linkWeights, leafShare, leafWeights, serverShare, serverLive };
}

/**
 * Candidate paths, their objects reused from one router to the next: an evaluation of the
 * 24,576-server fabric otherwise allocates 57,000 of them, and the what-if runs 48 evaluations.
 */
class PathList {
  readonly list: PathIn[] = [];
  private readonly pool: { bandwidthMbps: number | null; asPathLength: number }[] = [];

  clear(): void {
    this.list.length = 0;
  }

  add(bandwidthMbps: number | null, asPathLength: number): void {
    let path = this.pool[this.list.length];
    if (!path) this.pool.push((path = { bandwidthMbps, asPathLength }));
    path.bandwidthMbps = bandwidthMbps;
    path.asPathLength = asPathLength;
    this.list.push(path);
  }
}
