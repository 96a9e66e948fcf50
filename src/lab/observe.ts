/** Reading the running lab: BGP sessions over bgpd's vty socket, spine kernel routes through iproute2. */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseBgpSummary, type BgpPeerSummary } from '../frr/bgp-summary.js';
import { vtySocket } from '../frr/vty-socket.js';
import { BallastError } from '../util/errors.js';
import { parseKernelRoutes, type KernelRoute } from './kernel-route.js';
import { routesJson } from './netns.js';
import type { LabNode } from './topology.js';

export interface LabSession extends BgpPeerSummary {
  readonly node: string;
}

export async function readSessions(nodes: readonly LabNode[], runDir: string): Promise<LabSession[]> {
  const perNode = await Promise.all(nodes.filter((n) => n.frr).map(async (n) => parseBgpSummary(await summaryJson(`${runDir}/${n.ns}`)).map((p) => ({ ...p, node: n.name }))));
  return perNode.flat();
}

/**
 * `show bgp summary json` straight over bgpd's vty socket: `lab up` polls it for every router while it
 * waits for the sessions, and a vtysh per poll was most of the lab's CPU (bench/vty-socket.md). Asked up
 * to 3 times: an empty or cut answer from a bgpd busy starting is no answer.
 */
async function summaryJson(dir: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      const text = await vtySocket(['show bgp summary json'], { vtyDir: dir, daemon: 'bgpd' });
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new BallastError('E_FRR_PARSE', `Cannot parse the JSON of "show bgp summary json" from ${dir}: ${text.slice(0, 120)}`, { cause: err });
      }
    } catch (err) {
      if (!(err instanceof BallastError && err.code === 'E_FRR_PARSE') || attempt >= 3) throw err;
      await sleep(300);
    }
  }
}

/**
 * The up servers that announce IPv4 routes whose leaf has received none from them yet. Established is
 * not routes received: an agent whose first read comes before a server's UPDATE sees that server
 * appear a moment later, as one that returns, and holds it for the hold-down (fast socket reads made
 * this likely at `lab up`).
 */
export function serversNotHeard(sessions: readonly LabSession[], servers: readonly { readonly name: string; readonly leaf: string; readonly prefixes: readonly string[] }[], failed: readonly string[]): string[] {
  return servers
    .filter((s) => !failed.includes(s.name) && s.prefixes.some((p) => !p.includes(':')))
    .filter((s) => !sessions.some((x) => x.node === s.leaf && x.hostname === s.name && x.prefixesReceived > 0))
    .map((s) => s.name);
}

/** Every spine's and leaf's (and a BGP client's) kernel routes of the given families (one `ip` call each), by node name. */
export async function readRouterRoutes(nodes: readonly LabNode[], families: readonly ('ipv4' | 'ipv6')[] = ['ipv4']): Promise<Map<string, KernelRoute[]>> {
  // The client only when it runs BGP: its static route is the fixture's, not a prediction.
  const routers = nodes.filter((n) => n.role === 'superspine' || n.role === 'spine' || n.role === 'leaf' || (n.role === 'client' && n.frr));
  const routes = await Promise.all(routers.map(async (n) => (await Promise.all(families.map(async (f) => parseKernelRoutes(await routesJson(n.ns, [], f))))).flat()));
  return new Map(routers.map((n, i) => [n.name, routes[i]!]));
}

/** Poll until `probe` returns non-null, every 200 ms, or fail with E_LAB_TIMEOUT naming what we waited for. */
export async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      // Daemons just started may not answer yet; interruption and timeouts of our own propagate.
      if (err instanceof BallastError && (err.code === 'E_LAB_INTERRUPTED' || err.code === 'E_LAB_TIMEOUT')) throw err;
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new BallastError('E_LAB_TIMEOUT', `Timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    }
    await sleep(200);
  }
}
