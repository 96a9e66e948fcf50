import assert from 'node:assert/strict';
import { test } from 'node:test';
import { damp, initialDamping } from '../../src/policy/damping.js';

const damping = { holdDownSeconds: 10, minIntervalSeconds: 1, minChangeFraction: 0.5 };
const lb = (bandwidthMbps: number) => ({ kind: 'advertise', bandwidthMbps, prepend: 0 }) as const;

test('back from withdrawn applies at once: FRR advertises the returning path by itself', () => {
  const r = damp(lb(100), initialDamping({ kind: 'withdraw' }, 0), 100, damping);
  assert.equal(r.changed, true);
  assert.equal(r.hold, 'none');
  assert.deepEqual(r.state.current, lb(100));
  // ...and an ordinary raise after it still waits for the hold-down.
  assert.equal(damp(lb(400), r.state, 2000, damping).hold, 'hold-down');
});
