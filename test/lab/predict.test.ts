import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadFixture } from '../../src/fabric/load.js';
import { findRoute, parseKernelRoutes, weightsByDev } from '../../src/lab/kernel-route.js';
import { compareWeights, formatWeights, predictLab } from '../../src/lab/predict.js';
import { compareTraffic } from '../../src/lab/status.js';

const lab421 = loadFixture('fixtures/lab-421.yaml');
const recorded = (name: string) => parseKernelRoutes(JSON.parse(readFileSync(new URL(`../../fixtures/frr/${name}`, import.meta.url), 'utf8')));
const leaves = ['leaf1', 'leaf2', 'leaf3'];

test('a spine kernel route recorded from the lab: RFC 5549 next hops with weights 57/28/14 and 66/33', () => {
  const routes = recorded('spine1-ip-route.json');
  const r1 = findRoute(routes, '198.51.100.1/32')!;
  assert.equal(r1.protocol, 'bgp');
  assert.match(r1.nexthops[0]!.via!, /^fe80::/);
  assert.equal(formatWeights(weightsByDev(r1), leaves), 'leaf1 57, leaf2 28, leaf3 14');
  assert.equal(formatWeights(weightsByDev(findRoute(routes, '198.51.100.2/32')), leaves), 'leaf1 66, leaf2 33');
  assert.equal(findRoute(routes, '203.0.113.1/32'), undefined);
});

test('a single-path route carries no weight: read as 1, as the kernel treats it', () => {
  const routes = recorded('spine1-ip-route-leaf1-only.json');
  assert.deepEqual([...weightsByDev(findRoute(routes, '198.51.100.1/32'))], [['leaf1', 1]]);
});

test('num-multipaths on lab-421 predicts exactly what the recorded kernels hold', () => {
  const prediction = predictLab(lab421, 'num-multipaths', []);
  const kernel = new Map([
    ['spine1', recorded('spine1-ip-route.json')],
    ['spine2', recorded('spine1-ip-route.json')],
  ]);
  const cmp = compareWeights(prediction, kernel, findRoute).filter((c) => c.role === 'spine');
  assert.equal(cmp.length, 4);
  assert.ok(cmp.every((c) => c.equal));
  // ... and a difference is reported as one.
  const ecmp = compareWeights(predictLab(lab421, 'ecmp', []), kernel, findRoute).filter((c) => c.role === 'spine');
  assert.ok(ecmp.every((c) => !c.equal));
});

test('with leaf2 and leaf3 emptied only leaf1 is left, a lone path of weight 1', () => {
  const prediction = predictLab(lab421, 'num-multipaths', ['srv21', 'srv22', 'srv31']);
  const kernel = new Map([['spine1', recorded('spine1-ip-route-leaf1-only.json')]]);
  const cmp = compareWeights(prediction, kernel, findRoute).filter((c) => c.router === 'spine1');
  assert.ok(cmp.every((c) => c.equal), JSON.stringify(cmp.map((c) => [...c.predicted])));
});

test('traffic comparison: shares of what arrived beside the prediction, largest difference in points', () => {
  const prediction = predictLab(lab421, 'ecmp', []);
  const received = new Map([
    ['198.51.100.1/32', new Map([['srv11', 80], ['srv12', 90], ['srv13', 80], ['srv14', 83], ['srv21', 170], ['srv22', 167], ['srv31', 330]])],
    ['198.51.100.2/32', new Map([['srv11', 250], ['srv12', 250], ['srv21', 500]])],
  ]);
  const [p1, p2] = compareTraffic(prediction, { received, sent: 2000, sendErrors: 0, seconds: 1 });
  assert.equal(p1!.received, 1000);
  assert.equal(p1!.servers.find((s) => s.server === 'srv31')!.measured, 0.33);
  assert.ok(Math.abs(p1!.maxDiffPoints - 0.6667) < 0.01);
  assert.equal(p2!.maxDiffPoints, 0);
});

