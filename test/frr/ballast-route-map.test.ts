import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrefix } from '../../src/fabric/prefix.js';
import { differences, extractOwned, parseEntryLines, planApply, viewAfter, type OwnedEntry, type OwnedNames } from '../../src/frr/ballast-route-map.js';
import { parseRunningConfig } from '../../src/frr/running-config.js';
import { FakeFrr } from '../agent/fake-frr.js';
import { readFileSync } from 'node:fs';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const names: OwnedNames = { base: 'BALLAST', asn: 65201, spinePeerGroup: 'SPINE', chain: null };
const v4 = parsePrefix('198.51.100.1/32');
const v6 = parsePrefix('2001:db8:100::10/128');
const entries: OwnedEntry[] = [
  { prefix: v6, bandwidth: 2000, prepend: 0 },
  { prefix: v4, bandwidth: 'cumulative', prepend: 0 },
];

async function viewOf(frr: FakeFrr) {
  return extractOwned(parseRunningConfig(await frr.run(['show running-config'])), names);
}

test('from nothing: prefix-lists, map A with one entry per prefix, bound in both families', async () => {
  const frr = new FakeFrr(base);
  const { commands, slot } = planApply(await viewOf(frr), names, entries);
  assert.equal(slot, 'A');
  assert.deepEqual(commands, [
    'configure terminal',
    'ipv6 prefix-list BALLAST-v6-2001.db8.100..10_128 seq 5 permit 2001:db8:100::10/128',
    'ip prefix-list BALLAST-v4-198.51.100.1_32 seq 5 permit 198.51.100.1/32',
    'route-map BALLAST-A permit 10',
    'match ip address prefix-list BALLAST-v4-198.51.100.1_32',
    'set extcommunity bandwidth cumulative',
    'route-map BALLAST-A permit 20',
    'match ipv6 address prefix-list BALLAST-v6-2001.db8.100..10_128',
    'set extcommunity bandwidth 2000',
    'route-map BALLAST-A permit 65000',
    'router bgp 65201',
    'address-family ipv4 unicast',
    'neighbor SPINE route-map BALLAST-A out',
    'exit-address-family',
    'address-family ipv6 unicast',
    'neighbor SPINE route-map BALLAST-A out',
    'exit-address-family',
    'exit',
    'end',
  ]);
  await frr.run(commands);
  const after = await viewOf(frr);
  assert.deepEqual(differences(after, names, entries), []);
  assert.deepEqual(planApply(after, names, entries).commands, [], 'idempotent: nothing to do once applied');
});

test('a change rebuilds the idle map and switches to it, alternating A and B', async () => {
  const frr = new FakeFrr(base);
  await frr.run(planApply(await viewOf(frr), names, entries).commands);
  const next: OwnedEntry[] = [{ prefix: v4, bandwidth: 3000, prepend: 2 }, entries[0]!];
  const p1 = planApply(await viewOf(frr), names, next);
  assert.equal(p1.slot, 'B');
  assert.ok(p1.commands.includes('set as-path prepend 65201 65201'));
  assert.ok(!p1.commands.some((c) => c.startsWith('ip prefix-list')), 'prefix-lists already right are left alone');
  await frr.run(p1.commands);
  assert.deepEqual(differences(await viewOf(frr), names, next), []);
  const p2 = planApply(await viewOf(frr), names, entries);
  assert.equal(p2.slot, 'A');
  assert.equal(p2.commands[1], 'no route-map BALLAST-A', 'the idle map is rebuilt from scratch');
});

test('a prefix no longer managed loses its prefix-list after the switch', async () => {
  const frr = new FakeFrr(base);
  await frr.run(planApply(await viewOf(frr), names, entries).commands);
  const { commands } = planApply(await viewOf(frr), names, [entries[1]!]);
  assert.equal(commands.at(-2), 'no ipv6 prefix-list BALLAST-v6-2001.db8.100..10_128');
  assert.ok(commands.indexOf('neighbor SPINE route-map BALLAST-B out') < commands.length - 2);
});

test('drift: an entry deleted by hand, a foreign binding, a changed prefix-list are all differences', async () => {
  const frr = new FakeFrr(base);
  await frr.run(planApply(await viewOf(frr), names, entries).commands);
  await frr.run(['configure terminal', 'no route-map BALLAST-A permit 10']);
  assert.deepEqual(differences(await viewOf(frr), names, entries), ['route-map BALLAST-A differs from the desired entries']);
  const frr2 = new FakeFrr(base);
  await frr2.run(planApply(await viewOf(frr2), names, entries).commands);
  await frr2.run(['configure terminal', 'router bgp 65201', 'address-family ipv4 unicast', 'neighbor SPINE route-map TO_SPINE out']);
  const v = await viewOf(frr2);
  assert.equal(v.foreignName, 'TO_SPINE');
  assert.equal(differences(v, names, entries).length, 1);
  await frr2.run(['configure terminal', 'no ip prefix-list BALLAST-v4-198.51.100.1_32', 'ip prefix-list BALLAST-v4-198.51.100.1_32 seq 5 permit 198.51.100.2/32']);
  assert.ok(differences(await viewOf(frr2), names, entries).includes('prefix-list BALLAST-v4-198.51.100.1_32 holds 198.51.100.2/32'));
});

test('a chained operator route-map is called from every entry and the catch-all', () => {
  const chained = { ...names, chain: 'TO_SPINE' };
  const empty = extractOwned(parseRunningConfig(new FakeFrr(base).runningConfig()), chained);
  const { commands } = planApply(empty, chained, [entries[1]!]);
  assert.deepEqual(commands.filter((c) => c === 'call TO_SPINE').length, 2);
});

test('viewAfter predicts what FRR shows after the commands (dry runs rely on it)', async () => {
  const frr = new FakeFrr(base);
  const before = await viewOf(frr);
  const { commands, slot } = planApply(before, names, entries);
  await frr.run(commands);
  const predicted = viewAfter(before, names, entries, slot);
  assert.deepEqual(differences(predicted, names, entries), []);
  assert.deepEqual(predicted.bound, (await viewOf(frr)).bound);
});

test('entry lines read back into bandwidth and prepend (adoption)', () => {
  assert.deepEqual(parseEntryLines(['match ip address prefix-list X', 'set extcommunity bandwidth 300', 'set as-path prepend 65201 65201'], 65201), { bandwidth: 300, prepend: 2, prefixList: 'X' });
  assert.deepEqual(parseEntryLines(['match ipv6 address prefix-list Y', 'set extcommunity bandwidth cumulative'], 65201), { bandwidth: 'cumulative', prepend: 0, prefixList: 'Y' });
});
