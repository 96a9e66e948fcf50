/**
 * Kernel routes as `ip -j [-6] route show` (iproute2 6.1) prints them -> next hops with weights. Pure.
 * A multipath route has `nexthops[]`, each with `dev` and `weight`; a single-path route has `dev` at
 * the top level and no weight, which the kernel treats as weight 1.
 */
import { BallastError } from '../util/errors.js';

export interface KernelNexthop {
  readonly dev: string;
  readonly weight: number;
  /** The gateway, e.g. an IPv6 link-local for RFC 5549 next hops; absent for a direct route. */
  readonly via?: string;
}

export interface KernelRoute {
  /** `198.51.100.1` for a host route as iproute2 prints it (no /32), else `a.b.c.d/len`. */
  readonly dst: string;
  readonly protocol?: string;
  readonly nexthops: readonly KernelNexthop[];
}

type Json = Record<string, unknown>;

function gateway(h: Json): string | undefined {
  if (typeof h.gateway === 'string') return h.gateway;
  const via = h.via as Json | undefined;
  return typeof via?.host === 'string' ? via.host : undefined;
}

export function parseKernelRoutes(json: unknown): KernelRoute[] {
  if (!Array.isArray(json)) throw new BallastError('E_LAB', 'Unexpected `ip -j route` output: not a JSON array');
  const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
  return json.map((r, i) => {
    if (!isObject(r) || typeof r.dst !== 'string') throw new BallastError('E_LAB', `Unexpected \`ip -j route\` output: route ${i} has no dst`);
    const hops: unknown[] = Array.isArray(r.nexthops) ? r.nexthops : [r];
    const nexthops = hops.map((h, j) => {
      if (!isObject(h) || typeof h.dev !== 'string') throw new BallastError('E_LAB', `Unexpected \`ip -j route\` output: route ${r.dst} next hop ${j} has no dev`);
      const via = gateway(h);
      return { dev: h.dev, weight: typeof h.weight === 'number' ? h.weight : 1, ...(via ? { via } : {}) };
    });
    return { dst: r.dst, ...(typeof r.protocol === 'string' ? { protocol: r.protocol } : {}), nexthops };
  });
}

/**
 * The route for a host prefix, or undefined: iproute2 prints host routes without their length, so
 * `198.51.100.1/32` matches dst `198.51.100.1` and `2001:db8::1/128` matches `2001:db8::1`.
 * Prefixes are compared as canonical text, as parsePrefix and iproute2 both write them.
 */
export function findRoute(routes: readonly KernelRoute[], prefix: string): KernelRoute | undefined {
  const host = kernelDst(prefix);
  return routes.find((r) => r.dst === prefix || r.dst === host);
}

/** How iproute2 writes this prefix as a route's dst: a host prefix without its length. */
export function kernelDst(prefix: string): string {
  const hostLength = prefix.includes(':') ? '/128' : '/32';
  return prefix.endsWith(hostLength) ? prefix.slice(0, -hostLength.length) : prefix;
}

/** Weight per next-hop interface; the lab names interfaces after the peer, so this is weight per peer. */
export function weightsByDev(route: KernelRoute | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const h of route?.nexthops ?? []) out.set(h.dev, (out.get(h.dev) ?? 0) + h.weight);
  return out;
}
