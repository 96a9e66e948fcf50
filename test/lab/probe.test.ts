// The probe stream's counting (src/lab/probe.ts): lost probes, the address's longest outage (every
// flow at once) and one flow's longest outage, from the numbers the listeners saw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countProbes } from '../../src/lab/probe.js';

const sent = (probes: number) => ({ sent: { '198.51.100.1': probes }, errors: { '198.51.100.1': 0 }, probes });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('a whole outage: every flow out for the same probes', () => {
  // 100 probes/s, 4 flows; probes 20..59 lost (0.4 s): the address and each flow out 0.4 s.
  const seen = [{ name: 'a', seen: { '198.51.100.1': [...range(0, 20), ...range(60, 100)] } }];
  const r = countProbes('198.51.100.1', sent(100), seen, 100, 4);
  assert.equal(r.lost, 40);
  assert.equal(r.longestGapMs, 400);
  assert.equal(r.longestFlowGapMs, 400);
  assert.equal(r.servers.get('a'), 60);
});

test('one flow of four on a dead path: the address never goes dark, that flow does', () => {
  // Flow 1 (probes 1, 5, 9, ...) lost from probe 20 to 59: 10 of its probes, 0.4 s of its time.
  const got = range(0, 100).filter((n) => !(n % 4 === 1 && n >= 20 && n < 60));
  const seen = [{ name: 'a', seen: { '198.51.100.1': got.filter((n) => n % 2 === 0) } }, { name: 'b', seen: { '198.51.100.1': got.filter((n) => n % 2 === 1) } }];
  const r = countProbes('198.51.100.1', sent(100), seen, 100, 4);
  assert.equal(r.lost, 10);
  assert.equal(r.longestGapMs, 10);
  assert.equal(r.longestFlowGapMs, 400);
});

test('nothing lost, numbers out of range ignored', () => {
  const r = countProbes('198.51.100.1', sent(10), [{ name: 'a', seen: { '198.51.100.1': [...range(0, 10), 10, -1] } }], 100, 4);
  assert.deepEqual([r.lost, r.longestGapMs, r.longestFlowGapMs, r.received], [0, 0, 0, 10]);
});
