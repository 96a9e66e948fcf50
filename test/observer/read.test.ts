// The observer's read of a spine, replayed from output recorded on the lab's FRR 8.4.4 spine1
// (lab-421, ballast agents on the leaves): zebra's installed weights matched to the BGP paths, the
// kernel's weights, the covering-range query, the FRR version and `bgp bestpath bandwidth`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parsePrefix } from '../../src/fabric/prefix.js';
import { parseBgpPrefix } from '../../src/frr/bgp-prefix.js';
import { parseBestpathBandwidth, parseShowVersion } from '../../src/frr/version.js';
import { parseZebraRoutes } from '../../src/frr/zebra-route.js';
import { parseKernelRoutes } from '../../src/lab/kernel-route.js';
import { assembleRoutes, readRouter, routesToFollow, zebraQueries } from '../../src/observer/read.js';
import { parseObserverConfig } from '../../src/observer/config.js';
import { InputError } from '../../src/util/errors.js';

const rec = (f: string) => readFileSync(`fixtures/frr/observer/${f}`, 'utf8');
const json = (f: string) => JSON.parse(rec(f)) as unknown;

test('FRR version and bestpath bandwidth from recorded show version / running-config', () => {
  assert.equal(parseShowVersion(rec('spine1-version.txt')), '8.4.4');
  assert.equal(parseBestpathBandwidth(rec('spine1-running.txt')), 'default');
  assert.equal(parseBestpathBandwidth(rec('spine1-running-ignore.txt')), 'ignore');
  assert.equal(parseBestpathBandwidth('router bgp 65100 vrf red\n bgp bestpath bandwidth ignore\nexit\n'), 'default', 'a VRF instance is not the default one');
  assert.throws(() => parseShowVersion('% Unknown command'), /no "FRRouting X.Y" line/);
});

test('a covering range finds its host routes with one longer-prefixes query', () => {
  const range = parsePrefix('198.51.100.0/24');
  assert.deepEqual(zebraQueries([range, parsePrefix('2001:db8::1/128')]), ['show ip route 198.51.100.0/24 longer-prefixes json', 'show ipv6 route 2001:db8::1/128 json']);
  const zebra = parseZebraRoutes(json('spine1-zebra-longer.json'));
  assert.deepEqual(routesToFollow([range], zebra).follow.map((p) => p.text), ['198.51.100.1/32', '198.51.100.2/32']);
  assert.deepEqual(routesToFollow([parsePrefix('198.51.100.2/32')], zebra).follow.map((p) => p.text), ['198.51.100.2/32']);
  assert.deepEqual(parseZebraRoutes(json('spine1-zebra-none.json')), []);
});

test('installed next hops carry zebra and kernel weights and the link-bandwidth received from each leaf', () => {
  const p = [parsePrefix('198.51.100.1/32')];
  const [one] = assembleRoutes(p, parseZebraRoutes(json('spine1-zebra-one.json')), [parseBgpPrefix(json('spine1-bgp-one.json'))], parseKernelRoutes(json('spine1-kernel.json')));
  assert.deepEqual(one!.installed.map((h) => [h.peer, h.weight, h.kernelWeight, h.bandwidthBytes]), [
    ['leaf3', 14, 14, 125000000],
    ['leaf2', 28, 28, 250000000],
    ['leaf1', 57, 57, 500000000],
  ]);
  assert.deepEqual(one!.received.map((r) => [r.peer, r.bandwidthBytes]).sort(), [['leaf1', 500000000], ['leaf2', 250000000], ['leaf3', 125000000]]);
  const [ignored] = assembleRoutes(p, parseZebraRoutes(json('spine1-zebra-ignore.json')), [parseBgpPrefix(json('spine1-bgp-ignore.json'))], null);
  assert.deepEqual(ignored!.installed.map((h) => [h.peer, h.weight, h.kernelWeight]), [['leaf1', 1, null], ['leaf2', 1, null], ['leaf3', 1, null]], 'ignore: plain ECMP although the values still arrive');
  assert.ok(ignored!.received.every((r) => r.bandwidthBytes !== null));
});

test('readRouter sends only show commands, targeted per range', async () => {
  const sent: string[][] = [];
  const answers: Record<string, string> = {
    'show running-config': rec('spine1-running.txt'),
    'show version': rec('spine1-version.txt'),
    'show ip route 198.51.100.0/24 longer-prefixes json': rec('spine1-zebra-longer.json'),
  };
  const bgp = rec('spine1-bgp-one.json');
  const r = await readRouter([parsePrefix('198.51.100.0/24')], {
    frr: async (commands) => {
      sent.push([...commands]);
      return commands.map((c) => answers[c] ?? (c.startsWith('show bgp ipv4 unicast ') ? bgp : '{}')).join('\n');
    },
    ip: async (args) => {
      assert.deepEqual(args, ['-j', 'route', 'show', 'root', '198.51.100.0/24']);
      return rec('spine1-kernel.json');
    },
  }, null);
  assert.ok(sent.flat().every((c) => c.startsWith('show ')), 'read-only');
  assert.deepEqual(sent.at(-1), ['show bgp ipv4 unicast 198.51.100.1/32 json', 'show bgp ipv4 unicast 198.51.100.2/32 json']);
  assert.equal(r.frrVersion, '8.4.4');
  assert.equal(r.asn, 65100);
  assert.deepEqual(r.prefixes.map((p) => p.prefix), ['198.51.100.1/32', '198.51.100.2/32']);
});

test('observer config: ranges allowed, bad values at file:line:col', () => {
  const c = parseObserverConfig('node: spine1\nprefixes: [198.51.100.0/24, "2001:db8::/32"]\napi: { listen: "unix:///tmp/o.sock", metrics-port: 9274 }\n', 'o.yaml');
  assert.deepEqual(c.prefixes.map((p) => p.text), ['198.51.100.0/24', '2001:db8::/32']);
  assert.equal(c.kernel, true);
  for (const [text, code] of [
    ['prefixes: [198.51.100.1/24]\n', 'E_PREFIX_HOST_BITS'],
    ['prefixes: []\n', 'E_SCHEMA_VALUE'],
    ['prefixes: [198.51.100.1/32]\napi: { listen: "tcp://0.0.0.0:1" }\n', 'E_API_INSECURE'],
    ['prefixes: [198.51.100.1/32]\nbogus: 1\n', 'E_SCHEMA_UNKNOWN_KEY'],
  ] as const) {
    assert.throws(() => parseObserverConfig(text, 'o.yaml'), (err: unknown) => err instanceof InputError && err.code === code && /^o\.yaml:\d+:\d+/.test(err.format()), text);
  }
});
