/**
 * Health config loading: YAML text -> validated HealthConfig, every mistake with file:line:col.
 * The schema is documented in docs/health.md.
 */
import { isAbsolute } from 'node:path';
import { parsePrefix, type Prefix } from '../fabric/prefix.js';
import { readTextFile } from '../util/files.js';
import { BallastError, InputError, quote } from '../util/errors.js';
import { parseYaml, type Cursor, type MapReader } from '../util/yaml-reader.js';
import { CHECK_TYPES, ON_EXIT, type CheckConfig, type HealthConfig, type Probe, type ServiceConfig } from './types.js';

export const DEFAULT_CONFIG_FILE = '/etc/ballast/health.yaml';
export const DEFAULT_RUNTIME_DIR = '/run/ballast';

/** Defaults chosen so a dead service leaves rotation in about 3 s and comes back after 2 good checks. */
const DEFAULT_TIMING = { intervalSeconds: 1, timeoutSeconds: 1, rise: 2, fall: 3 } as const;

export function loadHealthConfig(file: string): HealthConfig {
  return parseHealthConfig(readTextFile(file, 'health config'), file);
}

const SECONDS = { min: 0, exclusiveMin: true, max: 3600 } as const;
const COUNT = { min: 1, max: 100, integer: true } as const;

export function parseHealthConfig(text: string, file: string): HealthConfig {
  const root = parseYaml(text, file).map();
  const iface = root.get('interface');
  const interfaceName = iface ? interfaceAt(iface) : 'lo';
  const onExit = root.get('on-exit')?.oneOf(ON_EXIT) ?? 'withdraw';
  const drainFile = root.get('drain-file');
  const runtimeDir = root.get('runtime-dir');
  const reconcile = root.get('reconcile-seconds')?.number(SECONDS) ?? 10;
  const metricsPort = root.get('metrics-port')?.number({ min: 1, max: 65535, integer: true }) ?? null;
  const defaults = root.get('defaults')?.map();
  const timing = {
    intervalSeconds: defaults?.get('interval-seconds')?.number(SECONDS) ?? DEFAULT_TIMING.intervalSeconds,
    timeoutSeconds: defaults?.get('timeout-seconds')?.number(SECONDS) ?? DEFAULT_TIMING.timeoutSeconds,
    rise: defaults?.get('rise')?.number(COUNT) ?? DEFAULT_TIMING.rise,
    fall: defaults?.get('fall')?.number(COUNT) ?? DEFAULT_TIMING.fall,
  };
  defaults?.done();

  const serviceNames = new Map<string, Cursor>();
  const prefixOwners = new Map<string, string>();
  const services: ServiceConfig[] = root.require('services').list().map((item) => {
    const m = item.map();
    const nameCursor = m.require('name');
    const name = nameCursor.name();
    unique(serviceNames, name, nameCursor, 'service');
    const prefixes = m.require('prefixes').listOrOne().map((c) => {
      const prefix = hostPrefixAt(c);
      const owner = prefixOwners.get(prefix.text);
      if (owner !== undefined) {
        c.fail('E_DUPLICATE_NAME', `Duplicate prefix ${quote(prefix.text)}: already announced by service ${quote(owner)}, expected each prefix in one service (one address cannot follow two verdicts)`);
      }
      prefixOwners.set(prefix.text, name);
      return prefix;
    });
    const checkNames = new Map<string, Cursor>();
    const checksCursor = m.require('checks');
    const checks = checksCursor.list().map((c) => readCheck(c, timing, checkNames));
    if (checks.length === 0) checksCursor.fail('E_SCHEMA_MISSING', `${checksCursor.path} is empty, expected at least one check (a service without checks would never leave rotation)`);
    m.done();
    return { name, prefixes, checks };
  });
  root.done();
  return {
    file,
    interface: interfaceName,
    onExit,
    drainFile: drainFile ? absolutePathAt(drainFile) : null,
    runtimeDir: runtimeDir ? absolutePathAt(runtimeDir) : DEFAULT_RUNTIME_DIR,
    reconcileMs: Math.round(reconcile * 1000),
    metricsPort,
    services,
  };
}

interface TimingDefaults {
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly rise: number;
  readonly fall: number;
}

