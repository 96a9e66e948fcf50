import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installWeights, quantizationBound, quantize, receivedBytesPerSecond, ruleWeight, type PathIn } from '../../src/forwarding/weights.js';
import type { MissingBandwidth, WeightModel } from '../../src/fabric/types.js';
import { parseFrrVersion, weightModelFor, WEIGHT_RULES } from '../../src/fabric/weight-model.js';
import { BallastError } from '../../src/util/errors.js';

function weights(model: WeightModel, bws: readonly (number | null)[], missing: MissingBandwidth = 'ecmp-fallback', prepends?: readonly number[]): number[] {
  const paths: PathIn[] = bws.map((b, i) => ({ bandwidthMbps: b, asPathLength: 2 + (prepends?.[i] ?? 0) }));
  const out = new Array<number>(paths.length).fill(-1);
  installWeights(model, missing, paths, out);
  return out;
}

// Every measured row of docs/frr.md "Weights in the kernel" (FRR 8.4.4 spine kernels).
const measured: [number[], number[]][] = [
  [[4000, 2000, 1000], [57, 28, 14]],
  [[7, 1, 1], [77, 11, 11]],
  [[3, 3, 1], [42, 42, 14]],
  [[1000, 1000, 1], [49, 49, 1]],
  [[10, 10, 1], [47, 47, 4]],
  [[25600, 1, 1], [99, 1, 1]],
];
for (const [bw, expected] of measured) {
  test(`frr8 ${bw.join(':')} installs ${expected.join('/')} as measured on FRR 8.4.4`, () => {
    assert.deepEqual(weights('frr8', bw), expected);
  });
}

test('num-multipaths 4/2/1 and 2/1 paths give the lab weights 57/28/14 and 66/33', () => {
  assert.deepEqual(weights('frr8', [4, 2, 1]), [57, 28, 14]);
  assert.deepEqual(weights('frr8', [2, 1]), [66, 33]);
});

test('server paths 3000/1000/1000/1000 Mbps: leaf weights 50/16/16/16', () => {
  assert.deepEqual(weights('frr8', [3000, 1000, 1000, 1000]), [50, 16, 16, 16]);
});

test('a 9 Gbps value arrives float32-rounded as 1124999936 bytes/s', () => {
  assert.equal(receivedBytesPerSecond(9000), 1124999936);
});

test('frr10 scales to 255 of the largest, frr10-16bit to 65535, floor 1', () => {
  assert.deepEqual(weights('frr10', [4000, 2000, 1000]), [255, 127, 63]);
  assert.deepEqual(weights('frr10', [25600, 1, 1]), [255, 1, 1]);
  assert.deepEqual(weights('frr10-16bit', [4000, 2000, 1000]), [65535, 32767, 16383]);
});

test('ecmp model ignores link-bandwidth', () => {
  assert.deepEqual(weights('ecmp', [4000, 2000, 1000]), [1, 1, 1]);
});

test('one multipath without a value: FRR default falls back to plain ECMP for the whole route', () => {
  assert.deepEqual(weights('frr8', [4000, null, 1000]), [1, 1, 1]);
});

test('skip-missing drops the path without a value; default-weight-for-missing gives it weight 1', () => {
  assert.deepEqual(weights('frr8', [4000, null, 1000], 'skip-missing'), [80, 0, 20]);
  assert.deepEqual(weights('frr8', [4000, null, 1000], 'default-weight-for-missing'), [80, 1, 20]);
  assert.deepEqual(weights('frr8', [null, null], 'skip-missing'), [1, 1]);
});

test('a longer AS path leaves the ECMP set entirely: prepending is all or nothing', () => {
  assert.deepEqual(weights('frr8', [4000, 2000, 1000], 'ecmp-fallback', [0, 0, 2]), [66, 33, 0]);
  assert.deepEqual(weights('ecmp', [null, null, null], 'ecmp-fallback', [2, 2, 2]), [1, 1, 1]);
});

test('a lone path is installed with weight 1 whatever its value', () => {
  assert.deepEqual(weights('frr8', [1000]), [1]);
});

test('quantization bound: 1 for a single path, above 1 for several, grows for tiny shares', () => {
  assert.equal(quantizationBound('frr8', [1]), 1);
  const b = quantizationBound('frr8', [0.25, 0.25, 0.25, 0.25]);
  assert.ok(b > 1 && b < 1.05, String(b));
  assert.ok(quantizationBound('frr8', [0.998, 0.001, 0.001]) > 5);
});

// FRR 10: the model follows the receiving router's version (docs/frr.md "Weights in the kernel").
const model = (version: string, sixteen = false): WeightModel => {
  const v = parseFrrVersion(version);
  if ('problem' in v) throw new Error(v.problem);
  return weightModelFor(v, sixteen);
};

