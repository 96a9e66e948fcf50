/**
 * One read of a router for the observer: which host routes inside the configured prefixes zebra has
 * installed (a targeted `longer-prefixes` query per covering range, never the whole table), the BGP
 * paths behind them (link-bandwidth per peer), the kernel's weights where the kernel is local, and the
 * router's FRR version and `bgp bestpath bandwidth` setting. Read-only: only `show` commands.
 * `assembleRoutes` is pure, so recorded FRR output replays in tests.
 */
import type { InstalledNexthopView, ReceivedPathView } from '../api/agent-api.js';
import { isHostPrefix, parsePrefix, prefixContains, type Prefix } from '../fabric/prefix.js';
import { parseBgpPrefix, splitJsonStream, type BgpPrefix } from '../frr/bgp-prefix.js';
import { parseBestpathBandwidth, parseShowVersion, type BestpathBandwidth } from '../frr/version.js';
import { parseZebraRoutes, type ZebraRoute } from '../frr/zebra-route.js';
import { findRoute, parseKernelRoutes, type KernelNexthop, type KernelRoute } from '../lab/kernel-route.js';
import { MAX_OBSERVED_ROUTES } from './config.js';

export interface ObservedPrefix {
  readonly prefix: string;
  readonly installed: readonly InstalledNexthopView[];
  readonly received: readonly ReceivedPathView[];
}

export interface RouterReading {
  readonly frrVersion: string;
  readonly asn: number;
  readonly bestpathBandwidth: BestpathBandwidth;
  readonly prefixes: readonly ObservedPrefix[];
  /** Host routes found beyond MAX_OBSERVED_ROUTES and left out. */
  readonly truncated: number;
}

/** Runs vtysh commands (one call) and returns stdout; `ip` runs iproute2 and returns its stdout. */
export interface ReadDeps {
  readonly frr: (commands: readonly string[]) => Promise<string>;
  readonly ip: ((args: readonly string[]) => Promise<string>) | null;
}

const afiOf = (p: Prefix) => (p.family === 'ipv4' ? 'ip' : 'ipv6');

/** The zebra queries for the configured prefixes: exact for a host route, `longer-prefixes` for a range. */
export function zebraQueries(prefixes: readonly Prefix[]): string[] {
  return prefixes.map((p) => `show ${afiOf(p)} route ${p.text}${isHostPrefix(p) ? '' : ' longer-prefixes'} json`);
}

/** Host routes to follow: every configured host prefix, plus BGP host routes zebra has inside a range. */
export function routesToFollow(prefixes: readonly Prefix[], zebra: readonly ZebraRoute[]): { follow: Prefix[]; truncated: number } {
  const out = new Map<string, Prefix>();
  for (const p of prefixes) if (isHostPrefix(p)) out.set(p.text, p);
  for (const r of zebra) {
    if (r.protocol !== 'bgp' || out.has(r.prefix)) continue;
    const p = parsePrefix(r.prefix);
    if (isHostPrefix(p) && prefixes.some((range) => prefixContains(range, p))) out.set(p.text, p);
  }
  const all = [...out.values()].sort((a, b) => a.text.localeCompare(b.text));
  return { follow: all.slice(0, MAX_OBSERVED_ROUTES), truncated: Math.max(0, all.length - MAX_OBSERVED_ROUTES) };
}

/** zebra's installed next hops matched to the BGP paths (by interface, else by next-hop address) and the kernel. */
export function assembleRoutes(follow: readonly Prefix[], zebra: readonly ZebraRoute[], bgp: readonly BgpPrefix[], kernel: readonly KernelRoute[] | null): ObservedPrefix[] {
  return follow.map((p, i) => {
    const paths = (bgp[i]?.paths ?? []).filter((x) => x.valid);
    const route = zebra.find((r) => r.prefix === p.text && r.protocol === 'bgp');
    const k = kernel ? findRoute(kernel, p.text) : undefined;
    const installed = (route?.nexthops ?? []).map((h): InstalledNexthopView => {
      const path = paths.find((x) => (h.interface !== null && x.neighbor === h.interface) || (h.ip !== null && x.nexthopIps.includes(h.ip)));
      const kh = kernelHop(k?.nexthops ?? [], h.interface, h.ip);
      return {
        peer: path?.hostname ?? path?.neighbor ?? h.interface ?? h.ip ?? '?',
        interface: h.interface ?? '',
        via: h.ip ?? '',
        weight: h.weight,
        kernelWeight: kernel === null ? null : (kh?.weight ?? 0),
        bandwidthBytes: path?.bandwidthBytes ?? null,
      };
    });
    const received = paths.map((x): ReceivedPathView => ({ peer: x.hostname ?? x.neighbor, asPath: x.asPath, multipath: x.multipath, bandwidthBytes: x.bandwidthBytes }));
    return { prefix: p.text, installed, received };
  });
}

/**
 * The kernel's next hop for one of zebra's: same interface and, where both name one, same address. A route
 * zebra installs without a kernel nexthop group (`no zebra nexthop kernel enable`, which the lab sets on
 * FRR 8.4) carries an unnumbered peer's hop as `via 169.254.0.1 onlink`, not the peer's fe80:: address,
 * so an interface with a single kernel hop matches by interface alone.
 */
function kernelHop(hops: readonly KernelNexthop[], dev: string | null, ip: string | null): KernelNexthop | undefined {
  const onDev = hops.filter((n) => n.dev === dev);
  return onDev.find((n) => ip === null || n.via === undefined || n.via === ip) ?? (onDev.length === 1 ? onDev[0] : undefined);
}

/** `router bgp 65100` of the default instance; 0 when there is none. */
function bgpAsn(runningConfig: string): number {
  const m = /^router bgp (\d+)\s*$/m.exec(runningConfig);
  return m ? Number(m[1]) : 0;
}

export async function readRouter(prefixes: readonly Prefix[], deps: ReadDeps, knownVersion: string | null): Promise<RouterReading> {
  const config = await deps.frr(['show running-config']);
  const frrVersion = knownVersion ?? parseShowVersion(await deps.frr(['show version']));
  const zebra = splitJsonStream(await deps.frr(zebraQueries(prefixes))).flatMap(parseZebraRoutes);
  const { follow, truncated } = routesToFollow(prefixes, zebra);
  const bgp = follow.length ? splitJsonStream(await deps.frr(follow.map((p) => `show bgp ${p.family} unicast ${p.text} json`))).map(parseBgpPrefix) : [];
  let kernel: KernelRoute[] | null = null;
  if (deps.ip) {
    const ip = deps.ip;
    // `root P` lists only routes inside P: targeted, like the zebra query.
    const tables = await Promise.all(prefixes.map(async (p) => parseKernelRoutes(JSON.parse((await ip(['-j', ...(p.family === 'ipv6' ? ['-6'] : []), 'route', 'show', 'root', p.text])) || '[]'))));
    kernel = tables.flat();
  }
  return { frrVersion, asn: bgpAsn(config), bestpathBandwidth: parseBestpathBandwidth(config), prefixes: assembleRoutes(follow, zebra, bgp, kernel), truncated };
}
