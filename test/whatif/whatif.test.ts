import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { loadFixture, parseFixture } from '../../src/fabric/load.js';
import { STRATEGIES } from '../../src/fabric/types.js';
import { indexFabric } from '../../src/forwarding/fabric-index.js';
import { resolveFailures, scenarioLiveness } from '../../src/whatif/scenario.js';
import { runWhatif, type WhatifReport } from '../../src/whatif/whatif.js';

function whatif(fixture: string, fail: string[] = [], load?: number): WhatifReport {
  const index = indexFabric(loadFixture(fixture));
  const failures = resolveFailures(index, fail);
  return runWhatif(index, { fixture, failures, live: scenarioLiveness(index, failures), strategies: STRATEGIES, ...(load === undefined ? {} : { load }) });
}

const byName = (r: WhatifReport, prefix = 0) => Object.fromEntries(r.prefixes[prefix]!.strategies.map((s) => [s.name, s]));

test('warning.yaml with seven of leaf01 failed: ecmp 6.25x ideal, num-multipaths and ballast 1.00', () => {
  const r = whatif('fixtures/warning.yaml', ['server02', 'server03', 'server04', 'server05', 'server06', 'server07', 'server08']);
  const s = byName(r);
  assert.equal(s.ecmp!.maxOverIdeal.toFixed(2), '6.25');
  const server01 = s.ecmp!.servers.find((x) => x.name === 'server01')!;
  assert.equal(server01.share, 0.25);
  assert.equal(server01.idealShare, 0.04);
  assert.equal(s['num-multipaths']!.maxOverIdeal.toFixed(2), '1.00');
  assert.equal(s.ballast!.maxOverIdeal.toFixed(2), '1.00');
  assert.deepEqual(s.ecmp!.overloaded, ['server01']);
  assert.equal(r.overloaded, false);
});

test('heterogeneous.yaml: num-multipaths counts paths, ballast weights capacity, within the frr8 bound', () => {
  const r = whatif('fixtures/heterogeneous.yaml');
  for (let p = 0; p < r.prefixes.length; p++) {
    const s = byName(r, p);
    const nm = s['num-multipaths']!;
    const b = s.ballast!;
    assert.ok(nm.maxOverIdeal > b.maxOverIdeal + 0.3, `${r.prefixes[p]!.prefix}: num-multipaths ${nm.maxOverIdeal} vs ballast ${b.maxOverIdeal}`);
    assert.ok(nm.jain < b.jain, 'num-multipaths is less fair');
    assert.ok(b.quantization && b.quantization.within, 'ballast within the spines model bound');
    assert.ok(b.maxOverIdeal <= b.quantization.bound);
    assert.ok(b.maxOverIdeal < 1.02, String(b.maxOverIdeal));
  }
});

test('heterogeneous.yaml: the IPv6 prefix is served only by its subset', () => {
  const r = whatif('fixtures/heterogeneous.yaml');
  const v6 = r.prefixes.find((p) => p.prefix.includes(':'))!;
  assert.deepEqual(v6.strategies[0]!.servers.map((s) => s.name), ['server02', 'server04', 'server05', 'server07', 'server09']);
  assert.equal(v6.liveCapacity, 90);
});

test('lab-421 predictions: 57/28/14 and 66/33 under num-multipaths on both spines', () => {
  const r = whatif('fixtures/lab-421.yaml');
  assert.deepEqual(r.spines, ['spine1', 'spine2'], 'spineWeights are aligned with the report\'s spines');
  const nm1 = byName(r, 0)['num-multipaths']!;
  assert.deepEqual(nm1.leaves.map((l) => l.spineWeights), [
    [57, 57],
    [28, 28],
    [14, 14],
  ]);
  const nm2 = byName(r, 1)['num-multipaths']!;
  assert.deepEqual(nm2.leaves.map((l) => l.spineWeights[0]), [66, 33, 0]);
  assert.equal(nm2.leaves[2]!.advertisement.kind, 'withdraw');
});

test('a failed spine moves all ingress to the other; a failed leaf takes its servers with it', () => {
  const spine = whatif('fixtures/lab-421.yaml', ['spine1']);
  const b = byName(spine).ballast!;
  assert.deepEqual(b.leaves.map((l) => l.spineWeights[0]), [0, 0, 0]);
  assert.equal(b.leaves.reduce((a, l) => a + l.share, 0).toFixed(6), '1.000000');
  const leaf = whatif('fixtures/lab-421.yaml', ['leaf3']);
  const srv31 = byName(leaf).ballast!.servers.find((s) => s.name === 'srv31')!;
  assert.equal(srv31.status, 'unreachable');
  assert.equal(srv31.share, 0);
});

