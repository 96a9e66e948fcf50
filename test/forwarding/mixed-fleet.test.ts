import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadFixture, parseFixture } from '../../src/fabric/load.js';
import { leafStrategy, type MissingBandwidth } from '../../src/fabric/types.js';
import { baseLiveness, indexFabric } from '../../src/forwarding/fabric-index.js';
import { evaluatePrefix } from '../../src/forwarding/shares.js';
import { InputError } from '../../src/util/errors.js';

// fixtures/rollout.yaml: leaf1 ballast (4 servers, 4 Mbps), leaf2 num-multipaths (2 servers, 2 Mbps),
// leaf3 no policy (1 server, no value); spine1 ecmp-fallback, spine2 skip-missing,
// spine3 default-weight-for-missing; every spine frr8 (floor(bw * 100 / sum)).
const rollout = loadFixture('fixtures/rollout.yaml');

function configured(fabric = rollout) {
  const index = indexFabric(fabric);
  return evaluatePrefix(index, 0, 'configured', baseLiveness(index));
}

/** rollout.yaml with every spine on one missing-bandwidth rule. */
function allSpines(rule: MissingBandwidth) {
  const text = readFileSync('fixtures/rollout.yaml', 'utf8').replace(/missing-bandwidth: [a-z-]+/g, `missing-bandwidth: ${rule}`);
  return parseFixture(text, 'rollout.yaml');
}

test('the fixture keys: strategy on a leaf and in defaults.leaf; unsaid is ballast under configured', () => {
  assert.deepEqual(rollout.leaves.map((l) => l.strategy), ['ballast', 'num-multipaths', 'ecmp']);
  assert.deepEqual(rollout.spines.map((s) => s.missingBandwidth), ['ecmp-fallback', 'skip-missing', 'default-weight-for-missing']);
  const lab = loadFixture('fixtures/lab-421.yaml');
  assert.equal(lab.leaves[0]!.strategy, undefined);
  assert.equal(leafStrategy(lab.leaves[0]!, 'configured'), 'ballast');
  assert.equal(leafStrategy(rollout.leaves[1]!, 'ballast'), 'ballast', 'a fabric-wide strategy overrides the leaf');
  assert.equal(leafStrategy(rollout.leaves[1]!, 'configured'), 'num-multipaths');
});

test('a bad strategy is an input error at its position', () => {
  const text = readFileSync('fixtures/rollout.yaml', 'utf8').replace('strategy: ecmp', 'strategy: wcmp');
  assert.throws(() => parseFixture(text, 'r.yaml'), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.format(), 'r.yaml:25:42: leaves[2].strategy is "wcmp", expected one of "ecmp", "num-multipaths", "ballast"');
    return true;
  });
});

test('each leaf advertises by its own strategy, through the one decision function', () => {
  const f = configured();
  assert.deepEqual(f.advertisements, [
    { kind: 'advertise', bandwidthMbps: 4, prepend: 0 }, // ballast: 40 Gbps x 0.1 Mbps per unit
    { kind: 'advertise', bandwidthMbps: 2, prepend: 0 }, // num-multipaths: one Mbps per path
    { kind: 'advertise', bandwidthMbps: null, prepend: 0 }, // no policy: no value
  ]);
  assert.deepEqual(f.reasons, ['live-capacity', 'path-count', 'ecmp']);
});

test('ecmp-fallback: one path without a value and the whole route is plain ECMP', () => {
  const f = configured(allSpines('ecmp-fallback'));
  for (const w of f.spineWeights) assert.deepEqual([...w], [1, 1, 1]);
  assert.deepEqual([...f.leafShare].map((x) => x.toFixed(4)), ['0.3333', '0.3333', '0.3333']);
});

test('skip-missing: the path without a value leaves the FIB, the others are weighted', () => {
  const f = configured(allSpines('skip-missing'));
  for (const w of f.spineWeights) assert.deepEqual([...w], [66, 33, 0]); // floor(400/6), floor(200/6)
  assert.equal(f.leafShare[2], 0);
  assert.equal(f.serverShare[6], 0, 'leaf3\'s server gets no traffic although it is up');
  assert.equal(f.serverLive[6], 1);
});

test('default-weight-for-missing: the path without a value gets weight 1', () => {
  const f = configured(allSpines('default-weight-for-missing'));
  for (const w of f.spineWeights) assert.deepEqual([...w], [66, 33, 1]);
  assert.equal(f.leafShare[2]!.toFixed(4), (1 / 100).toFixed(4));
});

test('the rules side by side in one fabric (rollout.yaml): each spine by its own rule', () => {
  const f = configured();
  assert.deepEqual(f.spineWeights.map((w) => [...w]), [[1, 1, 1], [66, 33, 0], [66, 33, 1]]);
  // A third of the traffic enters each spine.
  const expected = (1 / 3) * (1 / 3) + (1 / 3) * 0 + (1 / 3) * (1 / 100);
  assert.equal(f.leafShare[2]!.toFixed(6), expected.toFixed(6));
});

test('servers weighted by their link-bandwidth only behind the ballast leaf', () => {
  const text = readFileSync('fixtures/rollout.yaml', 'utf8').replace('{ name: srv11, leaf: leaf1 }', '{ name: srv11, leaf: leaf1, capacity: 30 }').replace('{ name: srv21, leaf: leaf2 }', '{ name: srv21, leaf: leaf2, capacity: 30 }');
  const f = configured(parseFixture(text, 'r.yaml'));
  // leaf1 (ballast): servers announce 3/1/1/1 Mbps -> frr8 50/16/16/16; leaf2 (num-multipaths): equal.
  assert.deepEqual([...f.leafWeights.slice(0, 6)], [50, 16, 16, 16, 1, 1]);
});

test('the whole fabric on one strategy ignores the leaves\' own strategies', () => {
  const index = indexFabric(rollout);
  const ecmp = evaluatePrefix(index, 0, 'ecmp', baseLiveness(index));
  assert.ok(ecmp.advertisements.every((a) => a.kind === 'advertise' && a.bandwidthMbps === null));
  const nm = evaluatePrefix(index, 0, 'num-multipaths', baseLiveness(index));
  assert.deepEqual(nm.advertisements.map((a) => (a.kind === 'advertise' ? a.bandwidthMbps : -1)), [4, 2, 1]);
});
