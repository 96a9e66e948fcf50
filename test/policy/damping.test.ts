import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Damping } from '../../src/fabric/types.js';
import type { Advertisement } from '../../src/policy/advertisement.js';
import { damp, initialDamping, isCut, type DampingState } from '../../src/policy/damping.js';

const lb = (bandwidthMbps: number, prepend = 0): Advertisement => ({ kind: 'advertise', bandwidthMbps, prepend });
const cfg: Damping = { holdDownSeconds: 10, minIntervalSeconds: 2, minChangeFraction: 0.05 };

test('a cut applies at once once the minimum interval has passed', () => {
  const s = initialDamping(lb(800), 0);
  const r = damp(lb(100), s, 5000, cfg);
  assert.equal(r.changed, true);
  assert.deepEqual(r.advertisement, lb(100));
  assert.equal(r.state.lastChangeAt, 5000);
});

test('a cut inside the minimum interval waits for its end', () => {
  const s = initialDamping(lb(800), 0);
  const r = damp(lb(100), s, 500, cfg);
  assert.equal(r.changed, false);
  assert.equal(r.hold, 'min-interval');
  assert.equal(r.nextCheckAt, 2000);
  assert.equal(damp(lb(100), r.state, 2000, cfg).changed, true);
});

test('a raise waits for the hold-down, measured from when it was first wanted', () => {
  let s: DampingState = initialDamping(lb(100), 0);
  let r = damp(lb(800), s, 3000, cfg);
  assert.equal(r.hold, 'hold-down');
  assert.equal(r.nextCheckAt, 13000);
  s = r.state;
  r = damp(lb(800), s, 12999, cfg);
  assert.equal(r.changed, false);
  r = damp(lb(800), r.state, 13000, cfg);
  assert.equal(r.changed, true);
});

test('an interrupted raise starts its hold-down again', () => {
  let r = damp(lb(800), initialDamping(lb(100), 0), 3000, cfg);
  r = damp(lb(100), r.state, 4000, cfg); // back to current: nothing wanted
  assert.equal(r.state.raiseSince, null);
  r = damp(lb(800), r.state, 5000, cfg);
  assert.equal(r.nextCheckAt, 15000);
});

test('a change below the threshold is ignored', () => {
  const r = damp(lb(820), initialDamping(lb(800), 0), 60000, cfg);
  assert.equal(r.changed, false);
  assert.equal(r.hold, 'below-change-threshold');
});

test('flapping every 200 ms for 10 s: one cut, no restore while it flaps', () => {
  let s = initialDamping(lb(800), -100000);
  let changes = 0;
  for (let t = 0; t < 10000; t += 200) {
    const target = (t / 200) % 2 === 0 ? lb(700) : lb(800);
    const r = damp(target, s, t, cfg);
    if (r.changed) changes++;
    s = r.state;
  }
  assert.equal(changes, 1);
  assert.deepEqual(s.current, lb(700));
});

test('what counts as a cut: withdraw, more prepends, less bandwidth', () => {
  assert.equal(isCut(lb(100), { kind: 'withdraw' }), true);
  assert.equal(isCut({ kind: 'withdraw' }, lb(1)), false);
  assert.equal(isCut(lb(100), lb(900, 2)), true);
  assert.equal(isCut(lb(100, 2), lb(50)), false);
  assert.equal(isCut(lb(100), lb(50)), true);
});
