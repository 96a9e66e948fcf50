import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LeafPolicy } from '../../src/fabric/types.js';
import { capacityToMbps, decide } from '../../src/policy/decide.js';

const policy = (over: Partial<LeafPolicy> = {}): LeafPolicy => ({
  mode: 'link-bandwidth',
  mbpsPerUnit: 100,
  mbpsPerUnitDerived: false,
  weightServers: true,
  prependBelowFraction: 0.5,
  prependBelowServers: 0,
  prependLength: 2,
  damping: { holdDownSeconds: 10, minIntervalSeconds: 1, minChangeFraction: 0 },
  ...over,
});

const state = (healthyCount: number, healthyCapacity: number, configuredCount = 4, configuredCapacity = 40) => ({ healthyCount, healthyCapacity, configuredCount, configuredCapacity });

test('no healthy server: withdraw, whatever the strategy', () => {
  for (const s of ['ecmp', 'num-multipaths', 'ballast'] as const) assert.deepEqual(decide(s, policy(), state(0, 0)), { advertisement: { kind: 'withdraw' }, reason: 'no-healthy-servers' });
});

test('ecmp sets nothing; num-multipaths advertises one Mbps per path', () => {
  assert.deepEqual(decide('ecmp', policy(), state(3, 30)).advertisement, { kind: 'advertise', bandwidthMbps: null, prepend: 0 });
  assert.deepEqual(decide('num-multipaths', policy(), state(3, 30)).advertisement, { kind: 'advertise', bandwidthMbps: 3, prepend: 0 });
});

test('ballast link-bandwidth: live capacity times the fabric scale, in whole Mbps within 1-25600', () => {
  assert.deepEqual(decide('ballast', policy(), state(3, 30)), { advertisement: { kind: 'advertise', bandwidthMbps: 3000, prepend: 0 }, reason: 'live-capacity' });
  assert.equal(capacityToMbps(policy(), 0.001), 1);
  assert.equal(capacityToMbps(policy(), 1000), 25600);
  assert.equal(capacityToMbps(policy({ mbpsPerUnit: 3 }), 2.5), 8);
});

test('link-bandwidth mode never prepends, even far below the threshold', () => {
  const a = decide('ballast', policy(), state(1, 10)).advertisement;
  assert.ok(a.kind === 'advertise' && a.prepend === 0);
});

test('link-bandwidth+prepend: under the capacity fraction or server floor the leaf prepends', () => {
  const p = policy({ mode: 'link-bandwidth+prepend', prependBelowFraction: 0.5, prependBelowServers: 2 });
  assert.deepEqual(decide('ballast', p, state(1, 10)), { advertisement: { kind: 'advertise', bandwidthMbps: 1000, prepend: 2 }, reason: 'below-threshold' });
  assert.deepEqual(decide('ballast', p, state(2, 20)), { advertisement: { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 }, reason: 'live-capacity' });
  assert.equal(decide('ballast', p, state(2, 19)).reason, 'below-threshold');
});

test('prepend mode carries no value unless server paths are weighted (FRR would re-advertise their sum)', () => {
  assert.deepEqual(decide('ballast', policy({ mode: 'prepend', weightServers: false }), state(3, 30)).advertisement, { kind: 'advertise', bandwidthMbps: null, prepend: 0 });
  assert.deepEqual(decide('ballast', policy({ mode: 'prepend', weightServers: true }), state(3, 30)).advertisement, { kind: 'advertise', bandwidthMbps: 3000, prepend: 0 });
});
