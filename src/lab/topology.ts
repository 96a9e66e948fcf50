/**
 * The lab as data: which namespaces, veth pairs, addresses, sysctls and FRR configurations a fixture
 * becomes. Pure, so the whole topology is tested without root; orchestrate.ts only carries it out.
 *
 * Naming: namespace `bl-NODE`; a link's interface is named after the node at its other end (docs/frr.md "The fabric configuration":
 * BGP unnumbered, `neighbor IFNAME interface`), so a kernel next hop `dev leaf1` is leaf1.
 */
import { Address6 } from 'ip-address';
import { parsePrefix } from '../fabric/prefix.js';
import type { Fabric, FleetStrategy, Strategy } from '../fabric/types.js';
import type { AddressFamily, BestpathBandwidth, BgpRouter, RouteMap, RouteMapEntry, RouterConfig } from '../frr/render.js';
import { capacityToMbps } from '../policy/decide.js';
import { BallastError } from '../util/errors.js';
import { BORDER_PEER_GROUP, checkClientAsn, CLIENT_ASN, CLIENT_NAME, CLIENT_PEER_GROUP, ingressWeights, type ClientMode } from './client.js';
import { DEFAULT_LAB_FRR, labFrrVersion, nodeVersions, type LabFrrVersion } from './frr-versions.js';
import { versionNotes } from './version-notes.js';

export { ingressWeights } from './client.js';

export const LEAF_POLICIES = ['ecmp', 'num-multipaths', 'none', 'ballast', 'configured'] as const;
/**
 * The static leaf configuration when no agent runs; `none` leaves the outbound policy to an agent;
 * `ballast` starts the leaf agent on every leaf (agents.ts) and has the servers announce their
 * capacity as link-bandwidth, so each leaf splits its own ECMP by capacity as the planner models.
 * `configured`: each leaf on its fixture `strategy:` (a mixed fleet, see leafRuns).
 */
export type LeafPolicyName = (typeof LEAF_POLICIES)[number];

/** What one leaf runs: the lab's policy, or under `configured` its own strategy. */
export type LeafRun = Exclude<LeafPolicyName, 'configured'>;

/**
 * A leaf's own policy. Under `configured`, `ballast` leaves get an agent, `num-multipaths` leaves
 * FRR's route-map, and `ecmp` leaves no outbound policy at all (a leaf not yet touched by the
 * rollout: its paths carry no link-bandwidth).
 */
export function leafRuns(policy: LeafPolicyName, leaf: { readonly strategy?: Strategy }): LeafRun {
  if (policy !== 'configured') return policy;
  const own = leaf.strategy ?? 'ballast';
  return own === 'ecmp' ? 'none' : own;
}

/** Default namespace prefix; another (`--ns-prefix`) lets a second lab, e.g. the tests', run beside it. */
export const NETNS_PREFIX = 'bl-';
const NS_PREFIX_PATTERN = /^[a-z][a-z0-9]{0,7}-$/;
export const CLIENT = CLIENT_NAME;
/** The client sources every flow from this address on its loopback (inside 100.64.0.0/10). */
export const CLIENT_ADDRESS = '100.100.0.1';
/**
 * The client's IPv6 source, on its loopback. The lab keeps 2001:db8:ffff::/48 for its own addresses
 * (this one and the client links), so no fixture's anycast /128 may lie there.
 */
export const CLIENT_ADDRESS6 = '2001:db8:ffff::1';
const LAB_OWN_V6 = '2001:db8:ffff::/48';
/** UDP port the servers' listeners count on. */
export const TRAFFIC_PORT = 5001;

export type Role = 'superspine' | 'spine' | 'leaf' | 'server' | 'client';

export interface LabNode {
  readonly name: string;
  readonly ns: string;
  readonly role: Role;
  /** Spines and leaves route; servers and the client only send or receive. */
  readonly forwarding: boolean;
  /** net.ipv4.fib_multipath_hash_seed: distinct per namespace, deterministic so runs repeat. */
  readonly hashSeed: number;
  /** FRR configuration; absent for the client, which uses a static route. */
  readonly frr?: RouterConfig;
  /** The FRR version the node runs (routers only): the fixture's `frr:` or the lab's `--frr`. */
  readonly frrVersion?: LabFrrVersion;
}

