/**
 * Fixture loading: YAML text -> validated Fabric. Every mistake is reported with file:line:col, the
 * offending value and what was expected (see docs/fixtures.md for the schema).
 */
import { readTextFile } from '../util/files.js';
import { BallastError, quote } from '../util/errors.js';
import { readYaml, type Cursor, type MapReader } from '../util/yaml-reader.js';
import { prefixAt } from './prefix.js';
import { readPolicyFields } from './policy.js';
import { frrVersionAt, readRouterFrr } from './router-frr.js';
import { checkLeafPod, podOf, readSuperSpines } from './tiers.js';
import {
  MAX_BANDWIDTH_MBPS,
  MISSING_BANDWIDTH,
  SERVER_STATES,
  STRATEGIES,
  type Fabric,
  type Leaf,
  type LeafPolicy,
  type Server,
  type Service,
  type Spine,
} from './types.js';

/**
 * Told how far loading is, every few thousand lines or servers, for progress on stderr (the load is
 * synchronous: this is the only way a large fixture's load can say where it is).
 */
export type LoadProgress = (phase: 'fixture lines' | 'fixture servers', done: number, planned: number) => void;

export function loadFixture(file: string, progress?: LoadProgress): Fabric {
  return parseFixture(readTextFile(file, 'fixture'), file, progress);
}

const ASN = { min: 1, max: 4294967295, integer: true } as const;

/**
 * Fixture text -> Fabric. Read through the fast YAML reader when the text is in its subset (what
 * `fixture generate` and hand-written fixtures use); positions for messages come from a second,
 * exact read only when there is an error to report (readYaml).
 */
export function parseFixture(text: string, file: string, progress?: LoadProgress): Fabric {
  return readYaml(text, file, (root) => readFabric(root, progress), progress && ((done, total) => progress('fixture lines', done, total)));
}

