/**
 * `show ip route PREFIX [longer-prefixes] json` / `show ipv6 route ...` (zebra, FRR 8.4 and 10.x) ->
 * installed routes with their next hops and weights. The JSON is an object keyed by prefix, each a
 * list of route entries (one per protocol); only the selected, installed entry forwards. Shapes are
 * checked field by field: E_FRR_PARSE rather than a guess.
 */
import { shapeError as fail, object, type Json } from './json-shape.js';

export interface ZebraNexthop {
  readonly interface: string | null;
  /** The gateway (an IPv6 link-local for RFC 5549); null for a directly connected next hop. */
  readonly ip: string | null;
  /** zebra's weight; absent in FRR's JSON means plain ECMP (1). */
  readonly weight: number;
  readonly fib: boolean;
}

export interface ZebraRoute {
  readonly prefix: string;
  readonly protocol: string;
  readonly nexthops: readonly ZebraNexthop[];
}

/** The selected, installed route of every prefix in the output (`{}` when zebra knows none). */
export function parseZebraRoutes(json: unknown): ZebraRoute[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('root', 'is not an object');
  const out: ZebraRoute[] = [];
  for (const [prefix, entries] of Object.entries(json as Json)) {
    if (!Array.isArray(entries)) fail(prefix, 'is not a list');
    entries.forEach((raw, i) => {
      const e = raw as Json;
      const where = `${prefix}[${i}]`;
      if (typeof e !== 'object' || e === null) fail(where, 'is not an object');
      if (e.selected !== true || e.installed !== true) return;
      if (typeof e.protocol !== 'string') fail(`${where}.protocol`, 'is not a string');
      if (!Array.isArray(e.nexthops)) fail(`${where}.nexthops`, 'is not a list');
      const nexthops = e.nexthops
        .map((h, j) => object(h, `${where}.nexthops[${j}]`))
        .filter((h) => h.fib === true)
        .map((h, j) => {
          if (h.weight !== undefined && typeof h.weight !== 'number') fail(`${where}.nexthops[${j}].weight`, 'is not a number');
          return {
            interface: typeof h.interfaceName === 'string' ? h.interfaceName : null,
            ip: typeof h.ip === 'string' ? h.ip : null,
            weight: typeof h.weight === 'number' ? h.weight : 1,
            fib: true,
          };
        });
      out.push({ prefix, protocol: e.protocol, nexthops });
    });
  }
  return out;
}
