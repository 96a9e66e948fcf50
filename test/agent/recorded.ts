/**
 * Recorded FRR answers for the agent's tests: the leaf's `show bgp ipv4 unicast 198.51.100.1/32 json`
 * with three server paths (s11, s12 at 1000 Mbps and s13 at 2000 Mbps of link-bandwidth, as the
 * servers sent it), narrowed to any subset of servers by dropping paths, the way FRR drops a withdrawn one.
 */
import { readFileSync } from 'node:fs';

const full = JSON.parse(readFileSync(new URL('../../fixtures/frr/agent/leaf-v4-3servers-lb.json', import.meta.url), 'utf8')) as {
  prefix: string;
  paths: { peer: { interface: string }; bestpath?: unknown; multipath?: boolean; extendedCommunity?: unknown }[];
};
const viaSpine = readFileSync(new URL('../../fixtures/frr/agent/leaf-v4-0servers-via-spine.json', import.meta.url), 'utf8');

/**
 * The route as FRR prints it with only these servers' paths left; `{ lb: false }` strips
 * link-bandwidth; `held` servers' paths are present but outside the multipath set (local-preference
 * 50, as the agent's inbound hold leaves them).
 */
export function routeWith(servers: readonly string[], opts: { lb?: boolean; held?: readonly string[] } = {}): string {
  const held = opts.held ?? [];
  if (servers.length === 0 && held.length === 0) return viaSpine;
  const paths = full.paths
    .filter((p) => servers.includes(p.peer.interface) || held.includes(p.peer.interface))
    .map((p) => {
      const q = structuredClone(p) as typeof p & { locPrf?: number };
      delete q.bestpath;
      delete q.multipath;
      if (held.includes(p.peer.interface)) q.locPrf = 50;
      else q.multipath = true;
      if (opts.lb === false) delete q.extendedCommunity;
      return q;
    });
  const best = paths.find((q) => q.multipath);
  if (best) best.bestpath = { overall: true, selectionReason: 'Older Path' };
  // Held paths alone lose to the path back through the spine (local-preference 100 beats 50).
  else paths.push(...(JSON.parse(viaSpine) as typeof full).paths);
  return JSON.stringify({ ...full, paths }, null, 2);
}