function readFabric(document: Cursor, progress: LoadProgress | undefined): Fabric {
  const root = document.map();
  const name = root.get('name')?.name() ?? 'fabric';
  const unit = root.get('unit')?.string() ?? 'units';

  const defaults = root.get('defaults')?.map();
  // Every key a default may carry, so one given for an empty list is still named as known.
  const spineDefaults = defaults?.get('spine')?.map().allow('asn', 'weights', 'missing-bandwidth', 'ingress', 'frr', 'nexthop-weight-16-bit', 'pod');
  const leafDefaults = defaults?.get('leaf')?.map().allow('spines', 'uplink-capacity', 'weights', 'frr', 'nexthop-weight-16-bit', 'strategy', 'pod');
  const superDefaults = defaults?.get('superspine')?.map().allow('asn', 'weights', 'missing-bandwidth', 'frr', 'nexthop-weight-16-bit');
  const serverDefaults = defaults?.get('server')?.map().allow('prefixes', 'asn', 'capacity', 'state', 'frr');
  defaults?.done();
  const spineInherits = new Defaults(spineDefaults);
  const leafInherits = new Defaults(leafDefaults);
  const serverInherits = new Defaults(serverDefaults);

  const names = new Map<string, Cursor>();
  const claim = (c: Cursor, kind: string): string => {
    const n = c.name();
    if (names.has(n)) {
      const first = names.get(n)!.position;
      c.fail('E_DUPLICATE_NAME', `Duplicate name ${quote(n)} (${kind}): already used at line ${first.line}, expected names unique across spines, leaves and servers`);
    }
    names.set(n, c);
    return n;
  };

  const services = readServices(root.require('services'));
  const servicePrefixes = new Set(services.map((s) => s.prefix.text));

  const spines: Spine[] = root.require('spines').list().map((c) => {
    const m = c.map();
    const spine: Spine = {
      name: claim(m.require('name'), 'spine'),
      asn: pick(m, spineInherits, 'asn')?.number(ASN) ?? 65100,
      ...readRouterFrr(m, spineDefaults),
      missingBandwidth: pick(m, spineInherits, 'missing-bandwidth')?.oneOf(MISSING_BANDWIDTH) ?? 'ecmp-fallback',
      ingress: pick(m, spineInherits, 'ingress')?.number({ min: 0 }) ?? 1,
      ...podOf(pick(m, spineInherits, 'pod')),
    };
    m.done();
    return spine;
  });
  spineDefaults?.done();
  const spineNames = new Set(spines.map((s) => s.name));
  const superspines = readSuperSpines(root.get('superspines'), superDefaults, claim, spines);

  const leaves: Leaf[] = root.require('leaves').list().map((c) => {
    const m = c.map();
    const leafName = claim(m.require('name'), 'leaf');
    const spinesCursor = pick(m, leafInherits, 'spines');
    const pod = podOf(pick(m, leafInherits, 'pod'));
    // A spine listed twice is two parallel links (two BGP sessions) to it; a pod's leaf defaults to its pod's spines.
    const leafLinks = spinesCursor ? spinesCursor.listOrOne().map((s) => reference(s, spineNames, 'spine')) : spines.filter((s) => !pod.pod || s.pod === pod.pod).map((s) => s.name);
    const leafSpines = [...new Set(leafLinks)];
    const uplink = pick(m, leafInherits, 'uplink-capacity')?.number({ min: 0, exclusiveMin: true });
    const strategy = pick(m, leafInherits, 'strategy')?.oneOf(STRATEGIES);
    const leaf: Leaf = {
      name: leafName,
      asn: m.require('asn').number(ASN),
      spines: leafSpines,
      ...(leafLinks.length === leafSpines.length ? {} : { links: leafLinks }),
      ...readRouterFrr(m, leafDefaults),
      ...(uplink === undefined ? {} : { uplinkCapacity: uplink }),
      ...(strategy === undefined ? {} : { strategy }),
      ...pod,
    };
    if (superspines) checkLeafPod(m.get('name')!, leaf, spines);
    m.done();
    return leaf;
  });
  leafDefaults?.done();
  const leafNames = new Set(leaves.map((l) => l.name));

  // Servers without a prefixes key announce every service: one shared (readonly) list for all of them.
  const allPrefixes: readonly string[] = [...servicePrefixes];
  const announced = new Map<string, string>();
  // Per server (in order), where its capacity is written, so a scale problem points at that server.
  const capacities: Cursor[] = [];
  const serverList = root.require('servers').list();
  const servers: Server[] = serverList.map((c, i) => {
    if (progress && (i & 4095) === 4095) progress('fixture servers', i + 1, serverList.length);
    const m = c.map();
    const nameCursor = m.require('name');
    const serverName = claim(nameCursor, 'server');
    const ownCapacity = m.get('capacity');
    capacities.push(ownCapacity ?? nameCursor);
    const prefixesCursor = pick(m, serverInherits, 'prefixes');
    const prefixes = prefixesCursor
      ? [
          ...new Set(
            prefixesCursor.listOrOne().map((p) => {
              // The same text recurs on thousands of servers: parse and check it once.
              const seen = typeof p.value === 'string' ? announced.get(p.value) : undefined;
              if (seen !== undefined) return seen;
              const prefix = prefixAt(p);
              if (!servicePrefixes.has(prefix.text)) {
                p.fail('E_UNKNOWN_REFERENCE', `${p.path} is ${quote(p.value)}, which no service announces; expected one of ${[...servicePrefixes].join(', ')}`);
              }
              if (typeof p.value === 'string') announced.set(p.value, prefix.text);
              return prefix.text;
            }),
          ),
        ]
      : allPrefixes;
    const frrCursor = pick(m, serverInherits, 'frr');
    // Read in this order (the first mistake is the one reported), then built as one literal: no
    // spread of a throwaway object per server.
    const leaf = reference(m.require('leaf'), leafNames, 'leaf');
    const asn = pick(m, serverInherits, 'asn')?.number(ASN) ?? 65300;
    const frr = frrCursor ? frrVersionAt(frrCursor) : undefined;
    const capacity = readCapacity(inherit(ownCapacity, serverInherits, 'capacity')) ?? 1;
    const state = pick(m, serverInherits, 'state')?.oneOf(SERVER_STATES) ?? 'up';
    const server: Server = frr ? { name: serverName, leaf, asn, frr, capacity, prefixes, state } : { name: serverName, leaf, asn, capacity, prefixes, state };
    m.done();
    return server;
  });
  serverDefaults?.done();

  const policyCursor = root.get('policy');
  const policy = readPolicy(policyCursor?.map(), servers, services, capacities);
  root.done();
  return { name, unit, spines, ...(superspines ? { superspines } : {}), leaves, servers, services, policy };
}

