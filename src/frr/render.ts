/**
 * frr.conf renderers: pure functions from a validated description of one router to the text zebra
 * and bgpd read at start-up. Every token is checked here, because these texts become FRR commands.
 */
import { parsePrefix } from '../fabric/prefix.js';
import { BallastError } from '../util/errors.js';

export type AddressFamily = 'ipv4' | 'ipv6';

/** `set extcommunity bandwidth ...`: Mbps (1-25600), one Mbps per multipath, or the sum of the paths'. */
export type BandwidthSetting = number | 'num-multipaths' | 'cumulative';

export interface RouteMapEntry {
  readonly seq: number;
  readonly action: 'permit' | 'deny';
  /** `match ip address prefix-list`: IPv4 routes only. */
  readonly matchPrefixList?: string;
  /** `match ipv6 address prefix-list`: one route-map serves both families, an entry per family. */
  readonly matchIpv6PrefixList?: string;
  readonly setBandwidth?: BandwidthSetting;
}

export interface RouteMap {
  readonly name: string;
  readonly entries: readonly RouteMapEntry[];
}

/**
 * Exact prefixes, all permitted. IPv4 ones become `ip prefix-list NAME`, IPv6 ones `ipv6 prefix-list
 * NAME`: FRR keeps the two families' lists apart even under one name.
 */
export interface PrefixList {
  readonly name: string;
  readonly prefixes: readonly string[];
}

/** BGP unnumbered peers on the named interfaces, all sharing one policy. */
export interface PeerGroup {
  readonly name: string;
  readonly interfaces: readonly string[];
  readonly routeMapOut?: string;
}

/** FRR's `bgp bestpath bandwidth` knob; absent means FRR's default (fall back to ECMP). */
export type BestpathBandwidth = 'ignore' | 'skip-missing' | 'default-weight-for-missing';

export interface BgpRouter {
  readonly asn: number;
  readonly routerId: string;
  readonly peerGroups: readonly PeerGroup[];
  /** Announce connected routes through this route-map (servers: their anycast addresses on lo). */
  readonly redistributeConnectedRouteMap?: string;
  readonly bestpathBandwidth?: BestpathBandwidth;
  /**
   * Address families the peer groups are activated in, each with the same redistribution and
   * outbound route-maps; default IPv4 only. IPv6 routes ride the same unnumbered sessions.
   */
  readonly addressFamilies?: readonly AddressFamily[];
  /** Keepalive/hold seconds; short so that failures and start-up converge in seconds. */
  readonly keepalive: number;
  readonly hold: number;
  /** Seconds between connection attempts; FRR's default (120 s) would stall a fresh fabric. */
  readonly connectRetry: number;
}

