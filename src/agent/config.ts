/**
 * The leaf agent's configuration (`/etc/ballast/agent.yaml`), validated like fixtures: every mistake is
 * reported as file:line:col. Static settings (how to reach FRR, which objects the agent owns) need a
 * restart; everything else is reloadable with SIGHUP. See docs/agent.md for the schema.
 *
 * Capacity unit: every leaf of a fabric must use the same `mbps-per-unit`, because leaves decide
 * independently and the spines compare their link-bandwidth values. A leaf's live capacity C (in the
 * fabric's unit, e.g. Gbps or krps) is advertised as round(C * mbps-per-unit) Mbps, clamped to FRR's
 * 1-25600: pick the scale so the fullest leaf stays below 25600 and the smallest server above 1.
 */
import { hostname } from 'node:os';
import { isHostPrefix, prefixAt, prefixContains, type Prefix } from '../fabric/prefix.js';
import { readPolicyFields } from '../fabric/policy.js';
import { DEFAULT_SOCKET, parseListen, type Listen, type TlsFiles } from '../api/listen.js';
import { MAX_PREFIXES } from '../frr/ballast-route-map.js';
import { MAX_BANDWIDTH_MBPS, type LeafPolicy } from '../fabric/types.js';
import { readTextFile } from '../util/files.js';
import { BallastError, quote } from '../util/errors.js';
import { readVtyshSection, type FrrReads } from '../frr/vtysh-config.js';
import { parseYaml, type Cursor, type MapReader } from '../util/yaml-reader.js';

export type ServerMatch =
  | { readonly kind: 'peer-group'; readonly peerGroup: string }
  | { readonly kind: 'interfaces'; readonly neighbors: readonly string[] }
  | { readonly kind: 'asn'; readonly asn: number };

export interface ServerConfig {
  /** The BGP neighbor as FRR names it: the interface (unnumbered) or the peer address. */
  readonly neighbor: string;
  /** A name for logs; defaults to the neighbor. */
  readonly name: string;
  readonly capacity: number;
  /** Canonical texts of the managed prefixes (or covering ranges) this server is configured to announce. */
  readonly prefixes: readonly string[];
}

/** Needs a restart to change: FRR access and the names of everything the agent owns. */
export interface AgentStatic {
  readonly leaf: string;
  readonly vtysh: string;
  readonly vtyDir: string | null;
  readonly timeoutMs: number;
  /** How reads reach FRR (vtysh-config.ts). */
  readonly reads: FrrReads;
  readonly asn: number;
  readonly spinePeerGroup: string;
  readonly routeMap: string;
  readonly chainRouteMap: string | null;
  /** Watch `ip -ts monitor route` for targeted re-reads (else only the periodic resync). */
  readonly routeMonitor: boolean;
  /** gRPC API: `unix:///path.sock` or `tcp://host:port` (mutual TLS only); null: no API. */
  readonly apiListen: string | null;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  readonly tlsClientCa: string | null;
  /** Prometheus /metrics on 127.0.0.1:port; null: none. */
  readonly metricsPort: number | null;
  /** Where drains are kept across restarts. */
  readonly stateFile: string;
}

export const DEFAULT_API_LISTEN = `unix://${DEFAULT_SOCKET}`;
export const DEFAULT_STATE_FILE = '/var/lib/ballast/agent-state.json';
/** A periodic resync's prefixes at most (see AgentReloadable.resyncBatch). */
export const DEFAULT_RESYNC_BATCH = 50;

