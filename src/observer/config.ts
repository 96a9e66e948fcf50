/**
 * The observer's configuration (`/etc/ballast/observer.yaml`): which FRR to read, which prefixes
 * (host routes or covering ranges), and where to serve the API and metrics. Validated like the
 * agent's config: every mistake is file:line:col. See docs/observer.md.
 */
import { hostname } from 'node:os';
import { parseListen, type TlsFiles } from '../api/listen.js';
import { prefixAt, type Prefix } from '../fabric/prefix.js';
import { readVtyshSection, type FrrReads } from '../frr/vtysh-config.js';
import { quote } from '../util/errors.js';
import { readTextFile } from '../util/files.js';
import { parseYaml } from '../util/yaml-reader.js';

export interface ObserverConfig {
  readonly file: string;
  /** The router's name; must be the BGP hostname the leaves see (they list their spines by it). */
  readonly node: string;
  readonly vtysh: string;
  readonly vtyDir: string | null;
  readonly timeoutMs: number;
  /** How reads reach FRR (vtysh-config.ts). */
  readonly reads: FrrReads;
  /** Host routes and covering ranges; every host route inside a range is observed. */
  readonly prefixes: readonly Prefix[];
  /** Also read the kernel (`ip -j route`): only where the observer runs beside the forwarding kernel. */
  readonly kernel: boolean;
  readonly routeMonitor: boolean;
  readonly pollSeconds: number;
  readonly apiListen: string | null;
  readonly tls: TlsFiles | null;
  readonly metricsPort: number | null;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const DEFAULT_OBSERVER_LISTEN = 'unix:///run/ballast/observer.sock';
/** How many host routes one observer follows at most (each costs a BGP lookup per read). */
export const MAX_OBSERVED_ROUTES = 512;

export function loadObserverConfig(file: string): ObserverConfig {
  return parseObserverConfig(readTextFile(file, 'observer config'), file);
}

export function parseObserverConfig(text: string, file: string): ObserverConfig {
  const root = parseYaml(text, file).map();
  const node = root.get('node')?.name() ?? hostname();
  const { vtysh, vtyDir, timeoutMs, reads } = readVtyshSection(root.get('frr')?.map());
  const prefixCursor = root.require('prefixes');
  const seen = new Set<string>();
  const prefixes = prefixCursor.listOrOne().map((c) => {
    const p = prefixAt(c);
    if (seen.has(p.text)) c.fail('E_DUPLICATE_NAME', `Duplicate prefix ${quote(p.text)}: expected each prefix or range once`);
    seen.add(p.text);
    return p;
  });
  if (prefixes.length === 0) prefixCursor.fail('E_SCHEMA_VALUE', 'prefixes is empty, expected at least one host route or covering range');
  const kernel = root.get('kernel')?.boolean() ?? true;
  const events = root.get('events')?.map();
  const routeMonitor = events?.get('route-monitor')?.boolean() ?? kernel;
  events?.done();
  const intervals = root.get('intervals')?.map();
  const pollSeconds = intervals?.get('poll-seconds')?.number({ min: 0.2, max: 3600 }) ?? 2;
  intervals?.done();
  const api = root.get('api')?.map();
  const listenCursor = api?.get('listen');
  const listenText = listenCursor?.string() ?? DEFAULT_OBSERVER_LISTEN;
  const tlsMap = api?.get('tls')?.map();
  const tlsCert = tlsMap?.get('cert')?.string();
  const tlsKey = tlsMap?.get('key')?.string();
  const clientCa = tlsMap?.get('client-ca')?.string();
  tlsMap?.done();
  const tls = tlsCert && tlsKey && clientCa ? { cert: tlsCert, key: tlsKey, clientCa } : null;
  const metricsPort = api?.get('metrics-port')?.number({ min: 1, max: 65535, integer: true }) ?? null;
  api?.done();
  const apiListen = listenText === 'none' ? null : listenText;
  if (apiListen !== null && listenCursor) {
    const listen = (() => {
      try {
        return parseListen(apiListen, tls);
      } catch (err) {
        return listenCursor.fail('E_API_LISTEN', (err as Error).message);
      }
    })();
    if (listen.kind === 'tcp' && listen.tls === null) listenCursor.fail('E_API_INSECURE', `api.listen is ${quote(apiListen)}: the API serves TCP only with mutual TLS, expected api.tls with cert, key and client-ca (or a unix socket)`);
  }
  const logLevel = root.get('log-level')?.oneOf(['debug', 'info', 'warn', 'error'] as const) ?? 'info';
  root.done();
  return { file, node, vtysh, vtyDir, timeoutMs, reads, prefixes, kernel, routeMonitor, pollSeconds, apiListen, tls, metricsPort, logLevel };
}
