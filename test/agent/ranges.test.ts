// Covering ranges in the agent's config: the host routes inside them that a server announces are
// found with one targeted `longer-prefixes` query (recorded on the lab's leaf1, FRR 8.4.4) and become
// managed prefixes; routes the leaf only learns back through the spines are not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAgentConfig } from '../../src/agent/config.js';
import { discoverInRanges, expandRanges, followRanges, rangeQueries, serverRoutes } from '../../src/agent/ranges.js';
import { InputError } from '../../src/util/errors.js';
import { GOOD } from './config-fixture.js';

const RANGED = GOOD.replace('prefixes: [198.51.100.1/32, "2001:db8:100::10/128"]', 'prefixes: [198.51.100.0/24, "2001:db8:100::10/128"]').replace('prefixes: [198.51.100.1/32] }', 'prefixes: [198.51.100.2/32] }');
const leaf1 = JSON.parse(readFileSync('fixtures/frr/observer/leaf1-bgp-longer.json', 'utf8')) as unknown;

test('a range in prefixes: hosts stay prefixes, the range is kept for discovery; a server may name a host inside it', () => {
  const c = parseAgentConfig(RANGED, 'agent.yaml');
  assert.deepEqual(c.reloadable.prefixes.map((p) => p.text), ['2001:db8:100::10/128']);
  assert.deepEqual(c.reloadable.ranges.map((p) => p.text), ['198.51.100.0/24']);
  assert.deepEqual(c.reloadable.servers.find((s) => s.name === 'big')!.prefixes, ['198.51.100.2/32']);
  assert.throws(() => parseAgentConfig(RANGED.replace('prefixes: [198.51.100.2/32] }', 'prefixes: [203.0.113.1/32] }'), 'agent.yaml'), (e: unknown) => e instanceof InputError && e.code === 'E_UNKNOWN_REFERENCE' && /not a managed prefix or inside a managed range/.test(e.message));
});

test('the servers\' host routes inside a range, from the recorded longer-prefixes answer', async () => {
  assert.deepEqual(serverRoutes(leaf1), ['198.51.100.1/32', '198.51.100.2/32']);
  const onlyViaSpines = { routes: { '198.51.100.9/32': [{ valid: true, path: '65100 65202 65300' }] } };
  assert.deepEqual(serverRoutes(onlyViaSpines), [], 'learned back through the spines: not ours');
  const c = parseAgentConfig(RANGED, 'agent.yaml');
  assert.deepEqual(rangeQueries(c.reloadable.ranges), ['show bgp ipv4 unicast 198.51.100.0/24 longer-prefixes json']);
  const sent: string[][] = [];
  const found = await discoverInRanges(c.reloadable.ranges, async (cmds) => (sent.push([...cmds]), JSON.stringify(leaf1)));
  assert.deepEqual(sent, [['show bgp ipv4 unicast 198.51.100.0/24 longer-prefixes json']]);
  const { config } = expandRanges(c, [...found, '203.0.113.5/32']);
  assert.deepEqual(config.reloadable.prefixes.map((p) => p.text), ['2001:db8:100::10/128', '198.51.100.1/32', '198.51.100.2/32'].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  const servers = Object.fromEntries(config.reloadable.servers.map((s) => [s.name, s.prefixes]));
  assert.deepEqual(servers.s11!.slice().sort(), ['198.51.100.1/32', '198.51.100.2/32', '2001:db8:100::10/128']);
  assert.deepEqual(servers.big, ['198.51.100.2/32'], 'a server naming one host keeps only it');
});

test('followRanges re-discovers on a new route inside a range and hands the agent the new set', async () => {
  const c = parseAgentConfig(RANGED, 'agent.yaml');
  let answer: unknown = { routes: { '198.51.100.1/32': [{ valid: true, path: '65300' }] } };
  const applied: string[][] = [];
  const f = await followRanges(c, { frr: async () => JSON.stringify(answer), apply: async (next) => void applied.push(next.reloadable.prefixes.map((p) => p.text)), warn: () => {}, info: () => {} });
  try {
    assert.deepEqual(f.current().reloadable.prefixes.map((p) => p.text), ['198.51.100.1/32', '2001:db8:100::10/128']);
    answer = { routes: { '198.51.100.1/32': [{ valid: true, path: '65300' }], '198.51.100.7/32': [{ valid: true, path: '65300 65300' }] } };
    f.routeChanged('203.0.113.1/32');
    f.routeChanged('198.51.100.1/32');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(applied, [], 'outside a range, or already managed: no discovery');
    f.routeChanged('198.51.100.7/32');
    for (let i = 0; i < 50 && applied.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(applied, [['198.51.100.1/32', '198.51.100.7/32', '2001:db8:100::10/128']]);
  } finally {
    f.stop();
  }
});

test('a reload that brings ranges into a config without any discovers at once', async () => {
  const plain = parseAgentConfig(GOOD, 'agent.yaml');
  const applied: string[][] = [];
  const answer = { routes: { '198.51.100.3/32': [{ valid: true, path: '65300' }] } };
  const f = await followRanges(plain, { frr: async () => JSON.stringify(answer), apply: async (next) => void applied.push(next.reloadable.prefixes.map((p) => p.text)), warn: () => {}, info: () => {} });
  try {
    assert.deepEqual(f.current().reloadable.prefixes.map((p) => p.text), ['198.51.100.1/32', '2001:db8:100::10/128']);
    await f.setBase(parseAgentConfig(RANGED, 'agent.yaml'));
    assert.deepEqual(applied, [['198.51.100.3/32', '2001:db8:100::10/128']]);
  } finally {
    f.stop();
  }
});