// Every measured row of docs/frr.md "Weights in the kernel" (Debian trixie's FRR 10.3 spine kernels).
const measured103: [number[], number[]][] = [
  [[4, 2, 1], [254, 127, 63]], // num-multipaths, 4/2/1 servers
  [[4000, 2000, 1000], [254, 127, 63]],
  [[7, 1, 1], [254, 36, 36]],
  [[3, 3, 1], [254, 254, 84]],
  [[1000, 1000, 1], [254, 254, 1]],
  [[10, 10, 1], [254, 254, 25]],
  [[25600, 1, 1], [254, 1, 1]],
  [[100, 99, 1], [254, 251, 2]],
  [[255, 254, 1], [254, 253, 1]],
  [[500, 500, 500], [254, 254, 254]], // equal values
];
for (const [bw, expected] of measured103) {
  test(`FRR 10.3 ${bw.join(':')} installs ${expected.join('/')} as measured`, () => {
    assert.equal(model('10.3'), 'frr10-254');
    assert.deepEqual(weights(model('10.3'), bw), expected);
    assert.deepEqual(weights(model('10.3-3+deb13u1'), bw), expected);
  });
}

test('FRR 10.3 missing values: fallback, skip-missing 254/127/-, default-weight-for-missing 254/127/1', () => {
  const m = model('10.3');
  assert.deepEqual(weights(m, [4000, 2000, null]), [1, 1, 1]);
  assert.deepEqual(weights(m, [4000, 2000, null], 'skip-missing'), [254, 127, 0]);
  assert.deepEqual(weights(m, [4000, 2000, null], 'default-weight-for-missing'), [254, 127, 1]);
  assert.deepEqual(weights('ecmp', [4000, 2000, 1000]), [1, 1, 1]); // `ignore`
});

test('FRR 10.3 leaf toward servers 3000/1000/1000/1000: 254/84/84/84', () => {
  assert.deepEqual(weights(model('10.3'), [3000, 1000, 1000, 1000]), [254, 84, 84, 84]);
});

test('FRR 10.3 AS-path prepend is all or nothing, as on 8.4', () => {
  assert.deepEqual(weights(model('10.3'), [4000, 2000, 1000], 'ecmp-fallback', [0, 0, 2]), [254, 127, 0]);
});

test('every version line: 8.4 floor of 100, 10.0 and 10.1 scale 255, 10.2-10.4 254, 10.5 on 255 or 65535', () => {
  const row = [4000, 2000, 1000];
  for (const v of ['7.4', '8.4.4', '9.1.3']) assert.deepEqual(weights(model(v), row), [57, 28, 14], v);
  for (const v of ['10.0', '10.0.3', '10.1.5']) assert.deepEqual(weights(model(v), row), [255, 127, 63], v);
  for (const v of ['10.2', '10.3.4', '10.4.4']) assert.deepEqual(weights(model(v), row), [254, 127, 63], v);
  for (const v of ['10.5.0', '10.6.0', '10.7']) assert.deepEqual(weights(model(v), row), [255, 127, 63], v);
  for (const v of ['10.5', '10.6.0']) assert.deepEqual(weights(model(v, true), row), [65535, 32767, 16383], v);
  // 3/3/1 separates 255 from 254: 85 against 84.
  assert.deepEqual(weights(model('10.0.3'), [3, 3, 1]), [255, 255, 85]);
  assert.deepEqual(weights(model('10.6.0'), [3, 3, 1]), [255, 255, 85]);
});

test("FRR's own topotest bgp_link_bw_ip r1: 3:1 gives 254/84 on 10.2-10.4 and 255/85 from 10.5", () => {
  assert.deepEqual(weights(model('10.3'), [3, 1]), [254, 84]);
  assert.deepEqual(weights(model('10.5'), [3, 1]), [255, 85]);
});

test('versions without a known weight rule are errors, not guesses', () => {
  for (const v of ['7.3', '6.0', '9.2', '11.0', '12.1.1']) {
    assert.throws(() => model(v), (e: unknown) => e instanceof BallastError && e.code === 'E_FRR_VERSION' && /expected 7\.4 to 9\.1, or 10\.x from 10\.0/.test(e.message), v);
  }
  assert.throws(() => model('10.3', true), /no --nexthop-weight-16-bit \(new in FRR 10\.5\)/);
  assert.throws(() => model('8.4', true), /no --nexthop-weight-16-bit/);
  for (const bad of ['10', 'ten', '10.x', 'v10.3', '10.3.4.5', '']) assert.ok('problem' in parseFrrVersion(bad), bad);
});

test('the rule table is what fast evaluators read: one lookup, no per-path function', () => {
  assert.deepEqual(WEIGHT_RULES[model('8.4')], { kind: 'share-of-sum', scale: 100 });
  assert.deepEqual(WEIGHT_RULES[model('10.3')], { kind: 'share-of-max', scale: 254 });
  assert.deepEqual(WEIGHT_RULES[model('10.0.3')], { kind: 'share-of-max', scale: 255 });
  assert.deepEqual(WEIGHT_RULES[model('10.6', true)], { kind: 'share-of-max', scale: 65535 });
  assert.equal(quantize('frr10-254', 3, 7, 3), ruleWeight(WEIGHT_RULES['frr10-254'], 3, 7, 3));
});
