/**
 * The lab's client: where test traffic enters the fabric. `static` (the default): a static route over
 * the spines weighted by the fixture's `ingress` shares. `bgp`: the client is a border router, an FRR
 * that peers with every spine and installs what they re-advertise, weighted by the link-bandwidth sum
 * each spine puts on its route (src/forwarding/ingress.ts predicts it); its kernel is read and
 * compared like a spine's.
 */
import type { Fabric } from '../fabric/types.js';
import { BallastError } from '../util/errors.js';

/** The client's node name (topology.ts CLIENT; here so that predict.ts needs no topology import cycle). */
export const CLIENT_NAME = 'client';

export const CLIENT_MODES = ['static', 'bgp'] as const;
export type ClientMode = (typeof CLIENT_MODES)[number];

/** The client's AS when it runs BGP: outside the fixtures' spine, leaf and server ranges by convention. */
export const CLIENT_ASN = 65000;
/** Peer-group names on the client (toward the spines) and on each spine (toward the client). */
export const CLIENT_PEER_GROUP = 'CLIENT';
export const BORDER_PEER_GROUP = 'SPINES';

/** A BGP client needs an AS of its own, or the spines would drop its session's routes as loops. */
export function checkClientAsn(fabric: Fabric): void {
  const clash = [...fabric.spines, ...fabric.leaves, ...fabric.servers].find((n) => n.asn === CLIENT_ASN);
  if (clash) throw new BallastError('E_LAB_FIXTURE', `Cannot build a lab with a BGP client: ${clash.name} uses AS ${CLIENT_ASN}, which the lab's client takes; give ${clash.name} another AS`);
}

/** Kernel route weights are 1-256: scale ingress to that range, proportions kept as far as integers allow. */
export function ingressWeights(ingress: readonly number[]): number[] {
  const max = Math.max(...ingress);
  if (!(max > 0)) return ingress.map(() => 1);
  const allEqual = ingress.every((x) => x === max);
  return ingress.map((x) => (x <= 0 ? 0 : allEqual ? 1 : Math.max(1, Math.round((x / max) * 100))));
}