/** Reloadable with SIGHUP. */
export interface AgentReloadable {
  /** Managed host prefixes: the configured ones, plus those found inside `ranges` (ranges.ts). */
  readonly prefixes: readonly Prefix[];
  /** Covering ranges: every host route inside that a server announces is managed. */
  readonly ranges: readonly Prefix[];
  readonly serverMatch: ServerMatch;
  readonly defaultCapacity: number;
  readonly servers: readonly ServerConfig[];
  readonly policy: LeafPolicy;
  /**
   * While every configured server of a prefix is healthy and their paths carry their capacity as
   * link-bandwidth, let FRR advertise the cumulative value itself: a first failure then reaches the
   * spines at FRR's own speed. Below full health the agent pins explicit values (to hold raises down).
   */
  readonly fastCut: boolean;
  readonly resyncSeconds: number;
  /**
   * Prefixes a periodic resync reads at most, the next ones in turn at each (all of them every
   * ceil(prefixes / batch) resyncs). The resync is the safety net behind the route events, which
   * re-read a changed prefix at once; bounding it keeps an idle agent's work per tick the same at 200
   * prefixes as at 50 (bench/agent.md, fifth pass).
   */
  readonly resyncBatch: number;
  readonly reconcileSeconds: number;
  /** How often prefixes with held servers are re-read (a held server's return raises no route event). */
  readonly heldPollSeconds: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export interface AgentConfig {
  readonly file: string;
  readonly static: AgentStatic;
  readonly reloadable: AgentReloadable;
}

const ASN = { min: 1, max: 4294967295, integer: true } as const;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function loadAgentConfig(file: string): AgentConfig {
  return parseAgentConfig(readTextFile(file, 'agent config'), file);
}

export function parseAgentConfig(text: string, file: string): AgentConfig {
  const root = parseYaml(text, file).map();
  const leaf = root.get('leaf')?.name() ?? hostname();

  const { vtysh, vtyDir, timeoutMs, reads } = readVtyshSection(root.get('frr')?.map());

  const bgp = root.require('bgp').map();
  const asn = bgp.require('asn').number(ASN);
  const spinePeerGroup = bgp.require('spine-peer-group').name();
  const routeMap = bgp.get('route-map')?.name() ?? 'BALLAST';
  const chainRouteMap = bgp.get('chain-route-map')?.name() ?? null;
  bgp.done();
  if (chainRouteMap !== null && (chainRouteMap === `${routeMap}-A` || chainRouteMap === `${routeMap}-B`)) {
    root.require('bgp').map().require('chain-route-map').fail('E_SCHEMA_VALUE', `bgp.chain-route-map is ${quote(chainRouteMap)}, one of the agent's own route-maps; expected the operator's outbound route-map`);
  }

  const api = root.get('api')?.map();
  const listenCursor = api?.get('listen');
  const listenText = listenCursor?.string() ?? DEFAULT_API_LISTEN;
  const apiListen = listenText === 'none' ? null : listenText;
  const tls = api?.get('tls')?.map();
  const tlsCert = tls?.get('cert')?.string() ?? null;
  const tlsKey = tls?.get('key')?.string() ?? null;
  const tlsClientCa = tls?.get('client-ca')?.string() ?? null;
  tls?.done();
  const metricsPort = api?.get('metrics-port')?.number({ min: 1, max: 65535, integer: true }) ?? null;
  const stateFile = api?.get('state-file')?.string() ?? DEFAULT_STATE_FILE;
  api?.done();
  // The default (a unix socket) needs no check; a listen address the user wrote does.
  if (apiListen !== null && listenCursor) {
    const at = listenCursor;
    const listen = listenAt(at, apiListen, tlsCert && tlsKey && tlsClientCa ? { cert: tlsCert, key: tlsKey, clientCa: tlsClientCa } : null);
    if (listen.kind === 'tcp' && listen.tls === null) {
      at.fail('E_API_INSECURE', `api.listen is ${quote(apiListen)}: the API serves TCP only with mutual TLS, expected api.tls with cert, key and client-ca (or a unix socket)`);
    }
  }

  const events = root.get('events')?.map();
  const routeMonitor = events?.get('route-monitor')?.boolean() ?? true;
  events?.done();

  // Host routes, and covering ranges whose host routes the servers announce (found at run time: ranges.ts).
  const prefixCursor = root.require('prefixes');
  const seen = new Set<string>();
  const all = prefixCursor.listOrOne().map((c) => {
    const p = prefixAt(c);
    if (seen.has(p.text)) c.fail('E_DUPLICATE_NAME', `Duplicate prefix ${quote(p.text)}: expected each managed prefix or range once`);
    seen.add(p.text);
    return p;
  });
  const prefixes = all.filter(isHostPrefix);
  const ranges = all.filter((p) => !isHostPrefix(p));
  if (all.length === 0) prefixCursor.fail('E_SCHEMA_VALUE', 'prefixes is empty, expected at least one managed anycast prefix or covering range');
  if (prefixes.length > MAX_PREFIXES) prefixCursor.fail('E_SCHEMA_VALUE', `prefixes has ${prefixes.length} entries, expected at most ${MAX_PREFIXES}`);

  const servers = root.require('servers').map();
  const serverMatch = readMatch(servers.require('match'));
  const defaultCapacity = servers.get('default-capacity')?.number({ min: 0, exclusiveMin: true }) ?? 1;
  const names = new Set<string>();
  const serverList = (servers.get('list')?.list() ?? []).map((c) => {
    const m = c.map();
    const neighbor = m.require('neighbor').string();
    if (/\s/.test(neighbor)) m.require('neighbor').fail('E_SCHEMA_TYPE', `${c.path}.neighbor is ${quote(neighbor)}, expected an interface name or address`);
    const name = m.get('name')?.name() ?? neighbor;
    if (names.has(neighbor)) m.require('neighbor').fail('E_DUPLICATE_NAME', `Duplicate server neighbor ${quote(neighbor)}`);
    names.add(neighbor);
    const capacity = m.get('capacity')?.number({ min: 0, exclusiveMin: true }) ?? defaultCapacity;
    const pc = m.get('prefixes');
    const own = pc
      ? pc.listOrOne().map((p) => {
          const prefix = prefixAt(p);
          const covered = isHostPrefix(prefix) && ranges.some((r) => prefixContains(r, prefix));
          if (!seen.has(prefix.text) && !covered) p.fail('E_UNKNOWN_REFERENCE', `${p.path} is ${quote(prefix.text)}, which is not a managed prefix or inside a managed range; expected one of ${[...seen].join(', ')}`);
          return prefix.text;
        })
      : [...seen];
    m.done();
    return { neighbor, name, capacity, prefixes: own };
  });
  servers.done();

  const policyCursor = root.require('policy');
  const policy = readPolicy(policyCursor.map());
  const fastCut = policyCursor.map().get('fast-cut')?.boolean() ?? true;

  const intervals = root.get('intervals')?.map();
  const resyncSeconds = intervals?.get('resync-seconds')?.number({ min: 0.2, max: 3600 }) ?? 5;
  const reconcileSeconds = intervals?.get('reconcile-seconds')?.number({ min: 0.2, max: 3600 }) ?? 5;
  const heldPollSeconds = intervals?.get('held-poll-seconds')?.number({ min: 0.2, max: 3600 }) ?? 1;
  const resyncBatch = intervals?.get('resync-batch')?.number({ min: 1, max: 100000, integer: true }) ?? DEFAULT_RESYNC_BATCH;
  intervals?.done();
  const logLevel = root.get('log-level')?.oneOf(LOG_LEVELS) ?? 'info';
  root.done();

  // The fullest leaf must fit FRR's range, or it would be clamped and spines would under-weight it.
  const maxPerPrefix = Math.max(0, ...all.map((p) => serverList.filter((s) => s.prefixes.includes(p.text)).reduce((a, s) => a + s.capacity, 0)));
  if (policy.mode !== 'prepend' && maxPerPrefix * policy.mbpsPerUnit > MAX_BANDWIDTH_MBPS) {
    policyCursor.map().require('mbps-per-unit').fail('E_BANDWIDTH_RANGE', `policy.mbps-per-unit is ${quote(policy.mbpsPerUnit)}: the configured servers of one prefix (capacity ${maxPerPrefix}) would advertise ${maxPerPrefix * policy.mbpsPerUnit} Mbps, expected at most ${MAX_BANDWIDTH_MBPS}`);
  }

  return {
    file,
    static: { leaf, vtysh, vtyDir, timeoutMs, reads, asn, spinePeerGroup, routeMap, chainRouteMap, routeMonitor, apiListen, tlsCert, tlsKey, tlsClientCa, metricsPort, stateFile },
    reloadable: { prefixes, ranges, serverMatch, defaultCapacity, servers: serverList, policy, fastCut, resyncSeconds, resyncBatch, reconcileSeconds, heldPollSeconds, logLevel },
  };
}

function listenAt(at: Cursor, text: string, tls: TlsFiles | null): Listen {
  try {
    return parseListen(text, tls);
  } catch (err) {
    return at.fail('E_API_LISTEN', (err as Error).message);
  }
}

function readMatch(c: Cursor): ServerMatch {
  const m = c.map();
  const pg = m.get('peer-group');
  const ifs = m.get('interfaces');
  const asn = m.get('asn');
  m.done();
  const given = [pg, ifs, asn].filter((x) => x !== undefined && !x.isNull());
  if (given.length !== 1) c.fail('E_SCHEMA_VALUE', `servers.match has ${given.length} of "peer-group", "interfaces", "asn", expected exactly one`);
  if (pg) return { kind: 'peer-group', peerGroup: pg.name() };
  if (ifs) return { kind: 'interfaces', neighbors: ifs.listOrOne().map((x) => x.string()) };
  return { kind: 'asn', asn: asn!.number(ASN) };
}

/** The same keys as a fixture's `policy` (one reader), except that mbps-per-unit is required: there is no fabric to derive it from. */
function readPolicy(m: MapReader): LeafPolicy {
  const fields = readPolicyFields(m, ['fast-cut']);
  const mbpsPerUnit = m.require('mbps-per-unit').number({ min: 0, exclusiveMin: true });
  return { ...fields, mbpsPerUnit, mbpsPerUnitDerived: false };
}

/** Static settings that differ between two configs (a reload keeps the old ones and says so). */
export function staticChanges(a: AgentStatic, b: AgentStatic): string[] {
  return (Object.keys(a) as (keyof AgentStatic)[]).filter((k) => a[k] !== b[k]);
}
