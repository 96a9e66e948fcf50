/**
 * `show bgp summary json` (FRR 8.4) -> the IPv4 unicast peers and their states. Tested on JSON recorded
 * from the lab (fixtures/frr/); keeps only the fields ballast uses and fails with E_FRR_PARSE, naming
 * the field, when the shape is not what FRR 8.4 prints.
 */
import { number as num, object as obj, string as str } from './json-shape.js';

export interface BgpPeerSummary {
  /** The neighbor as configured: an interface name for BGP unnumbered, else an address. */
  readonly neighbor: string;
  /** The peer's hostname from the hostname capability, when it sent one. */
  readonly hostname?: string;
  readonly remoteAs: number;
  /** Established, Active, Connect, OpenSent, ... */
  readonly state: string;
  readonly prefixesReceived: number;
}

/**
 * `show bgp summary json` (all address families) -> the IPv4 unicast peers. A router with no
 * activated peers prints `{}`; that is zero peers, not an error.
 */
export function parseBgpSummary(json: unknown): BgpPeerSummary[] {
  const root = obj(json, 'summary');
  if (root.ipv4Unicast === undefined) return [];
  const af = obj(root.ipv4Unicast, 'ipv4Unicast');
  const peers = obj(af.peers ?? {}, 'ipv4Unicast.peers');
  return Object.entries(peers).map(([neighbor, raw]) => {
    const p = obj(raw, `peers.${neighbor}`);
    const where = `ipv4Unicast.peers.${neighbor}`;
    return {
      neighbor,
      ...(typeof p.hostname === 'string' ? { hostname: p.hostname } : {}),
      remoteAs: num(p.remoteAs, `${where}.remoteAs`),
      state: str(p.state, `${where}.state`),
      prefixesReceived: typeof p.pfxRcd === 'number' ? p.pfxRcd : 0,
    };
  });
}