test('leaves: ECMP toward their servers compared, the routes back through the spines left out', () => {
  const kernel = new Map([
    ['leaf1', recorded('leaf1-ip-route.json')],
    ['leaf2', recorded('leaf2-ip-route-no-servers.json')],
  ]);
  const cmp = compareWeights(predictLab(lab421, 'num-multipaths', ['srv21', 'srv22']), kernel, findRoute).filter((c) => c.router === 'leaf1' || c.router === 'leaf2');
  assert.deepEqual(
    cmp.map((c) => [c.prefix, c.router, formatWeights(c.kernel, ['srv11', 'srv12', 'srv13', 'srv14']), c.equal]),
    [
      ['198.51.100.1/32', 'leaf1', 'srv11 1, srv12 1, srv13 1, srv14 1', true],
      ['198.51.100.1/32', 'leaf2', '-', true],
      ['198.51.100.2/32', 'leaf1', 'srv11 1, srv12 1', true],
      ['198.51.100.2/32', 'leaf2', '-', true],
    ],
  );
  // leaf1's recorded route with leaf2's servers predicted up: leaf2 lacks its servers, a difference.
  const healthy = compareWeights(predictLab(lab421, 'num-multipaths', []), kernel, findRoute).find((c) => c.router === 'leaf2')!;
  assert.equal(healthy.equal, false);
});

// IPv6, recorded from `ip -6 -j route show` in the heterogeneous lab (num-multipaths): the same shapes as
// IPv4, host routes printed without /128, RFC 5549-style link-local next hops, a nexthop-group id.
const hetero = loadFixture('fixtures/heterogeneous.yaml');
const V6 = '2001:db8:100::10/128';
const v6kernel = (files: Record<string, string>) => new Map(Object.entries(files).map(([router, file]) => [router, recorded(file)]));

test('IPv6 spine route: weights 40/20/40 for leaves with 2, 1 and 2 IPv6 servers, as predicted', () => {
  const routes = recorded('hetero-spine01-ip6-route.json');
  const r = findRoute(routes, V6)!;
  assert.equal(r.protocol, 'bgp');
  assert.ok(r.nexthops.every((h) => h.via?.startsWith('fe80::')));
  assert.equal(formatWeights(weightsByDev(r), ['leaf01', 'leaf02', 'leaf03']), 'leaf01 40, leaf02 20, leaf03 40');
  assert.equal(findRoute(routes, '2001:db8:100::1/128'), undefined);
  assert.equal(findRoute(routes, '198.51.100.10/32'), undefined, 'the IPv4 prefix is not in the IPv6 table');
  const cmp = compareWeights(predictLab(hetero, 'num-multipaths', []), v6kernel({ spine01: 'hetero-spine01-ip6-route.json', leaf01: 'hetero-leaf01-ip6-route.json' }), findRoute);
  const v6 = cmp.filter((c) => c.prefix === V6 && (c.router === 'spine01' || c.router === 'leaf01'));
  assert.deepEqual(v6.map((c) => [c.router, formatWeights(c.kernel, ['leaf01', 'leaf02', 'leaf03', 'server02', 'server04']), c.equal]), [
    ['spine01', 'leaf01 40, leaf02 20, leaf03 40', true],
    ['leaf01', 'server02 1, server04 1', true],
  ]);
});

test('IPv6 failures: a lone server path (no nexthops array), then the leaf routing back through the spines', () => {
  const one = compareWeights(predictLab(hetero, 'num-multipaths', ['server02']), v6kernel({ leaf01: 'hetero-leaf01-ip6-route-one-server.json' }), findRoute).find((c) => c.prefix === V6 && c.router === 'leaf01')!;
  assert.deepEqual([...one.kernel], [['server04', 1]]);
  assert.ok(one.equal);
  const none = compareWeights(predictLab(hetero, 'num-multipaths', ['server02', 'server04']), v6kernel({ spine01: 'hetero-spine01-ip6-route-leaf01-down.json', leaf01: 'hetero-leaf01-ip6-route-no-servers.json' }), findRoute);
  const spine = none.find((c) => c.prefix === V6 && c.router === 'spine01')!;
  const leaf = none.find((c) => c.prefix === V6 && c.router === 'leaf01')!;
  assert.equal(formatWeights(spine.kernel, ['leaf01', 'leaf02', 'leaf03']), 'leaf02 33, leaf03 66');
  assert.ok(spine.equal && leaf.equal, 'the route back through the spines (50/50) is not compared');
  assert.equal(leaf.kernel.size, 0);
});
