/**
 * One failure scenario compiled against the spine groups, shared by every prefix and strategy:
 * which servers failed, which leaves are down (failed, or cut off because all their spines failed)
 * and how much ingress each spine group keeps. Reused across scenarios: `apply` then `clear`, no
 * allocation in between.
 *
 * Elements are numbered spines first, then leaves, then servers, then leaf-spine links (index.linkLeaf
 * order): 0..S-1, S..S+L-1, S+L..S+L+N-1, S+L+N.. A scenario with a failed link is evaluated by the
 * reference code (the spine groups assume every link up): `failedLinkCount` and `liveness` say so.
 */
import { baseLiveness, type FabricIndex, type Liveness } from '../forwarding/fabric-index.js';
import type { SpineGroups } from './spine-groups.js';

export class ScenarioState {
  readonly nSpines: number;
  readonly nLeaves: number;
  readonly nServers: number;
  readonly nLinks: number;
  /** Spine/super-spine links (fabrics with super-spines), numbered after the leaf-spine links as Liveness.uplink. */
  readonly nUplinks: number;
  private readonly uplinkFailed: Uint8Array;
  readonly linkFailed: Uint8Array;
  private readonly failedLinks: Int32Array;
  failedLinkCount = 0;
  readonly serverFailed: Uint8Array;
  readonly leafDown: Uint8Array;
  /** Leaves down in this scenario (failed or unreachable), `downCount` of them. */
  readonly downLeaves: Int32Array;
  downCount = 0;
  readonly failedServers: Int32Array;
  failedServerCount = 0;
  /** Live spines and their summed ingress, per group. */
  readonly groupLive: Int32Array;
  readonly groupIngress: Float64Array;
  private readonly baseGroupLive: Int32Array;
  private readonly baseGroupIngress: Float64Array;
  private readonly spineFailed: Uint8Array;
  private readonly failedSpines: Int32Array;
  private failedSpineCount = 0;
  private readonly index: FabricIndex;
  private readonly groups: SpineGroups;
  /** Leaves down in every scenario (no spine at all): the first entries of downLeaves. */
  private readonly permanentDown: number;

  constructor(index: FabricIndex, groups: SpineGroups, maxFailures: number) {
    this.index = index;
    this.groups = groups;
    const f = index.fabric;
    this.nSpines = f.spines.length;
    this.nLeaves = f.leaves.length;
    this.nServers = f.servers.length;
    this.nLinks = index.linkLeaf.length;
    this.linkFailed = new Uint8Array(this.nLinks);
    this.nUplinks = (f.superspines?.length ?? 0) * this.nSpines;
    this.uplinkFailed = new Uint8Array(this.nUplinks);
    this.failedLinks = new Int32Array(Math.max(1, maxFailures));
    this.serverFailed = new Uint8Array(this.nServers);
    this.leafDown = new Uint8Array(this.nLeaves);
    this.downLeaves = new Int32Array(this.nLeaves);
    this.failedServers = new Int32Array(Math.max(1, maxFailures));
    this.failedSpines = new Int32Array(Math.max(1, maxFailures));
    this.spineFailed = new Uint8Array(this.nSpines);
    this.baseGroupLive = new Int32Array(groups.count);
    this.baseGroupIngress = new Float64Array(groups.count);
    for (let s = 0; s < this.nSpines; s++) {
      const g = groups.ofSpine[s]!;
      this.baseGroupLive[g]!++;
      this.baseGroupIngress[g]! += f.spines[s]!.ingress;
    }
    this.groupLive = this.baseGroupLive.slice();
    this.groupIngress = this.baseGroupIngress.slice();
    // A leaf without any spine never forwards, not even in the base state.
    for (let l = 0; l < this.nLeaves; l++) if (groups.leafStart[l] === groups.leafStart[l + 1]) this.markDown(l);
    this.permanentDown = this.downCount;
  }

  get elementCount(): number {
    return this.nSpines + this.nLeaves + this.nServers + this.nLinks + this.nUplinks;
  }