export interface LinkEnd {
  readonly ns: string;
  readonly ifname: string;
  /** Locally administered and derived from the link's position, so IPv6 link-locals (and FRR's order of
   * next hops, hence which flow hashes to which leaf) are the same on every run. */
  readonly mac: string;
  /** `a.b.c.d/len`, only on the client's links. */
  readonly address?: string;
  /** `2001:db8:ffff:1:N::/127` style, only on the client's links and only when the fabric has IPv6 anycast. */
  readonly address6?: string;
}

export interface LabLink {
  readonly a: LinkEnd;
  readonly b: LinkEnd;
}

export interface ClientNexthop {
  readonly via: string;
  /** The spine's IPv6 address on the client link, when the fabric has IPv6 anycast. */
  readonly via6?: string;
  readonly dev: string;
  readonly weight: number;
}

export interface LabTopology {
  readonly fabric: Fabric;
  readonly nsPrefix: string;
  readonly leafPolicy: LeafPolicyName;
  readonly runDir: string;
  /** Families of the fixture's anycast prefixes: which BGP address families, routes and sockets the lab uses. */
  readonly families: readonly AddressFamily[];
  readonly nodes: readonly LabNode[];
  readonly links: readonly LabLink[];
  /** Per server namespace, the anycast addresses it puts on lo at start (servers whose state is up). */
  readonly anycast: ReadonlyMap<string, readonly string[]>;
  /** `static`: the client routes by clientNexthops; `bgp`: it runs FRR and peers with every spine (client.ts). */
  readonly client: ClientMode;
  /** The client's route to every anycast prefix: ECMP over the spines, weighted by their ingress (static only). */
  readonly clientNexthops: readonly ClientNexthop[];
  /** Things the user should know, e.g. a weight model the lab's FRR 8.4 cannot run. */
  readonly notes: readonly string[];
}

/** The planner strategy that predicts what a leaf policy does (`configured`: each leaf its own). */
export function strategyFor(policy: LeafPolicyName): FleetStrategy {
  return policy === 'num-multipaths' || policy === 'ballast' || policy === 'configured' ? policy : 'ecmp';
}

/** Documentation ranges only (RFC 5737, RFC 3849), so a lab never puts a real network's address on an interface. */
const ALLOWED_V4 = [
  [0xc6336400, 24, '198.51.100.0/24'],
  [0xcb007100, 24, '203.0.113.0/24'],
] as const;
const ALLOWED_V6 = '2001:db8::/32';
const ALLOWED_TEXT = `${ALLOWED_V4.map((a) => a[2]).join(' or ')} (IPv4) or ${ALLOWED_V6} (IPv6), documentation ranges`;

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function refuse(text: string, why: string): never {
  throw new BallastError('E_LAB_FIXTURE', `Cannot build a lab for prefix ${JSON.stringify(text)}: ${why}`);
}

/** Refuse prefixes the lab must not configure; returns the bare address to put on loopbacks. */
export function checkLabPrefix(text: string): string {
  const prefix = parsePrefix(text);
  const [address] = prefix.text.split('/') as [string];
  if (prefix.family === 'ipv6') {
    const a = new Address6(prefix.text);
    if (!a.isInSubnet(new Address6(ALLOWED_V6))) refuse(text, `lab anycast prefixes must lie in ${ALLOWED_TEXT}, so the lab never shadows a real network`);
    if (a.isInSubnet(new Address6(LAB_OWN_V6))) refuse(text, `${LAB_OWN_V6} holds the lab's own addresses (the client's source and links); pick another /128 in ${ALLOWED_V6}`);
    if (prefix.length !== 128) refuse(text, 'servers announce anycast addresses from lo, expected a /128');
    return address;
  }
  const n = ipv4ToInt(address);
  const inside = ALLOWED_V4.some(([net, len]) => Math.floor(n / 2 ** (32 - len)) === Math.floor(net / 2 ** (32 - len)));
  if (!inside) refuse(text, `lab anycast prefixes must lie in ${ALLOWED_TEXT}, so the lab never shadows a real network`);
  if (prefix.length !== 32) refuse(text, 'servers announce anycast addresses from lo, expected a /32');
  return address;
}

