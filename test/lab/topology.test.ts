import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture } from '../../src/fabric/load.js';
import { parseFixture } from '../../src/fabric/load.js';
import { checkLabPrefix, CLIENT_ADDRESS6, hashSeed, hostPrefix, ingressWeights, leafRuns, linkMac, labTopology, strategyFor } from '../../src/lab/topology.js';
import { agentLeaves } from '../../src/lab/agents.js';
import { expectedSessions } from '../../src/lab/lab.js';
import { predictLab } from '../../src/lab/predict.js';
import { indexFabric } from '../../src/forwarding/fabric-index.js';
import { resolveFailures } from '../../src/whatif/scenario.js';

const lab421 = loadFixture('fixtures/lab-421.yaml');

test('lab-421: 13 namespaces, 15 veth pairs named after the peer, anycast on the servers', () => {
  const topology = labTopology(lab421, 'num-multipaths', '/run/ballast-lab');
  assert.deepEqual(topology.nodes.map((n) => n.ns), ['bl-spine1', 'bl-spine2', 'bl-leaf1', 'bl-leaf2', 'bl-leaf3', 'bl-srv11', 'bl-srv12', 'bl-srv13', 'bl-srv14', 'bl-srv21', 'bl-srv22', 'bl-srv31', 'bl-client']);
  assert.equal(topology.links.length, 6 + 7 + 2);
  assert.ok(topology.links.some((l) => l.a.ns === 'bl-spine1' && l.a.ifname === 'leaf1' && l.b.ns === 'bl-leaf1' && l.b.ifname === 'spine1'));
  assert.ok(topology.links.some((l) => l.a.ns === 'bl-leaf3' && l.a.ifname === 'srv31' && l.b.ns === 'bl-srv31' && l.b.ifname === 'leaf3'));
  assert.deepEqual(topology.anycast.get('bl-srv11'), ['198.51.100.1', '198.51.100.2']);
  assert.deepEqual(topology.anycast.get('bl-srv13'), ['198.51.100.1']);
  assert.deepEqual(topology.clientNexthops, [
    { via: '100.64.0.0', dev: 'spine1', weight: 1 },
    { via: '100.64.0.2', dev: 'spine2', weight: 1 },
  ]);
  const macs = topology.links.flatMap((l) => [l.a.mac, l.b.mac]);
  assert.equal(new Set(macs).size, macs.length);
  const seeds = topology.nodes.map((n) => n.hashSeed);
  assert.equal(new Set(seeds).size, seeds.length, 'every namespace hashes with its own seed');
  assert.deepEqual(topology.notes, []);
  assert.deepEqual(topology.families, ['ipv4'], 'an IPv4 fixture gets no IPv6 address family, addresses or routes');
  assert.ok(topology.links.every((l) => l.a.address6 === undefined && l.b.address6 === undefined));
  assert.ok(topology.nodes.every((n) => n.frr === undefined || n.frr.bgp.addressFamilies?.join() === 'ipv4'));
});

test('heterogeneous: IPv6 anycast on lo, both address families, the client reaches the /128 over the spines', () => {
  const topology = labTopology(loadFixture('fixtures/heterogeneous.yaml'), 'num-multipaths', '/run/ballast-lab-v6', 'b6-');
  assert.deepEqual(topology.families, ['ipv4', 'ipv6']);
  assert.deepEqual(topology.anycast.get('b6-server02'), ['198.51.100.10', '2001:db8:100::10']);
  assert.deepEqual(topology.anycast.get('b6-server01'), ['198.51.100.10']);
  const frr = (name: string) => topology.nodes.find((n) => n.name === name)!.frr!;
  for (const name of ['spine01', 'leaf01', 'server01', 'server02']) assert.deepEqual(frr(name).bgp.addressFamilies, ['ipv4', 'ipv6'], name);
  // One route-map per server, an entry per family it announces: server01 announces no IPv6 prefix.
  assert.deepEqual(frr('server02').routeMaps, [{ name: 'ANYCAST', entries: [{ seq: 10, action: 'permit', matchPrefixList: 'ANYCAST' }, { seq: 20, action: 'permit', matchIpv6PrefixList: 'ANYCAST' }] }]);
  assert.deepEqual(frr('server01').routeMaps, [{ name: 'ANYCAST', entries: [{ seq: 10, action: 'permit', matchPrefixList: 'ANYCAST' }] }]);
  assert.deepEqual(frr('server02').prefixLists, [{ name: 'ANYCAST', prefixes: ['198.51.100.10/32', '2001:db8:100::10/128'] }]);
  const toClient = topology.links.filter((l) => l.b.ns === 'b6-client');
  assert.deepEqual(toClient.map((l) => [l.a.ifname, l.a.address6, l.b.ifname, l.b.address6]), [
    ['client', '2001:db8:ffff:1::/127', 'spine01', '2001:db8:ffff:1::1/127'],
    ['client', '2001:db8:ffff:1:1::/127', 'spine02', '2001:db8:ffff:1:1::1/127'],
  ]);
  assert.deepEqual(topology.clientNexthops, [
    { via: '100.64.0.0', via6: '2001:db8:ffff:1::', dev: 'spine01', weight: 1 },
    { via: '100.64.0.2', via6: '2001:db8:ffff:1:1::', dev: 'spine02', weight: 1 },
  ]);
  assert.ok(CLIENT_ADDRESS6.startsWith('2001:db8:ffff:'), 'the client source lies in the lab\'s own range');
});

