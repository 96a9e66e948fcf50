import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installWeights, quantizationBound, receivedBytesPerSecond, type PathIn } from '../../src/forwarding/weights.js';
import type { MissingBandwidth, WeightModel } from '../../src/fabric/types.js';

function weights(model: WeightModel, bws: readonly (number | null)[], missing: MissingBandwidth = 'ecmp-fallback', prepends?: readonly number[]): number[] {
  const paths: PathIn[] = bws.map((b, i) => ({ bandwidthMbps: b, asPathLength: 2 + (prepends?.[i] ?? 0) }));
  const out = new Array<number>(paths.length).fill(-1);
  installWeights(model, missing, paths, out);
  return out;
}

// Every measured row of FRR-FACTS.md "Weight quantization" (FRR 8.4.4 spine kernels).
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