/** `198.51.100.1` -> `198.51.100.1/32`, `2001:db8::1` -> `2001:db8::1/128`: how `ip address` takes a loopback address. */
export function hostPrefix(address: string): string {
  return `${address}/${address.includes(':') ? 128 : 32}`;
}

/** Names become interface names (15 characters at most) and namespace names. */
const NODE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,14}$/;

function checkName(name: string): void {
  if (!NODE_NAME.test(name)) {
    throw new BallastError('E_LAB_FIXTURE', `Cannot build a lab for node ${JSON.stringify(name)}: names must be 1-15 letters, digits, "-" or "_" starting with a letter (they become interface names)`);
  }
  if (name === CLIENT || name === 'lo') throw new BallastError('E_LAB_FIXTURE', `Cannot build a lab for node ${JSON.stringify(name)}: the name is reserved by the lab`);
}

/**
 * A leaf-spine link's interface names: each end is named after the node at the other end, and the
 * second, third, ... of parallel links get `-2`, `-3` (`leaf1-2` on the spine, `spine1-2` on the leaf).
 */
export function linkInterfaces(leaf: string, spine: string, ordinal: number): { readonly onLeaf: string; readonly onSpine: string } {
  const tail = ordinal === 0 ? '' : `-${ordinal + 1}`;
  return { onLeaf: `${spine}${tail}`, onSpine: `${leaf}${tail}` };
}

/** Every leaf-spine link of the fabric with its ordinal among parallel links and its interface names. */
export function fabricLinks(fabric: Fabric): { leaf: string; spine: string; ordinal: number; onLeaf: string; onSpine: string }[] {
  return fabric.leaves.flatMap((leaf) => {
    const seen = new Map<string, number>();
    return (leaf.links ?? leaf.spines).map((spine) => {
      const ordinal = seen.get(spine) ?? 0;
      seen.set(spine, ordinal + 1);
      return { leaf: leaf.name, spine, ordinal, ...linkInterfaces(leaf.name, spine, ordinal) };
    });
  });
}

/** FNV-1a of the node name: stable across runs and prefixes, different per node, never 0 (0 = shared seed). */
export function hashSeed(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h === 0 ? 1 : h;
}