export interface RouterConfig {
  readonly hostname: string;
  /** Directory for the daemons' log files. */
  readonly logDir: string;
  /** Interfaces that send router advertisements (BGP unnumbered learns its peers from them). */
  readonly interfaces: readonly string[];
  /** Seconds between router advertisements; FRR's unnumbered default is 10 s, which slows start-up. */
  readonly raIntervalSeconds: number;
  /**
   * false: `no zebra nexthop kernel enable`, zebra installs routes with their next hops inline instead
   * of as kernel nexthop objects. FRR 8.4's zebra loses a member of a kernel nexthop group when its
   * interface flaps and never puts it back (fixed in FRR 9.1 by PR #14080; docs/lab.md "Link failures").
   * Absent: FRR's default (nexthop groups).
   */
  readonly kernelNexthopGroups?: boolean;
  readonly bgp: BgpRouter;
  readonly prefixLists: readonly PrefixList[];
  readonly routeMaps: readonly RouteMap[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const PATH = /^\/[A-Za-z0-9_./-]+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function check(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new BallastError('E_USAGE', `Cannot render FRR configuration: ${what} ${JSON.stringify(value)} is not allowed`);
  return value;
}

function checkInt(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BallastError('E_USAGE', `Cannot render FRR configuration: ${what} ${value} is out of range ${min}-${max}`);
  }
  return value;
}

function checkPrefix(text: string): { family: AddressFamily; text: string } {
  try {
    // Canonical text only: whatever reaches frr.conf is exactly what parsePrefix produced.
    const prefix = parsePrefix(text);
    if (prefix.text === text) return prefix;
  } catch {
    // reported below
  }
  throw new BallastError('E_USAGE', `Cannot render FRR configuration: prefix ${JSON.stringify(text)} is not an IPv4 or IPv6 prefix in canonical form`);
}

function bandwidth(b: BandwidthSetting): string {
  return typeof b === 'number' ? String(checkInt(b, 1, 25600, 'link-bandwidth Mbps')) : b;
}

export function renderZebraConf(c: RouterConfig): string {
  const lines = [`hostname ${check(c.hostname, NAME, 'hostname')}`, `log file ${check(c.logDir, PATH, 'log directory')}/zebra.log informational`, '!'];
  if (c.kernelNexthopGroups === false) lines.push('no zebra nexthop kernel enable', '!');
  const ra = checkInt(c.raIntervalSeconds, 1, 1800, 'RA interval');
  for (const ifname of c.interfaces) {
    lines.push(`interface ${check(ifname, IFNAME, 'interface')}`, ` ipv6 nd ra-interval ${ra}`, ' no ipv6 nd suppress-ra', 'exit', '!');
  }
  return `${lines.join('\n')}\n`;
}

export function renderBgpdConf(c: RouterConfig): string {
  const b = c.bgp;
  const lines = [`hostname ${check(c.hostname, NAME, 'hostname')}`, `log file ${check(c.logDir, PATH, 'log directory')}/bgpd.log informational`, '!'];
  lines.push(`router bgp ${checkInt(b.asn, 1, 4294967295, 'ASN')}`);
  lines.push(` bgp router-id ${check(b.routerId, IPV4, 'router-id')}`);
  // Explicit rather than `frr defaults datacenter`: these are the knobs docs/frr.md "The fabric configuration" verified.
  lines.push(' no bgp ebgp-requires-policy', ' no bgp default ipv4-unicast', ' bgp bestpath as-path multipath-relax');
  if (b.bestpathBandwidth) lines.push(` bgp bestpath bandwidth ${b.bestpathBandwidth}`);
  lines.push(` timers bgp ${checkInt(b.keepalive, 1, 65535, 'keepalive')} ${checkInt(b.hold, 3, 65535, 'hold time')}`);
  for (const g of b.peerGroups) {
    const pg = check(g.name, NAME, 'peer-group');
    lines.push(` neighbor ${pg} peer-group`, ` neighbor ${pg} remote-as external`, ` neighbor ${pg} advertisement-interval 0`);
    lines.push(` neighbor ${pg} timers connect ${checkInt(b.connectRetry, 1, 65535, 'connect retry')}`);
    for (const ifname of g.interfaces) lines.push(` neighbor ${check(ifname, IFNAME, 'interface')} interface peer-group ${pg}`);
  }
  for (const af of new Set(b.addressFamilies ?? ['ipv4'])) {
    lines.push(' !', ` address-family ${af} unicast`);
    if (b.redistributeConnectedRouteMap) lines.push(`  redistribute connected route-map ${check(b.redistributeConnectedRouteMap, NAME, 'route-map')}`);
    for (const g of b.peerGroups) {
      lines.push(`  neighbor ${g.name} activate`);
      if (g.routeMapOut) lines.push(`  neighbor ${g.name} route-map ${check(g.routeMapOut, NAME, 'route-map')} out`);
    }
    lines.push(' exit-address-family');
  }
  lines.push('exit', '!');
  for (const pl of c.prefixLists) {
    const name = check(pl.name, NAME, 'prefix-list');
    const prefixes = pl.prefixes.map(checkPrefix);
    for (const family of ['ipv4', 'ipv6'] as const) {
      const keyword = family === 'ipv4' ? 'ip' : 'ipv6';
      prefixes.filter((p) => p.family === family).forEach((p, i) => lines.push(`${keyword} prefix-list ${name} seq ${(i + 1) * 5} permit ${p.text}`));
    }
    lines.push('!');
  }
  for (const rm of c.routeMaps) {
    const name = check(rm.name, NAME, 'route-map');
    for (const e of rm.entries) {
      lines.push(`route-map ${name} ${e.action} ${checkInt(e.seq, 1, 65535, 'route-map sequence')}`);
      if (e.matchPrefixList) lines.push(` match ip address prefix-list ${check(e.matchPrefixList, NAME, 'prefix-list')}`);
      if (e.matchIpv6PrefixList) lines.push(` match ipv6 address prefix-list ${check(e.matchIpv6PrefixList, NAME, 'prefix-list')}`);
      // Transitive on purpose: `non-transitive` is stripped on eBGP and the spines would see nothing.
      if (e.setBandwidth !== undefined) lines.push(` set extcommunity bandwidth ${bandwidth(e.setBandwidth)}`);
      lines.push('exit', '!');
    }
  }
  return `${lines.join('\n')}\n`;
}
