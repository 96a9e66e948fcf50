// The address action for real, inside a network namespace this test creates and deletes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { AddressManager } from '../../src/health/addresses.js';
import { BallastError } from '../../src/util/errors.js';
import { addressesIn, createNetns, deleteNetns, netnsSkipReason } from './netns.js';

const skip = netnsSkipReason();
let ns = '';
before(() => {
  if (!skip) ns = createNetns('addr');
});
after(() => {
  if (ns) deleteNetns(ns);
});

const A = '198.51.100.1/32';
const B = '2001:db8::1/128';

test('adds and removes anycast addresses on lo; present or absent already is not an error', { skip: skip ?? false }, async () => {
  const m = new AddressManager({ interface: 'lo', netns: ns });
  assert.deepEqual(await m.add([A, B]), [
    { prefix: A, change: 'added' },
    { prefix: B, change: 'added' },
  ]);
  assert.ok(addressesIn(ns).includes(A) && addressesIn(ns).includes(B), addressesIn(ns).join(' '));
  assert.deepEqual(await m.add([A, B]), [
    { prefix: A, change: 'already-present' },
    { prefix: B, change: 'already-present' },
  ]);
  // Someone removes one by hand: the next remove reports it absent and removes the other.
  execFileSync('ip', ['-n', ns, 'addr', 'del', A, 'dev', 'lo']);
  assert.deepEqual(await m.remove([A, B]), [
    { prefix: A, change: 'already-absent' },
    { prefix: B, change: 'removed' },
  ]);
  assert.deepEqual(await m.remove([A, B]), [
    { prefix: A, change: 'already-absent' },
    { prefix: B, change: 'already-absent' },
  ]);
  assert.deepEqual(addressesIn(ns).filter((a) => a === A || a === B), []);
});

test('list ignores non-host addresses and canonicalizes IPv6', { skip: skip ?? false }, async () => {
  execFileSync('ip', ['-n', ns, 'addr', 'add', '203.0.113.0/24', 'dev', 'lo']);
  execFileSync('ip', ['-n', ns, 'addr', 'add', '2001:0db8:0:0::0002/128', 'dev', 'lo']);
  try {
    const seen = await new AddressManager({ interface: 'lo', netns: ns }).list();
    assert.ok(seen.has('2001:db8::2/128'), [...seen].join(' '));
    assert.ok(!seen.has('203.0.113.0/24') && !seen.has('203.0.113.0/32'));
  } finally {
    execFileSync('ip', ['-n', ns, 'addr', 'del', '203.0.113.0/24', 'dev', 'lo']);
    execFileSync('ip', ['-n', ns, 'addr', 'del', '2001:db8::2/128', 'dev', 'lo']);
  }
});

test('dry-run reports what it would change and changes nothing', { skip: skip ?? false }, async () => {
  const m = new AddressManager({ interface: 'lo', netns: ns, dryRun: true });
  assert.deepEqual(await m.add([A]), [{ prefix: A, change: 'would-add' }]);
  assert.ok(!addressesIn(ns).includes(A));
});

test('a missing interface is a clear error with a stable code', { skip: skip ?? false }, async () => {
  const m = new AddressManager({ interface: 'anycast0', netns: ns });
  await assert.rejects(m.add([A]), (err: unknown) => {
    assert.ok(err instanceof BallastError);
    assert.equal(err.code, 'E_HEALTH_ADDRESS');
    assert.match(err.message, /^Cannot list the addresses of anycast0: .*anycast0/);
    return true;
  });
});