/** MAC of end `end` (0 or 1) of link `i`: 02:ba:00 then 16 bits of link index and the end. */
export function linkMac(i: number, end: 0 | 1): string {
  const n = i * 2 + end;
  return ['02', 'ba', '00', (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].map((b) => (typeof b === 'number' ? b.toString(16).padStart(2, '0') : b)).join(':');
}

function routerId(i: number): string {
  // 100.127.0.0/16 holds up to 65 534 routers; an identifier only, never on an interface.
  return `100.127.${Math.floor((i + 1) / 256)}.${(i + 1) % 256}`;
}

/** What differs between a spine, a leaf and a server router. */
type RouterRole = Pick<BgpRouter, 'peerGroups' | 'redistributeConnectedRouteMap' | 'bestpathBandwidth'> & Partial<Pick<RouterConfig, 'prefixLists' | 'routeMaps'>>;

export const TIMERS = { keepalive: 3, hold: 9, connectRetry: 2 } as const;
const RA_INTERVAL_SECONDS = 1;

export function labTopology(fabric: Fabric, leafPolicy: LeafPolicyName, runDir: string, nsPrefix: string = NETNS_PREFIX, labFrr?: LabFrrVersion, client: ClientMode = 'static'): LabTopology {
  if (!NS_PREFIX_PATTERN.test(nsPrefix)) {
    throw new BallastError('E_USAGE', `Cannot use namespace prefix ${JSON.stringify(nsPrefix)}: expected 1-8 lowercase letters or digits and a final "-", e.g. "bl-"`);
  }
  const notes: string[] = [];
  const supers = fabric.superspines ?? [];
  for (const n of [...supers, ...fabric.spines, ...fabric.leaves, ...fabric.servers]) checkName(n.name);
  // Above super-spines the client can only learn its routes: a static route would skip a tier.
  if (supers.length > 0) client = 'bgp';
  const versions = nodeVersions(fabric, labFrr);
  if (client === 'bgp') {
    checkClientAsn(fabric);
    versions.set(CLIENT, labFrr ?? DEFAULT_LAB_FRR);
  }
  for (const ss of supers) versions.set(ss.name, labFrr ?? (ss.frr ? labFrrVersion(ss.frr.text, `${ss.name}'s frr, or give --frr`) : DEFAULT_LAB_FRR));
  const allPrefixes = fabric.services.map((s) => s.prefix.text);
  allPrefixes.forEach(checkLabPrefix);
  // IPv6 only when a prefix needs it, so an IPv4 fixture's lab stays exactly as it was.
  const families: AddressFamily[] = fabric.services.some((s) => s.prefix.family === 'ipv6') ? ['ipv4', 'ipv6'] : ['ipv4'];
  const ns = (name: string): string => `${nsPrefix}${name}`;
  const logDir = (name: string): string => `${runDir}/${ns(name)}`;
  const nodes: LabNode[] = [];
  const links: { a: Omit<LinkEnd, 'mac'>; b: Omit<LinkEnd, 'mac'> }[] = [];
  let routers = 0;

  /** One router's configuration: the shared knobs here, the role's peers and policy from the caller. */
  const router = (name: string, asn: number, role: RouterRole): RouterConfig => ({
    hostname: name,
    logDir: logDir(name),
    // Every peer is reached over an interface of its own (unnumbered), so these are the RA interfaces.
    interfaces: role.peerGroups.flatMap((g) => g.interfaces),
    raIntervalSeconds: RA_INTERVAL_SECONDS,
    // FRR 8.4 drops a flapped link's next hop from its kernel nexthop groups for good (render.ts).
    ...(versions.get(name) === '8.4' ? { kernelNexthopGroups: false } : {}),
    bgp: {
      asn,
      routerId: routerId(routers++),
      peerGroups: role.peerGroups,
      addressFamilies: families,
      ...(role.redistributeConnectedRouteMap ? { redistributeConnectedRouteMap: role.redistributeConnectedRouteMap } : {}),
      ...(role.bestpathBandwidth ? { bestpathBandwidth: role.bestpathBandwidth } : {}),
      ...TIMERS,
    },
    prefixLists: role.prefixLists ?? [],
    routeMaps: role.routeMaps ?? [],
  });

  const spineLeafLinks = fabricLinks(fabric);
  const nodeNames = new Set([...fabric.spines, ...fabric.leaves, ...fabric.servers].map((n) => n.name));
  for (const link of spineLeafLinks) {
    if (link.ordinal === 0) continue;
    for (const ifname of [link.onLeaf, link.onSpine]) {
      if (!NODE_NAME.test(ifname) || nodeNames.has(ifname)) {
        throw new BallastError('E_LAB_FIXTURE', `Cannot build a lab for the parallel link ${link.leaf}/${link.spine}#${link.ordinal + 1}: its interface name ${JSON.stringify(ifname)} is too long (15 characters at most) or a node's name`);
      }
    }
  }
  // Spines peer upward with every super-spine, or else with a BGP client.
  const upward = supers.length > 0 ? [{ name: 'SUPERSPINES', interfaces: supers.map((x) => x.name) }] : client === 'bgp' ? [{ name: CLIENT_PEER_GROUP, interfaces: [CLIENT] }] : [];
  for (const ss of supers) {
    // The border (the client) always sits above the super-spines: each needs its side of that session.
    const peerGroups = [{ name: 'SPINES', interfaces: fabric.spines.map((x) => x.name) }, { name: CLIENT_PEER_GROUP, interfaces: [CLIENT] }];
    nodes.push({ name: ss.name, ns: ns(ss.name), role: 'superspine', forwarding: true, hashSeed: hashSeed(ss.name), frr: router(ss.name, ss.asn, { peerGroups }), frrVersion: versions.get(ss.name)! });
    for (const spine of fabric.spines) links.push({ a: { ns: ns(ss.name), ifname: spine.name }, b: { ns: ns(spine.name), ifname: ss.name } });
  }
  for (const spine of fabric.spines) {
    const leaves = spineLeafLinks.filter((l) => l.spine === spine.name).map((l) => l.onSpine);
    const bestpathBandwidth: BestpathBandwidth | undefined =
      spine.weights === 'ecmp' ? 'ignore' : spine.missingBandwidth === 'ecmp-fallback' ? undefined : spine.missingBandwidth;
    nodes.push({
      name: spine.name,
      ns: ns(spine.name),
      role: 'spine',
      forwarding: true,
      hashSeed: hashSeed(spine.name),
      frr: router(spine.name, spine.asn, { peerGroups: [{ name: 'LEAVES', interfaces: leaves }, ...upward], ...(bestpathBandwidth ? { bestpathBandwidth } : {}) }),
      frrVersion: versions.get(spine.name)!,
    });
  }

  const toSpineOf = (run: LeafRun): RouteMap | undefined =>
    run === 'none' || run === 'ballast' ? undefined : { name: 'TO_SPINE', entries: [{ seq: 10, action: 'permit', ...(run === 'num-multipaths' ? { setBandwidth: 'num-multipaths' as const } : {}) }] };
  for (const leaf of fabric.leaves) {
    const toSpine = toSpineOf(leafRuns(leafPolicy, leaf));
    const servers = fabric.servers.filter((s) => s.leaf === leaf.name).map((s) => s.name);
    nodes.push({
      name: leaf.name,
      ns: ns(leaf.name),
      role: 'leaf',
      forwarding: true,
      hashSeed: hashSeed(leaf.name),
      frr: router(leaf.name, leaf.asn, {
        peerGroups: [
          { name: 'SPINES', interfaces: spineLeafLinks.filter((l) => l.leaf === leaf.name).map((l) => l.onLeaf), ...(toSpine ? { routeMapOut: toSpine.name } : {}) },
          { name: 'SERVERS', interfaces: servers },
        ],
        routeMaps: toSpine ? [toSpine] : [],
      }),
      frrVersion: versions.get(leaf.name)!,
    });
    for (const l of spineLeafLinks) if (l.leaf === leaf.name) links.push({ a: { ns: ns(l.spine), ifname: l.onSpine }, b: { ns: ns(leaf.name), ifname: l.onLeaf } });
  }

  const anycast = new Map<string, string[]>();
  for (const server of fabric.servers) {
    // FRR 8.4 weights a leaf's ECMP only by link-bandwidth that arrives on the server paths (an inbound
    // route-map's value is shown but not used), so with an agent the servers announce their capacity.
    const capacity: RouteMap | undefined =
      leafRuns(leafPolicy, fabric.leaves.find((l) => l.name === server.leaf)!) === 'ballast' && fabric.policy.weightServers
        ? { name: 'CAPACITY', entries: [{ seq: 10, action: 'permit', setBandwidth: capacityToMbps(fabric.policy, server.capacity) }] }
        : undefined;
    nodes.push({
      name: server.name,
      ns: ns(server.name),
      role: 'server',
      forwarding: false,
      hashSeed: hashSeed(server.name),
      frr: router(server.name, server.asn, {
        peerGroups: [{ name: 'LEAF', interfaces: [server.leaf], ...(capacity ? { routeMapOut: capacity.name } : {}) }],
        redistributeConnectedRouteMap: 'ANYCAST',
        prefixLists: [{ name: 'ANYCAST', prefixes: server.prefixes }],
        routeMaps: [{ name: 'ANYCAST', entries: anycastEntries(server.prefixes) }, ...(capacity ? [capacity] : [])],
      }),
      frrVersion: versions.get(server.name)!,
    });
    links.push({ a: { ns: ns(server.leaf), ifname: server.name }, b: { ns: ns(server.name), ifname: server.leaf } });
    // A server the fixture marks down or drained starts without its addresses, as after `lab fail`.
    anycast.set(ns(server.name), server.state === 'up' ? server.prefixes.map(checkLabPrefix) : []);
  }

  // The routers the client attaches to: the top tier.
  const above: readonly { readonly name: string }[] = supers.length > 0 ? supers : fabric.spines;
  const clientRouter = client === 'bgp' ? { frr: router(CLIENT, CLIENT_ASN, { peerGroups: [{ name: BORDER_PEER_GROUP, interfaces: above.map((s) => s.name) }] }), frrVersion: versions.get(CLIENT)! } : {};
  nodes.push({ name: CLIENT, ns: ns(CLIENT), role: 'client', forwarding: false, hashSeed: hashSeed(CLIENT), ...clientRouter });
  const weights = ingressWeights(fabric.spines.map((s) => s.ingress));
  if (client === 'static' && fabric.spines.some((s) => s.ingress !== fabric.spines[0]!.ingress)) {
    notes.push(`client: ingress shares become kernel weights ${weights.join('/')}, rounded to whole numbers`);
  }
  const clientNexthops: ClientNexthop[] = [];
  above.forEach((spine, i) => {
    // One /31 per spine: 100.64.i.0 on the spine, 100.64.i.1 on the client.
    const net = `100.64.${Math.floor(i / 128)}.${(i % 128) * 2}`;
    const spineAddr = net;
    const clientAddr = net.replace(/\d+$/, (x) => String(Number(x) + 1));
    // And one /127 per spine (RFC 6164) inside the lab's own 2001:db8:ffff::/48: ::0 spine, ::1 client.
    const v6net = `2001:db8:ffff:1:${i.toString(16)}::`;
    const v6 = families.includes('ipv6') ? { spine: new Address6(v6net).correctForm(), client: new Address6(`${v6net}1`).correctForm() } : undefined;
    links.push({
      a: { ns: ns(spine.name), ifname: CLIENT, address: `${spineAddr}/31`, ...(v6 ? { address6: `${v6.spine}/127` } : {}) },
      b: { ns: ns(CLIENT), ifname: spine.name, address: `${clientAddr}/31`, ...(v6 ? { address6: `${v6.client}/127` } : {}) },
    });
    if (client === 'static' && weights[i]! > 0) clientNexthops.push({ via: spineAddr, ...(v6 ? { via6: v6.spine } : {}), dev: spine.name, weight: weights[i]! });
  });

  notes.push(...versionNotes(fabric, versions));
  const withMacs = links.map((l, i) => ({ a: { ...l.a, mac: linkMac(i, 0) }, b: { ...l.b, mac: linkMac(i, 1) } }));
  return { fabric, nsPrefix, leafPolicy, runDir, families, nodes, links: withMacs, anycast, client, clientNexthops, notes };
}

/**
 * A server's redistribution filter: one entry per family it announces. `match ip address prefix-list`
 * never matches an IPv6 route (and vice versa), so one route-map serves both address families.
 */
function anycastEntries(prefixes: readonly string[]): RouteMapEntry[] {
  const entries: RouteMapEntry[] = [];
  if (prefixes.some((p) => !p.includes(':'))) entries.push({ seq: 10, action: 'permit', matchPrefixList: 'ANYCAST' });
  if (prefixes.some((p) => p.includes(':'))) entries.push({ seq: 20, action: 'permit', matchIpv6PrefixList: 'ANYCAST' });
  return entries;
}
