/**
 * frr.conf renderers: pure functions from a validated description of one router to the text zebra
 * and bgpd read at start-up. Every token is checked here, because these texts become FRR commands.
 */
import { BallastError } from '../util/errors.js';

/** `set extcommunity bandwidth ...`: Mbps (1-25600), one Mbps per multipath, or the sum of the paths'. */
export type BandwidthSetting = number | 'num-multipaths' | 'cumulative';

export interface RouteMapEntry {
  readonly seq: number;
  readonly action: 'permit' | 'deny';
  readonly matchPrefixList?: string;
  readonly setBandwidth?: BandwidthSetting;
}

export interface RouteMap {
  readonly name: string;
  readonly entries: readonly RouteMapEntry[];
}

/** An IPv4 prefix list of exact prefixes, all permitted. */
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

function checkPrefix(text: string): string {
  const [address, length, extra] = text.split('/');
  if (extra !== undefined || address === undefined || length === undefined || !IPV4.test(address) || !/^\d{1,2}$/.test(length) || Number(length) > 32) {
    throw new BallastError('E_USAGE', `Cannot render FRR configuration: prefix ${JSON.stringify(text)} is not an IPv4 prefix`);
  }
  return text;
}

function bandwidth(b: BandwidthSetting): string {
  return typeof b === 'number' ? String(checkInt(b, 1, 25600, 'link-bandwidth Mbps')) : b;
}

export function renderZebraConf(c: RouterConfig): string {
  const lines = [`hostname ${check(c.hostname, NAME, 'hostname')}`, `log file ${check(c.logDir, PATH, 'log directory')}/zebra.log informational`, '!'];
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
  // Explicit rather than `frr defaults datacenter`: these are the knobs FRR-FACTS.md verified.
  lines.push(' no bgp ebgp-requires-policy', ' no bgp default ipv4-unicast', ' bgp bestpath as-path multipath-relax');
  if (b.bestpathBandwidth) lines.push(` bgp bestpath bandwidth ${b.bestpathBandwidth}`);
  lines.push(` timers bgp ${checkInt(b.keepalive, 1, 65535, 'keepalive')} ${checkInt(b.hold, 3, 65535, 'hold time')}`);
  for (const g of b.peerGroups) {
    const pg = check(g.name, NAME, 'peer-group');
    lines.push(` neighbor ${pg} peer-group`, ` neighbor ${pg} remote-as external`, ` neighbor ${pg} advertisement-interval 0`);
    lines.push(` neighbor ${pg} timers connect ${checkInt(b.connectRetry, 1, 65535, 'connect retry')}`);
    for (const ifname of g.interfaces) lines.push(` neighbor ${check(ifname, IFNAME, 'interface')} interface peer-group ${pg}`);
  }
  lines.push(' !', ' address-family ipv4 unicast');
  if (b.redistributeConnectedRouteMap) lines.push(`  redistribute connected route-map ${check(b.redistributeConnectedRouteMap, NAME, 'route-map')}`);
  for (const g of b.peerGroups) {
    lines.push(`  neighbor ${g.name} activate`);
    if (g.routeMapOut) lines.push(`  neighbor ${g.name} route-map ${check(g.routeMapOut, NAME, 'route-map')} out`);
  }
  lines.push(' exit-address-family', 'exit', '!');
  for (const pl of c.prefixLists) {
    const name = check(pl.name, NAME, 'prefix-list');
    pl.prefixes.forEach((p, i) => lines.push(`ip prefix-list ${name} seq ${(i + 1) * 5} permit ${checkPrefix(p)}`));
    lines.push('!');
  }
  for (const rm of c.routeMaps) {
    const name = check(rm.name, NAME, 'route-map');
    for (const e of rm.entries) {
      lines.push(`route-map ${name} ${e.action} ${checkInt(e.seq, 1, 65535, 'route-map sequence')}`);
      if (e.matchPrefixList) lines.push(` match ip address prefix-list ${check(e.matchPrefixList, NAME, 'prefix-list')}`);
      // Transitive on purpose: `non-transitive` is stripped on eBGP and the spines would see nothing.
      if (e.setBandwidth !== undefined) lines.push(` set extcommunity bandwidth ${bandwidth(e.setBandwidth)}`);
      lines.push('exit', '!');
    }
  }
  return `${lines.join('\n')}\n`;
}