test('leaf policies: num-multipaths sets the community, ecmp a bare permit, none no outbound route-map', () => {
  const leaf = (policy: 'ecmp' | 'num-multipaths' | 'none') => labTopology(lab421, policy, '/run/x').nodes.find((n) => n.name === 'leaf1')!.frr!;
  assert.deepEqual(leaf('num-multipaths').routeMaps, [{ name: 'TO_SPINE', entries: [{ seq: 10, action: 'permit', setBandwidth: 'num-multipaths' }] }]);
  assert.deepEqual(leaf('ecmp').routeMaps, [{ name: 'TO_SPINE', entries: [{ seq: 10, action: 'permit' }] }]);
  assert.deepEqual(leaf('none').routeMaps, []);
  assert.equal(leaf('none').bgp.peerGroups[0]!.routeMapOut, undefined);
  assert.equal(strategyFor('num-multipaths'), 'num-multipaths');
  assert.equal(strategyFor('ecmp'), 'ecmp');
  assert.equal(strategyFor('none'), 'ecmp');
});

const fixture = (prefix: string, extra = ''): string => `
name: t
spines: [{ name: s1, asn: 65100${extra} }]
leaves: [{ name: l1, asn: 65201 }]
servers: [{ name: a1, leaf: l1 }]
services: [{ prefix: "${prefix}", load: 1 }]
`;

test('prefixes outside the documentation ranges are refused before anything is created', () => {
  for (const p of ['172.20.0.1/32', '10.0.0.1/32', '198.51.101.1/32', '8.8.8.8/32']) {
    assert.throws(() => labTopology(parseFixture(fixture(p), 't.yaml'), 'ecmp', '/run/x'), (e: Error & { code?: string }) => e.code === 'E_LAB_FIXTURE' && e.message.includes('198.51.100.0/24 or 203.0.113.0/24'), p);
  }
  assert.equal(checkLabPrefix('203.0.113.7/32'), '203.0.113.7');
  assert.throws(() => checkLabPrefix('198.51.100.0/24'), /expected a \/32/);
  assert.equal(checkLabPrefix('2001:db8:100::10/128'), '2001:db8:100::10');
  assert.equal(hostPrefix('2001:db8:100::10'), '2001:db8:100::10/128');
  assert.equal(hostPrefix('198.51.100.1'), '198.51.100.1/32');
});