test('safe load is the offered load at which the busiest server reaches 100 %', () => {
  const r = whatif('fixtures/warning.yaml', ['server02', 'server03', 'server04', 'server05', 'server06', 'server07', 'server08']);
  const s = byName(r);
  assert.equal(s.ecmp!.safeLoad, 40); // server01 takes 25 %: 10 / 0.25
  assert.ok(Math.abs(s.ballast!.safeLoad - 250) < 1e-9);
  const at = whatif('fixtures/warning.yaml', ['server02', 'server03', 'server04', 'server05', 'server06', 'server07', 'server08'], 40);
  assert.ok(Math.abs(byName(at).ecmp!.maxUtilization - 1) < 1e-12);
});

test('the deciding strategy is ballast: an overload there is reported', () => {
  const r = whatif('fixtures/heterogeneous.yaml', ['server05']);
  assert.equal(r.deciding, 'ballast');
  assert.equal(r.overloaded, true); // 120 offered on 110 live capacity
});

test('an unknown failure name is a usage error that suggests close names', () => {
  const index = indexFabric(loadFixture('fixtures/warning.yaml'));
  assert.throws(() => resolveFailures(index, ['server1']), /no spine, leaf or server has that name; did you mean server01/);
});

test('a failed leaf-spine link (either order): that spine splits its ingress over the other leaves', () => {
  const r = whatif('fixtures/lab-421.yaml', ['spine1/leaf1']);
  assert.deepEqual(r.failed, ['leaf1/spine1']);
  const nm = byName(r)['num-multipaths']!;
  assert.deepEqual(nm.leaves.map((l) => l.spineWeights), [
    [0, 57],
    [66, 28],
    [33, 14],
  ]);
  // spine1's half goes 66:33 to leaf2 and leaf3; spine2's half 57:28:14 to all three.
  assert.equal(nm.leaves[0]!.share.toFixed(4), (0.5 * 57 / 99).toFixed(4));
  assert.equal(nm.leaves[1]!.share.toFixed(4), (0.5 * 66 / 99 + 0.5 * 28 / 99).toFixed(4));
  assert.equal(nm.servers.find((s) => s.name === 'srv31')!.status, 'up');
  assert.match(byName(r).ballast!.quantization!.note!, /failed leaf-spine link/);
  // Both links of a leaf down cut it off like a failed leaf.
  const off = byName(whatif('fixtures/lab-421.yaml', ['leaf3/spine1', 'leaf3/spine2'])).ballast!;
  assert.equal(off.servers.find((s) => s.name === 'srv31')!.status, 'unreachable');
  assert.equal(off.leaves[2]!.advertisement.kind, 'withdraw');
});

test('link names: unknown pairs and bad forms are usage errors', () => {
  const index = indexFabric(loadFixture('fixtures/lab-421.yaml'));
  assert.throws(() => resolveFailures(index, ['leaf1/leaf2']), /not one of each/);
  assert.throws(() => resolveFailures(index, ['leaf1/spine1#2']), /has 1 link to spine1, expected #1 to #1/);
  assert.throws(() => resolveFailures(index, ['leaf1/']), /expected a link as LEAF\/SPINE/);
  assert.deepEqual(resolveFailures(index, ['leaf1/spine1#1', 'spine1/leaf1']).map((f) => f.name), ['leaf1/spine1']);
});

test('parallel links: a spine named twice is two sessions, two next hops with the leaf value each', () => {
  const text = readFileSync('fixtures/lab-421.yaml', 'utf8').replace('{ name: leaf1, asn: 65201 }', '{ name: leaf1, asn: 65201, spines: [spine1, spine1, spine2] }');
  const fabric = parseFixture(text, 'parallel.yaml');
  assert.deepEqual(fabric.leaves[0]!.spines, ['spine1', 'spine2']);
  const index = indexFabric(fabric);
  assert.deepEqual(index.linkNames.slice(0, 3), ['leaf1/spine1', 'leaf1/spine1#2', 'leaf1/spine2']);
  const run = (fail: string[]) => {
    const failures = resolveFailures(index, fail);
    return byName(runWhatif(index, { fixture: 'parallel.yaml', failures, live: scenarioLiveness(index, failures), strategies: STRATEGIES }))['num-multipaths']!;
  };
  // spine1 holds leaf1 4, leaf1 4, leaf2 2, leaf3 1: floor(400/11) twice, floor(200/11), floor(100/11).
  assert.deepEqual(run([]).leaves.map((l) => l.spineWeights[0]), [72, 18, 9]);
  assert.deepEqual(run(['leaf1/spine1#2']).leaves.map((l) => l.spineWeights[0]), [57, 28, 14]);
  assert.deepEqual(run(['leaf1/spine1']).leaves.map((l) => l.spineWeights[0]), [0, 66, 33]);
});