  /** Fail the given elements (at most maxFailures). Call `clear` before the next scenario. */
  apply(elements: ArrayLike<number>, count: number): void {
    // Typed arrays drop out-of-range writes silently: a scenario larger than planned must not.
    if (count > this.failedServers.length) throw new RangeError(`Scenario of ${count} failures exceeds the ${this.failedServers.length} this state was built for`);
    const { nSpines, nLeaves, groups } = this;
    for (let i = 0; i < count; i++) {
      const e = elements[i]!;
      if (e < nSpines) {
        if (this.spineFailed[e]) continue;
        this.spineFailed[e] = 1;
        this.failedSpines[this.failedSpineCount++] = e;
        const g = groups.ofSpine[e]!;
        this.groupLive[g]!--;
        // Recompute rather than subtract, so a group's ingress is exactly its live members' sum.
        this.groupIngress[g] = this.liveIngress(g);
      } else if (e < nSpines + nLeaves) {
        this.markDown(e - nSpines);
      } else if (e >= nSpines + nLeaves + this.nServers + this.nLinks) {
        // Only fabrics with super-spines have these, and they always go to the reference code.
        this.uplinkFailed[e - nSpines - nLeaves - this.nServers - this.nLinks] = 1;
      } else if (e >= nSpines + nLeaves + this.nServers) {
        const k = e - nSpines - nLeaves - this.nServers;
        if (this.linkFailed[k]) continue;
        this.linkFailed[k] = 1;
        this.failedLinks[this.failedLinkCount++] = k;
      } else {
        const s = e - nSpines - nLeaves;
        if (this.serverFailed[s]) continue;
        this.serverFailed[s] = 1;
        this.failedServers[this.failedServerCount++] = s;
      }
    }
    // Leaves whose every spine group lost all its spines are cut off.
    for (let i = 0; i < this.failedSpineCount; i++) {
      const g = groups.ofSpine[this.failedSpines[i]!]!;
      if (this.groupLive[g]! > 0) continue;
      const leaves = groups.leaves[g]!;
      for (let k = 0; k < leaves.length; k++) {
        const l = leaves[k]!;
        if (this.leafDown[l]) continue;
        let reachable = false;
        for (let j = groups.leafStart[l]!; j < groups.leafStart[l + 1]!; j++) {
          if (this.groupLive[groups.leafGroups[j]!]! > 0) {
            reachable = true;
            break;
          }
        }
        if (!reachable) this.markDown(l);
      }
    }
  }

  clear(): void {
    for (let i = this.permanentDown; i < this.downCount; i++) this.leafDown[this.downLeaves[i]!] = 0;
    this.downCount = this.permanentDown;
    for (let i = 0; i < this.failedServerCount; i++) this.serverFailed[this.failedServers[i]!] = 0;
    this.failedServerCount = 0;
    for (let i = 0; i < this.failedSpineCount; i++) {
      const s = this.failedSpines[i]!;
      this.spineFailed[s] = 0;
      const g = this.groups.ofSpine[s]!;
      this.groupLive[g] = this.baseGroupLive[g]!;
      this.groupIngress[g] = this.baseGroupIngress[g]!;
    }
    this.failedSpineCount = 0;
    for (let i = 0; i < this.failedLinkCount; i++) this.linkFailed[this.failedLinks[i]!] = 0;
    this.failedLinkCount = 0;
    this.uplinkFailed.fill(0);
  }

  /** The scenario as the reference evaluator takes it (for scenarios with failed links; allocates). */
  liveness(): Liveness {
    const live = baseLiveness(this.index);
    for (let s = 0; s < this.nSpines; s++) if (this.spineFailed[s]) live.spine[s] = 0;
    for (let l = 0; l < this.nLeaves; l++) if (this.leafDown[l]) live.leaf[l] = 0;
    for (let i = 0; i < this.failedServerCount; i++) live.server[this.failedServers[i]!] = 0;
    for (let i = 0; i < this.failedLinkCount; i++) live.link![this.failedLinks[i]!] = 0;
    for (let u = 0; u < this.nUplinks; u++) if (this.uplinkFailed[u]) live.uplink![u] = 0;
    return live;
  }

  private markDown(l: number): void {
    if (this.leafDown[l]) return;
    this.leafDown[l] = 1;
    this.downLeaves[this.downCount++] = l;
  }

  private liveIngress(g: number): number {
    let sum = 0;
    const members = this.groups.spines[g]!;
    for (let k = 0; k < members.length; k++) if (!this.spineFailed[members[k]!]) sum += this.index.fabric.spines[members[k]!]!.ingress;
    return sum;
  }
}