/** A `defaults` section, each key looked up once: 24,576 servers inherit the same few keys. */
class Defaults {
  private readonly reader: MapReader | undefined;
  private readonly found = new Map<string, Cursor | undefined>();
  constructor(reader: MapReader | undefined) {
    this.reader = reader;
  }
  get(key: string): Cursor | undefined {
    if (this.found.has(key)) return this.found.get(key);
    const c = this.reader?.get(key);
    const value = c && !c.isNull() ? c : undefined;
    this.found.set(key, value);
    return value;
  }
}

/** A key on the entry itself, or else from its `defaults` section. */
function pick(entry: MapReader, defaults: Defaults, key: string): Cursor | undefined {
  return inherit(entry.get(key), defaults, key);
}

/** The entry's own value of `key` (already looked up) unless empty, or else the inherited one. */
function inherit(own: Cursor | undefined, defaults: Defaults, key: string): Cursor | undefined {
  return own && !own.isNull() ? own : defaults.get(key);
}

/** Outside 1e-9..1e15 the derived scale and the shares lose their meaning (1e-320 printed Infinity%). */
function readCapacity(c: Cursor | undefined): number | undefined {
  const v = c?.number({ min: 0, exclusiveMin: true, max: 1e15 });
  if (c && v !== undefined && v < 1e-9) c.fail('E_SCHEMA_RANGE', `${c.path} is ${quote(v)}, expected a number of at least 1e-9 (use a smaller unit)`);
  return v;
}

function reference(c: Cursor, known: ReadonlySet<string>, kind: string): string {
  const n = c.name();
  if (!known.has(n)) {
    const list = [...known];
    const shown = list.length > 8 ? `${list.slice(0, 8).join(', ')}, ...` : list.join(', ');
    c.fail('E_UNKNOWN_REFERENCE', `${c.path} is ${quote(n)}, an unknown ${kind}; expected one of ${shown}`);
  }
  return n;
}


function readServices(c: Cursor): Service[] {
  const seen = new Set<string>();
  return c.list().map((item) => {
    const m = item.map();
    const pc = m.require('prefix');
    const prefix = prefixAt(pc);
    if (seen.has(prefix.text)) pc.fail('E_DUPLICATE_NAME', `Duplicate service prefix ${quote(prefix.text)}: expected each anycast prefix once`);
    seen.add(prefix.text);
    const load = m.get('load')?.number({ min: 0 }) ?? 0;
    m.done();
    return { prefix, load };
  });
}

