import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parsePrefix, type Prefix } from '../../src/fabric/prefix.js';
import { adoptedEntries, adoptedHolds, desiredConfig, differences, extractOwned, layoutFor, parseEntryLines, applyCommands, viewAfter, type OwnedEntry, type OwnedNames } from '../../src/frr/ballast-route-map.js';
import { parseRunningConfig } from '../../src/frr/running-config.js';
import { FakeFrr } from '../agent/fake-frr.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const names: OwnedNames = { base: 'BALLAST', asn: 65201, spinePeerGroup: 'SPINE', chain: null };
const v4a = parsePrefix('198.51.100.1/32');
const v4b = parsePrefix('198.51.100.2/32');
const v4c = parsePrefix('198.51.100.3/32');
const v6 = parsePrefix('2001:db8:100::10/128');
// .1 and .2 share their servers (one group), .3 has others, the /128 is its own family.
const layout = layoutFor(names, [v4a, v4b, v4c, v6], (p) => (p === v4c ? 's13' : 's11,s12'));
const G = [...layout.groups.keys()];
const gA = layout.groupOf.get(v4a.text)!;
const gC = layout.groupOf.get(v4c.text)!;
const g6 = layout.groupOf.get(v6.text)!;
const e = (prefix: Prefix, bandwidth: OwnedEntry['bandwidth'], prepend = 0): [string, OwnedEntry] => [prefix.text, { prefix, bandwidth, prepend }];
const all = (bw: OwnedEntry['bandwidth'], bwC: OwnedEntry['bandwidth'] = 1000) => new Map([e(v4a, bw), e(v4b, bw), e(v4c, bwC), e(v6, 2000)]);

async function viewOf(frr: FakeFrr) {
  return extractOwned(parseRunningConfig(await frr.run(['show running-config'])), names);
}

test('layout: prefixes with the same servers and family share a group, named stably', () => {
  assert.equal(G.length, 3);
  assert.equal(layout.groupOf.get(v4b.text), gA);
  assert.match(gA, /^BALLAST-g4-[0-9a-f]{8}$/);
  assert.match(g6, /^BALLAST-g6-/);
  assert.deepEqual(layoutFor(names, [v4a, v4b, v4c, v6], (p) => (p === v4c ? 's13' : 's11,s12')).groupOf, layout.groupOf);
});

