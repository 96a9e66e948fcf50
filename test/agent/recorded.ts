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

/** The route as FRR prints it with only these servers' paths left; `{ lb: false }` strips link-bandwidth. */
export function routeWith(servers: readonly string[], opts: { lb?: boolean } = {}): string {
  if (servers.length === 0) return viaSpine;
  const paths = full.paths
    .filter((p) => servers.includes(p.peer.interface))
    .map((p, i) => {
      const q = structuredClone(p);
      delete q.bestpath;
      q.multipath = true;
      if (i === 0) q.bestpath = { overall: true, selectionReason: 'Older Path' };
      if (opts.lb === false) delete q.extendedCommunity;
      return q;
    });
  return JSON.stringify({ ...full, paths }, null, 2);
}
