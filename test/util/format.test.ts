import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { thousands } from '../../src/util/format.js';

test('thousands writes whole numbers as toLocaleString("en-US") does, without loading ICU', () => {
  for (const n of [0, 1, 999, 1000, -1000, 25_153, 316_324_129, 2 ** 53]) {
    assert.equal(thousands(n), n.toLocaleString('en-US'), String(n));
  }
  assert.equal(thousands(1234.6), '1,235');
  assert.equal(thousands(Infinity), 'Infinity');
  fc.assert(
    fc.property(fc.maxSafeInteger(), (n) => thousands(n) === n.toLocaleString('en-US')),
    { numRuns: 5000 },
  );
});