test('from nothing: group lists, one entry per group, bound in both families; then idempotent', async () => {
  const frr = new FakeFrr(base);
  const desired = desiredConfig(names, layout, all('cumulative'));
  const { commands, slot } = applyCommands(await viewOf(frr), names, desired);
  assert.equal(slot, 'A');
  assert.deepEqual(commands.filter((c) => c.includes('prefix-list') && !c.startsWith('match')).sort(), [
    `ip prefix-list ${gA} seq 5 permit 198.51.100.1/32`,
    `ip prefix-list ${gA} seq 10 permit 198.51.100.2/32`,
    `ip prefix-list ${gC} seq 5 permit 198.51.100.3/32`,
    `ipv6 prefix-list ${g6} seq 5 permit 2001:db8:100::10/128`,
  ].sort());
  assert.equal(commands.filter((c) => /^route-map BALLAST-A permit/.test(c)).length, 4, 'three groups and the catch-all');
  assert.ok(commands.includes(`match ipv6 address prefix-list ${g6}`));
  assert.deepEqual(commands.slice(-9), [
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
  assert.deepEqual(differences(after, names, desired), []);
  assert.deepEqual(applyCommands(after, names, desired).commands, []);
});

test('a server failing for a whole group changes one entry of the idle map, then switches to it', async () => {
  const frr = new FakeFrr(base);
  await frr.run(applyCommands(await viewOf(frr), names, desiredConfig(names, layout, all('cumulative'))).commands);
  const next = desiredConfig(names, layout, all(3000));
  const p = applyCommands(await viewOf(frr), names, next);
  assert.equal(p.slot, 'B');
  assert.ok(!p.commands.some((c) => /prefix-list .* seq/.test(c)), 'no prefix-list is touched');
  await frr.run(p.commands);
  assert.deepEqual(differences(await viewOf(frr), names, next), []);
  // Back to A: A is stale by exactly the one group entry.
  const back = applyCommands(await viewOf(frr), names, desiredConfig(names, layout, all(2000)));
  const gSeq = layout.groups.get(gA)!.seq;
  assert.deepEqual(back.commands.slice(0, 5), ['configure terminal', `no route-map BALLAST-A permit ${gSeq}`, `route-map BALLAST-A permit ${gSeq}`, `match ip address prefix-list ${gA}`, 'set extcommunity bandwidth 2000']);
  assert.equal(back.commands.filter((c) => c.startsWith('route-map ')).length, 1);
});

test('a member that differs from its group gets an override entry and its own list, kept afterwards', async () => {
  const frr = new FakeFrr(base);
  await frr.run(applyCommands(await viewOf(frr), names, desiredConfig(names, layout, all(2000))).commands);
  const split = new Map([...all(2000), e(v4b, 1000, 2)]);
  const d = desiredConfig(names, layout, split);
  assert.deepEqual(d.map.get(20), ['match ip address prefix-list BALLAST-v4-198.51.100.2_32', 'set extcommunity bandwidth 1000', 'set as-path prepend 65201 65201']);
  await frr.run(applyCommands(await viewOf(frr), names, d).commands);
  assert.deepEqual(differences(await viewOf(frr), names, d), []);
  const keep = new Set(['BALLAST-v4-198.51.100.2_32']);
  const rejoin = applyCommands(await viewOf(frr), names, desiredConfig(names, layout, all(2000)), keep);
  assert.ok(!rejoin.commands.some((c) => c.startsWith('no ip prefix-list')), 'the per-prefix list is kept');
  const dropped = applyCommands(await viewOf(frr), names, desiredConfig(names, layout, all(2000)));
  assert.ok(dropped.commands.includes('no ip prefix-list BALLAST-v4-198.51.100.2_32'), 'without keep it goes');
});

test('drift: an entry deleted by hand, a foreign binding, a changed prefix-list are differences', async () => {
  const desired = desiredConfig(names, layout, all('cumulative'));
  const frr = new FakeFrr(base);
  await frr.run(applyCommands(await viewOf(frr), names, desired).commands);
  const gSeq = layout.groups.get(gA)!.seq;
  await frr.run(['configure terminal', `no route-map BALLAST-A permit ${gSeq}`]);
  assert.deepEqual(differences(await viewOf(frr), names, desired), [`route-map BALLAST-A differs from the desired entries at seq ${gSeq}`]);
  await frr.run(['configure terminal', 'router bgp 65201', 'address-family ipv4 unicast', 'neighbor SPINE route-map TO_SPINE out']);
  const v = await viewOf(frr);
  assert.equal(v.foreignName, 'TO_SPINE');
  assert.match(differences(v, names, desired)[0]!, /outbound route-map of SPINE is ipv4 foreign/);
  await frr.run(['configure terminal', `no ip prefix-list ${gC}`, `ip prefix-list ${gC} seq 5 permit 198.51.100.9/32`]);
  assert.ok(differences(await viewOf(frr), names, desired).includes(`prefix-list ${gC} holds 198.51.100.9/32`));
});

test('a chained operator route-map is called from every entry and the catch-all', () => {
  const chained = { ...names, chain: 'TO_SPINE' };
  const d = desiredConfig(chained, layout, all(1000));
  for (const lines of d.map.values()) assert.ok(lines.includes('call TO_SPINE'));
});

test('viewAfter predicts what FRR shows; adoption reads each prefix back from its entry', async () => {
  const frr = new FakeFrr(base);
  const before = await viewOf(frr);
  const desired = desiredConfig(names, layout, new Map([...all(3000), e(v4b, 1000, 2)]));
  const { commands, slot } = applyCommands(before, names, desired);
  await frr.run(commands);
  const predicted = viewAfter(before, names, desired, slot);
  assert.deepEqual(differences(predicted, names, desired), []);
  const adopted = adoptedEntries(await viewOf(frr), names, layout);
  assert.deepEqual(
    [...adopted.values()].map((x) => [x.prefix.text, x.bandwidth, x.prepend]),
    [
      ['198.51.100.1/32', 3000, 0],
      ['198.51.100.2/32', 1000, 2],
      ['198.51.100.3/32', 1000, 0],
      ['2001:db8:100::10/128', 2000, 0],
    ],
  );
});

test('entry lines read back into bandwidth and prepend', () => {
  assert.deepEqual(parseEntryLines(['match ip address prefix-list X', 'set extcommunity bandwidth 300', 'set as-path prepend 65201 65201'], 65201), { bandwidth: 300, prepend: 2, prefixList: 'X' });
  assert.deepEqual(parseEntryLines(['match ipv6 address prefix-list Y', 'set extcommunity bandwidth cumulative'], 65201), { bandwidth: 'cumulative', prepend: 0, prefixList: 'Y' });
});

test('a bound but missing map (deleted by hand, lost in a bgpd restart) adopts nothing and is rebuilt', async () => {
  const frr = new FakeFrr(base);
  frr.bindings.set('ipv4|SPINE|out', 'BALLAST-A');
  frr.bindings.set('ipv6|SPINE|out', 'BALLAST-A');
  const view = await viewOf(frr);
  assert.equal(view.slots.A, null);
  assert.equal(adoptedEntries(view, names, layout).size, 0);
  const desired = desiredConfig(names, layout, all('cumulative'));
  assert.ok(differences(view, names, desired).some((d) => /BALLAST-A differs/.test(d)));
  await frr.run(applyCommands(view, names, desired).commands);
  assert.deepEqual(differences(await viewOf(frr), names, desired), []);
});

test('a prepend line with a word after the ASNs is read at once (the old pattern backtracked for minutes)', { timeout: 10_000 }, () => {
  for (const n of [8, 16, 32]) {
    const line = `set as-path prepend ${Array(n).fill('65201').join(' ')} last-as`;
    assert.equal(parseEntryLines([line], 65201).prepend, 0);
  }
});

test('holds: an inbound map per server, bound in both families, edited in place; a release re-evaluates', async () => {
  const frr = new FakeFrr(base);
  // s13 is held for all of group C (one entry on the group list) and for .1 alone of group A (its own list).
  const holds = new Map([['s11', new Set<string>()], ['s13', new Set([v4c.text, v4a.text])]]);
  const d = desiredConfig(names, layout, all('cumulative'), holds);
  const servers = ['s11', 's13'];
  const first = applyCommands(extractOwned(parseRunningConfig(frr.runningConfig()), names, servers), names, d);
  assert.ok(first.commands.includes('neighbor s13 route-map BALLAST-IN-s13 in'));
  assert.ok(first.commands.includes('neighbor s11 route-map BALLAST-IN-s11 in'));
  assert.deepEqual([...d.inbound.get('s13')!], [
    [10, ['match ip address prefix-list BALLAST-v4-198.51.100.1_32', 'set local-preference 50']],
    [layout.groups.get(gC)!.seq, [`match ip address prefix-list ${gC}`, 'set local-preference 50']],
    [65000, []],
  ].sort((a, b) => (a[0] as number) - (b[0] as number)));
  await frr.run(first.commands);
  const view = extractOwned(parseRunningConfig(frr.runningConfig()), names, servers);
  assert.deepEqual(differences(view, names, d), []);
  assert.deepEqual(
    [...adoptedHolds(view, names, layout)].map(([p, n]) => [p, [...n]]),
    [[v4a.text, ['s13']], [v4c.text, ['s13']]],
  );
  // Release s13 for group C: its entry goes, the outbound map is left alone, its paths are re-evaluated.
  const released = desiredConfig(names, layout, all('cumulative'), new Map([['s11', new Set<string>()], ['s13', new Set([v4a.text])]]));
  const p = applyCommands(view, names, released, new Set(['BALLAST-v4-198.51.100.1_32']), new Map([['s13', new Set(['ipv4' as const])]]));
  assert.deepEqual(p.commands, ['configure terminal', `no route-map BALLAST-IN-s13 permit ${layout.groups.get(gC)!.seq}`, 'end', 'clear bgp ipv4 unicast s13 soft in']);
  await frr.run(p.commands);
  assert.deepEqual(frr.clears, ['clear bgp ipv4 unicast s13 soft in']);
  assert.deepEqual(differences(extractOwned(parseRunningConfig(frr.runningConfig()), names, servers), names, released), []);
});

test('holds on part of a large group are dropped beyond a few (a transient state, costly to write)', () => {
  const many = Array.from({ length: 12 }, (_, i) => parsePrefix(`203.0.113.${i + 1}/32`));
  const big = layoutFor(names, many, () => 's11,s12');
  const entries = new Map(many.map((p) => e(p, 'cumulative')));
  const holdsFor = (n: number) => desiredConfig(names, big, entries, new Map([['s11', new Set(many.slice(0, n).map((p) => p.text))]])).inbound.get('s11')!;
  assert.equal(holdsFor(12).size, 2, 'the whole group: one entry and the catch-all');
  assert.equal(holdsFor(8).size, 9, 'a few: one entry each');
  assert.equal(holdsFor(9).size, 1, 'many: none');
});