function readCheck(c: Cursor, defaults: TimingDefaults, names: Map<string, Cursor>): CheckConfig {
  const m = c.map();
  const type = m.require('type').oneOf(CHECK_TYPES);
  const nameCursor = m.get('name');
  const name = nameCursor?.name() ?? type;
  unique(names, name, nameCursor ?? c, 'check');
  const intervalSeconds = m.get('interval-seconds')?.number(SECONDS) ?? defaults.intervalSeconds;
  const timeoutSeconds = m.get('timeout-seconds')?.number(SECONDS) ?? defaults.timeoutSeconds;
  const rise = m.get('rise')?.number(COUNT) ?? defaults.rise;
  const fall = m.get('fall')?.number(COUNT) ?? defaults.fall;
  const probe = readProbe(type, m);
  m.done();
  return { name, probe, intervalMs: Math.round(intervalSeconds * 1000), timeoutMs: Math.round(timeoutSeconds * 1000), rise, fall };
}

function readProbe(type: (typeof CHECK_TYPES)[number], m: MapReader): Probe {
  switch (type) {
    case 'tcp':
      return { type, host: m.get('host')?.string() ?? '127.0.0.1', port: m.require('port').number({ min: 1, max: 65535, integer: true }) };
    case 'http': {
      const urlCursor = m.require('url');
      const url = urlAt(urlCursor);
      const statusCursor = m.get('expect-status');
      const expectStatus = statusCursor ? statusCursor.listOrOne().map((s) => s.number({ min: 100, max: 599, integer: true })) : [200];
      const bodyCursor = m.get('body-match');
      const bodyMatch = bodyCursor ? regexAt(bodyCursor) : null;
      const insecureCursor = m.get('insecure');
      const insecure = insecureCursor?.boolean() ?? false;
      if (insecure && !url.startsWith('https:')) insecureCursor?.fail('E_SCHEMA_VALUE', `${insecureCursor.path} applies to https:// URLs only, found ${quote(url)}`);
      return { type, url, expectStatus, bodyMatch, insecure };
    }
    case 'command': {
      const commandCursor = m.require('command');
      const argv = commandCursor.listOrOne().map((a) => {
        const v = a.value;
        // Numbers are fine as arguments (`[sleep, 5]`); everything else must be a string.
        if (typeof v === 'number') return String(v);
        return a.string();
      });
      const [first, ...rest] = argv;
      if (first === undefined) return commandCursor.fail('E_SCHEMA_MISSING', `${commandCursor.path} is empty, expected [program, args...]`);
      return { type, argv: [first, ...rest] };
    }
  }
}

function unique(seen: Map<string, Cursor>, name: string, at: Cursor, kind: string): void {
  const first = seen.get(name);
  if (first) at.fail('E_DUPLICATE_NAME', `Duplicate ${kind} name ${quote(name)}: already used at line ${first.position.line}, expected each ${kind} name once`);
  seen.set(name, at);
}

function hostPrefixAt(c: Cursor): Prefix {
  const text = c.string();
  let prefix: Prefix;
  try {
    prefix = parsePrefix(text);
  } catch (err) {
    if (err instanceof BallastError) throw new InputError(err.code, c.position, err.message);
    throw err;
  }
  const host = prefix.family === 'ipv4' ? 32 : 128;
  if (prefix.length !== host) {
    // A shorter prefix on lo would make the whole range local to this server.
    c.fail('E_PREFIX_LENGTH', `Cannot use prefix ${quote(text)} as an anycast address: expected a host prefix /${host}`);
  }
  return prefix;
}

/** Interface names reach `ip` as arguments: keep them to what the kernel accepts (IFNAMSIZ 16). */
function interfaceAt(c: Cursor): string {
  const v = c.string();
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(v) || v === '.' || v === '..') {
    c.fail('E_SCHEMA_VALUE', `interface is ${quote(v)}, expected an interface name of 1-15 letters, digits, "-", "_" or "."`);
  }
  return v;
}

function absolutePathAt(c: Cursor): string {
  const v = c.string();
  if (!isAbsolute(v)) c.fail('E_SCHEMA_VALUE', `${c.path} is ${quote(v)}, expected an absolute path`);
  return v;
}

function urlAt(c: Cursor): string {
  const v = c.string();
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    c.fail('E_SCHEMA_VALUE', `${c.path} is ${quote(v)}, expected an absolute http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') c.fail('E_SCHEMA_VALUE', `${c.path} is ${quote(v)}, expected an http:// or https:// URL`);
  return url.href;
}

function regexAt(c: Cursor): string {
  const v = c.string();
  try {
    new RegExp(v);
  } catch (err) {
    c.fail('E_SCHEMA_VALUE', `${c.path} is ${quote(v)}, not a valid regular expression: ${(err as Error).message}`);
  }
  return v;
}
