import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture, parseFixture } from '../../src/fabric/load.js';
import { baseLiveness, indexFabric } from '../../src/forwarding/fabric-index.js';
import { borderIngress } from '../../src/forwarding/ingress.js';
import { evaluatePrefix } from '../../src/forwarding/shares.js';
import { renderBgpdConf, renderZebraConf } from '../../src/frr/render.js';
import { predictLab } from '../../src/lab/predict.js';
import { labTopology } from '../../src/lab/topology.js';

const lab421 = loadFixture('fixtures/lab-421.yaml');
const border = (p: ReturnType<typeof predictLab>[number]) => Object.fromEntries(p.routers.find((r) => r.role === 'border')!.predicted);
const shares = (p: ReturnType<typeof predictLab>[number]) => Object.fromEntries([...p.serverShare].map(([s, x]) => [s, Math.round(x * 1000) / 1000]));

test('a BGP client weights the spines by the sum each re-advertises: lab-421 num-multipaths, leaf1/spine1 down', () => {
  const index = indexFabric(lab421);
  const live = baseLiveness(index);
  const f = evaluatePrefix(index, 0, 'num-multipaths', live);
  const all = borderIngress(index, f, live, 'frr8');
  assert.deepEqual(all.advertisedMbps, [7, 7], 'leaves 4 + 2 + 1 paths, 1 Mbps each');
  assert.deepEqual([...all.weights], [50, 50]);
  const [p1] = predictLab(lab421, 'num-multipaths', [], undefined, ['leaf1/spine1'], 'bgp');
  // spine1 keeps leaf2 (2) and leaf3 (1): 3 Mbps; spine2 7 Mbps: floor(3*100/10), floor(7*100/10).
  assert.deepEqual(border(p1!), { spine1: 30, spine2: 70 });
  assert.deepEqual(shares(p1!), { srv11: 0.101, srv12: 0.101, srv13: 0.101, srv14: 0.101, srv21: 0.199, srv22: 0.199, srv31: 0.199 });
  // The same failure with fixed 50/50 ingress puts more on leaf2's and leaf3's servers.
  const [fixed] = predictLab(lab421, 'num-multipaths', [], undefined, ['leaf1/spine1']);
  assert.equal(fixed!.routers.some((r) => r.role === 'border'), false);
  assert.equal(Math.round(fixed!.serverShare.get('srv31')! * 1000), 237);
  // FRR 10.3's client scales by the largest value: floor(3*254/7), 254.
  assert.deepEqual(border(predictLab(lab421, 'num-multipaths', [], '10.3', ['leaf1/spine1'], 'bgp')[0]!), { spine1: 108, spine2: 254 });
});

test('without link-bandwidth (ecmp leaves) the client does plain ECMP over the spines that have a route', () => {
  const [p1] = predictLab(lab421, 'ecmp', [], undefined, ['leaf1/spine1'], 'bgp');
  assert.deepEqual(border(p1!), { spine1: 1, spine2: 1 });
  const [p2] = predictLab(lab421, 'num-multipaths', ['srv11', 'srv12'], undefined, [], 'bgp');
  assert.deepEqual(border(predictLab(lab421, 'num-multipaths', ['srv11', 'srv12', 'srv21'], undefined, [], 'bgp')[1]!), {}, '198.51.100.2/32 has no server left');
  assert.deepEqual(border(p2!), { spine1: 50, spine2: 50 });
});

test('a BGP client is a router: peers with every spine, spines peer with it; no static route', () => {
  const t = labTopology(lab421, 'num-multipaths', '/run/x', 'bl-', undefined, 'bgp');
  const client = t.nodes.find((n) => n.role === 'client')!;
  assert.equal(client.frrVersion, '8.4');
  assert.deepEqual(client.frr!.bgp.peerGroups, [{ name: 'SPINES', interfaces: ['spine1', 'spine2'] }]);
  assert.equal(client.frr!.bgp.asn, 65000);
  assert.match(renderBgpdConf(client.frr!), /neighbor spine1 interface peer-group SPINES/);
  assert.deepEqual(t.clientNexthops, []);
  for (const spine of t.nodes.filter((n) => n.role === 'spine')) assert.deepEqual(spine.frr!.bgp.peerGroups.map((g) => g.interfaces), [['leaf1', 'leaf2', 'leaf3'], ['client']]);
  assert.equal(t.nodes.find((n) => n.role === 'client')!.frrVersion, '8.4');
  assert.equal(labTopology(lab421, 'num-multipaths', '/run/x', 'bl-', '10.3', 'bgp').nodes.find((n) => n.role === 'client')!.frrVersion, '10.3');
  const fixed = labTopology(lab421, 'num-multipaths', '/run/x');
  assert.equal(fixed.nodes.find((n) => n.role === 'client')!.frr, undefined);
  assert.equal(fixed.nodes.find((n) => n.role === 'spine')!.frr!.bgp.peerGroups.length, 1);
});

test('FRR 8.4 routers run without kernel nexthop groups (a flapped link would stay out of them); 10.3 keeps the default', () => {
  const z = (v?: '10.3') => renderZebraConf(labTopology(lab421, 'num-multipaths', '/run/x', 'bl-', v).nodes.find((n) => n.name === 'spine1')!.frr!);
  assert.match(z(), /^no zebra nexthop kernel enable$/m);
  assert.doesNotMatch(z('10.3'), /nexthop kernel/);
});

test('a fixture node on AS 65000 is refused with a BGP client', () => {
  const text = 'name: t\nunit: Gbps\nspines:\n  - { name: s1, asn: 65000 }\nleaves:\n  - { name: l1, asn: 65201, spines: [s1] }\nservers:\n  - { name: v1, leaf: l1, asn: 65300, capacity: 1, prefixes: [198.51.100.1/32] }\nservices:\n  - { prefix: 198.51.100.1/32, load: 1 }\n';
  assert.throws(() => labTopology(parseFixture(text, 't.yaml'), 'ecmp', '/run/x', 'bl-', undefined, 'bgp'), { code: 'E_LAB_FIXTURE' });
  assert.doesNotThrow(() => labTopology(parseFixture(text, 't.yaml'), 'ecmp', '/run/x'));
});