function readPolicy(m: MapReader | undefined, servers: readonly Server[], services: readonly Service[], capacities: readonly Cursor[]): LeafPolicy {
  const fields = readPolicyFields(m);
  const { mode, weightServers } = fields;
  const mbpsCursor = m?.get('mbps-per-unit');

  // Leaves decide independently, so one fabric-wide scale must fit the fullest leaf into FRR's range.
  const maxLeaf = maxLeafCapacity(servers, services);
  // A loop, not Math.min(...): spreading 130,000 arguments overflows the stack.
  let smallest = -1;
  servers.forEach((s, i) => {
    if (smallest < 0 || s.capacity < servers[smallest]!.capacity) smallest = i;
  });
  const minServer = smallest < 0 ? Infinity : servers[smallest]!.capacity;
  let mbpsPerUnit: number;
  const usesBandwidth = mode !== 'prepend';
  if (mbpsCursor) {
    mbpsPerUnit = mbpsCursor.number({ min: 0, exclusiveMin: true });
    if (usesBandwidth && maxLeaf * mbpsPerUnit > MAX_BANDWIDTH_MBPS) {
      mbpsCursor.fail('E_BANDWIDTH_RANGE', `policy.mbps-per-unit is ${quote(mbpsPerUnit)}: the fullest leaf (capacity ${maxLeaf}) would advertise ${maxLeaf * mbpsPerUnit} Mbps, expected at most ${MAX_BANDWIDTH_MBPS / maxLeaf} so it fits FRR's 1-${MAX_BANDWIDTH_MBPS} Mbps`);
    }
  } else {
    mbpsPerUnit = niceScale(MAX_BANDWIDTH_MBPS / Math.max(maxLeaf, Number.MIN_VALUE));
  }
  if (usesBandwidth && weightServers && Number.isFinite(minServer) && minServer * mbpsPerUnit < 1) {
    const small = servers[smallest]!;
    if (mbpsCursor) {
      mbpsCursor.fail('E_BANDWIDTH_RANGE', `policy.mbps-per-unit is ${quote(mbpsPerUnit)}: the smallest server (${small.name}, capacity ${minServer}) would get less than 1 Mbps of link-bandwidth, expected a scale where every server gets at least 1 Mbps`);
    }
    // The scale was derived (no policy.mbps-per-unit in the file): point at the server that does not fit.
    const message = `${small.name} has capacity ${minServer}: with the scale derived from the fullest leaf (capacity ${maxLeaf}, ${mbpsPerUnit} Mbps per unit so it fits ${MAX_BANDWIDTH_MBPS} Mbps) it would get less than 1 Mbps of link-bandwidth, expected capacities at most ${MAX_BANDWIDTH_MBPS}:1 apart (or policy.weight-servers: false)`;
    const at = capacities[smallest];
    if (at) at.fail('E_BANDWIDTH_RANGE', message);
    throw new BallastError('E_BANDWIDTH_RANGE', message);
  }
  return { ...fields, mbpsPerUnit, mbpsPerUnitDerived: mbpsCursor === undefined };
}

function maxLeafCapacity(servers: readonly Server[], services: readonly Service[]): number {
  // One pass: per leaf, the capacity behind it for each prefix (24,576 servers x 16 prefixes).
  const prefixOf = new Map(services.map((s, i) => [s.prefix.text, i]));
  // Servers share prefix lists (all those without a prefixes key share one): resolve each list once.
  const resolved = new Map<readonly string[], number[]>();
  const perLeaf = new Map<string, Float64Array>();
  let max = 0;
  // Servers usually come leaf by leaf: the last leaf's sums are at hand without a lookup.
  let lastLeaf: string | undefined;
  let sums: Float64Array = new Float64Array(0);
  for (const s of servers) {
    if (s.leaf !== lastLeaf) {
      lastLeaf = s.leaf;
      const known = perLeaf.get(s.leaf);
      if (known) sums = known;
      else perLeaf.set(s.leaf, (sums = new Float64Array(services.length)));
    }
    let ps = resolved.get(s.prefixes);
    if (!ps) resolved.set(s.prefixes, (ps = s.prefixes.flatMap((text) => prefixOf.get(text) ?? [])));
    for (const p of ps) {
      sums[p]! += s.capacity;
      if (sums[p]! > max) max = sums[p]!;
    }
  }
  return max;
}

/** The largest 1, 2 or 5 x 10^k not above `limit`: readable link-bandwidth values in show output. */
export function niceScale(limit: number): number {
  if (!(limit >= 1)) return Math.max(limit, Number.MIN_VALUE);
  const exp = Math.floor(Math.log10(limit));
  for (const m of [5, 2, 1]) {
    const v = m * 10 ** exp;
    if (v <= limit) return v;
  }
  return 10 ** exp;
}