test('IPv6: /128s inside 2001:db8::/32 only, never in the lab\'s own 2001:db8:ffff::/48', () => {
  for (const p of ['2001:db9::1/128', 'fd00::1/128', '2a00:1450::1/128', '::ffff:198.51.100.1/128']) {
    assert.throws(() => labTopology(parseFixture(fixture(p), 't.yaml'), 'ecmp', '/run/x'), (e: Error & { code?: string }) => e.code === 'E_LAB_FIXTURE' && e.message.includes('2001:db8::/32 (IPv6)'), p);
  }
  assert.throws(() => checkLabPrefix('2001:db8:ffff::1/128'), (e: Error & { code?: string }) => e.code === 'E_LAB_FIXTURE' && /lab's own addresses/.test(e.message));
  assert.throws(() => checkLabPrefix('2001:db8:100::/64'), /expected a \/128/);
});

test('node names must fit an interface name and not shadow the client', () => {
  const named = (name: string) => fixture('198.51.100.1/32').replace('name: a1', `name: ${name}`);
  assert.throws(() => labTopology(parseFixture(named('server-name-too-long'), 't.yaml'), 'ecmp', '/run/x'), { code: 'E_LAB_FIXTURE' });
  assert.throws(() => labTopology(parseFixture(named('client'), 't.yaml'), 'ecmp', '/run/x'), /reserved/);
});

test('a weight model or version the lab does not run is noted (predicted as what runs); the ecmp model ignores link-bandwidth', () => {
  const topology = labTopology(parseFixture(fixture('198.51.100.1/32', ', weights: frr10'), 't.yaml'), 'ecmp', '/run/x');
  assert.match(topology.notes[0]!, /weights are those of FRR 10\.0-10\.1 or >= 10\.5; the lab's FRR 8\.4 weights as FRR 7\.4-9\.1 do/);
  const named = labTopology(parseFixture(fixture('198.51.100.1/32', ', frr: "10.0.3"'), 't.yaml'), 'ecmp', '/run/x', 'bl-', '10.3');
  assert.match(named.notes[0]!, /says FRR 10.0.3; the lab runs 10.3 there and predicts its weights \(frr10-254\)/);
  assert.deepEqual(labTopology(parseFixture(fixture('198.51.100.1/32', ', frr: "10.3"'), 't.yaml'), 'ecmp', '/run/x').notes, [], 'runs as named');
  const ecmp = labTopology(parseFixture(fixture('198.51.100.1/32', ', weights: ecmp'), 't.yaml'), 'ecmp', '/run/x');
  assert.equal(ecmp.nodes[0]!.frr!.bgp.bestpathBandwidth, 'ignore');
});

test('a second lab gets its own namespace prefix; odd prefixes are refused', () => {
  const topology = labTopology(lab421, 'ecmp', '/run/ballast-lab-test', 'blt-');
  assert.ok(topology.nodes.every((n) => n.ns.startsWith('blt-')));
  assert.deepEqual(topology.nodes.map((n) => n.hashSeed), labTopology(lab421, 'ecmp', '/run/x').nodes.map((n) => n.hashSeed), 'seeds follow node names, not namespaces');
  for (const bad of ['', 'bl', 'BL-', 'a/b-', 'toolongprefix-']) assert.throws(() => labTopology(lab421, 'ecmp', '/run/x', bad), { code: 'E_USAGE' }, bad);
});

test('helpers: seeds never 0, ingress as whole kernel weights, MACs locally administered', () => {
  assert.notEqual(hashSeed(''), 0);
  assert.deepEqual(ingressWeights([1, 1]), [1, 1]);
  assert.deepEqual(ingressWeights([2, 1, 0]), [100, 50, 0]);
  assert.equal(linkMac(0, 1), '02:ba:00:00:00:01');
  assert.equal(linkMac(300, 0), '02:ba:00:00:02:58');
});

test('parallel links: a second session to the same spine gets its own veth pair, -2 on both ends, and its own prediction', async () => {
  const { readFileSync } = await import('node:fs');
  const { predictLab } = await import('../../src/lab/predict.js');
  const text = readFileSync('fixtures/lab-421.yaml', 'utf8').replace('{ name: leaf1, asn: 65201 }', '{ name: leaf1, asn: 65201, spines: [spine1, spine1, spine2] }');
  const fabric = parseFixture(text, 'parallel.yaml');
  const topology = labTopology(fabric, 'num-multipaths', '/run/x', 'bp-');
  assert.ok(topology.links.some((l) => l.a.ns === 'bp-spine1' && l.a.ifname === 'leaf1-2' && l.b.ns === 'bp-leaf1' && l.b.ifname === 'spine1-2'));
  const frr = (name: string) => topology.nodes.find((n) => n.name === name)!.frr!;
  assert.deepEqual(frr('spine1').bgp.peerGroups[0]!.interfaces, ['leaf1', 'leaf1-2', 'leaf2', 'leaf3']);
  assert.deepEqual(frr('leaf1').bgp.peerGroups[0]!.interfaces, ['spine1', 'spine1-2', 'spine2']);
  const spine1 = (failedLinks: string[]) => [...predictLab(fabric, 'num-multipaths', [], undefined, failedLinks)[0]!.routers.find((r) => r.router === 'spine1')!.predicted];
  assert.deepEqual(spine1([]), [['leaf1', 36], ['leaf1-2', 36], ['leaf2', 18], ['leaf3', 9]]);
  assert.deepEqual(spine1(['leaf1/spine1#2']), [['leaf1', 57], ['leaf2', 28], ['leaf3', 14]]);
  // An interface name that would collide with a node is refused before anything is built.
  const clash = parseFixture(text.replace('name: leaf2, asn', 'name: leaf1-2, asn').replaceAll('leaf: leaf2', 'leaf: leaf1-2'), 'clash.yaml');
  assert.throws(() => labTopology(clash, 'num-multipaths', '/run/x', 'bp-'), /parallel link leaf1\/spine1#2.*"leaf1-2"/);
});

test('configured (a mixed fleet, rollout.yaml): each leaf its own strategy, agents and server capacity only on the ballast leaves', () => {
  const topology = labTopology(loadFixture('fixtures/rollout.yaml'), 'configured', '/run/x');
  const frr = (name: string) => topology.nodes.find((n) => n.name === name)!.frr!;
  assert.deepEqual(frr('leaf1').routeMaps, [], 'ballast: the agent writes the outbound policy');
  assert.deepEqual(frr('leaf2').routeMaps, [{ name: 'TO_SPINE', entries: [{ seq: 10, action: 'permit', setBandwidth: 'num-multipaths' }] }]);
  assert.deepEqual(frr('leaf3').routeMaps, [], 'ecmp: no policy at all, its path carries no value');
  assert.equal(frr('leaf3').bgp.peerGroups[0]!.routeMapOut, undefined);
  assert.deepEqual(frr('srv11').routeMaps.map((m) => m.name), ['ANYCAST', 'CAPACITY'], 'servers of a ballast leaf announce their capacity');
  assert.deepEqual(frr('srv21').routeMaps.map((m) => m.name), ['ANYCAST']);
  assert.deepEqual(frr('srv31').routeMaps.map((m) => m.name), ['ANYCAST']);
  assert.deepEqual(agentLeaves(topology), ['leaf1']);
  assert.deepEqual(['spine1', 'spine2', 'spine3'].map((s) => frr(s).bgp.bestpathBandwidth), [undefined, 'skip-missing', 'default-weight-for-missing']);
  assert.equal(strategyFor('configured'), 'configured');
  assert.equal(leafRuns('ballast', { strategy: 'ecmp' }), 'ballast', 'a lab-wide policy overrides the fixture');
  assert.deepEqual(agentLeaves(labTopology(lab421, 'ballast', '/run/x')), ['leaf1', 'leaf2', 'leaf3']);
});

test('configured on rollout.yaml predicts each missing-bandwidth rule: 1/1/1, 66/33/-, 66/33/1 on FRR 8.4', () => {
  const [p] = predictLab(loadFixture('fixtures/rollout.yaml'), 'configured', []);
  const spine = (name: string) => Object.fromEntries(p!.routers.find((r) => r.router === name)!.predicted);
  assert.deepEqual(spine('spine1'), { leaf1: 1, leaf2: 1, leaf3: 1 });
  assert.deepEqual(spine('spine2'), { leaf1: 66, leaf2: 33 });
  assert.deepEqual(spine('spine3'), { leaf1: 66, leaf2: 33, leaf3: 1 });
  const [q] = predictLab(loadFixture('fixtures/rollout.yaml'), 'configured', [], '10.3');
  const spine10 = (name: string) => Object.fromEntries(q!.routers.find((r) => r.router === name)!.predicted);
  assert.deepEqual(spine10('spine2'), { leaf1: 254, leaf2: 127 });
  assert.deepEqual(spine10('spine3'), { leaf1: 254, leaf2: 127, leaf3: 1 });
});

test('pods: every super-spine has its side of the border session (CLIENT), the client peers with both', () => {
  const topology = labTopology(loadFixture('fixtures/pods.yaml'), 'num-multipaths', '/run/x', 'bpd-');
  for (const ss of ['super1', 'super2']) {
    const groups = topology.nodes.find((n) => n.name === ss)!.frr!.bgp.peerGroups;
    assert.deepEqual(groups.map((g) => [g.name, g.interfaces]), [['SPINES', ['spa1', 'spa2', 'spb1', 'spb2']], ['CLIENT', ['client']]], ss);
  }
  assert.deepEqual(topology.nodes.find((n) => n.name === 'client')!.frr!.bgp.peerGroups.map((g) => g.interfaces), [['super1', 'super2']]);
  assert.equal(expectedSessions(topology), 56);
});

test('pods: a spine/super-spine link (either order) fails the super-spine\'s path to that spine only; the border follows', () => {
  const pods = loadFixture('fixtures/pods.yaml');
  assert.deepEqual(resolveFailures(indexFabric(pods), ['super1/spb1']).map((f) => [f.kind, f.name]), [['uplink', 'spb1/super1']]);
  const [p] = predictLab(pods, 'num-multipaths', [], undefined, ['spb1/super1']);
  const at = (name: string) => Object.fromEntries(p!.routers.find((r) => r.router === name)!.predicted);
  // Spines re-advertise 6, 6, 4, 4 Mbps. super1 hears 6 + 6 + 4 = 16 (floor(bw*100/16)), super2 all 20.
  assert.deepEqual(at('super1'), { spa1: 37, spa2: 37, spb2: 25 });
  assert.deepEqual(at('super2'), { spa1: 30, spa2: 30, spb1: 20, spb2: 20 });
  assert.deepEqual(at('client'), { super1: 44, super2: 55 }, '16 and 20 Mbps: floor(1600/36), floor(2000/36)');
  assert.throws(() => resolveFailures(indexFabric(pods), ['spb1/lfa1']), /has no link to spb1/);
});
