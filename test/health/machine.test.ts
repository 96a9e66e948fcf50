import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  desiredAddresses,
  exitActions,
  initialCheck,
  initialState,
  step,
  stepCheck,
  type Action,
  type HealthEvent,
  type HealthState,
  type ServiceSpec,
} from '../../src/health/machine.js';

const ok = (at: number) => ({ ok: true, at, durationMs: 1, detail: 'ok' });
const bad = (at: number) => ({ ok: false, at, durationMs: 1, detail: 'connection refused' });

test('a check rises after rise passes and falls after fall failures, counting transitions', () => {
  const limits = { rise: 2, fall: 3 };
  let c = initialCheck('http', 0);
  c = stepCheck(c, limits, ok(1), 1);
  assert.equal(c.status, 'init');
  c = stepCheck(c, limits, ok(2), 2);
  assert.equal(c.status, 'up');
  assert.equal(c.since, 2);
  c = stepCheck(c, limits, bad(3), 3);
  c = stepCheck(c, limits, bad(4), 4);
  assert.equal(c.status, 'up', 'two failures of three do not take it down');
  c = stepCheck(c, limits, ok(5), 5);
  c = stepCheck(c, limits, bad(6), 6);
  c = stepCheck(c, limits, bad(7), 7);
  assert.equal(c.status, 'up', 'a pass in between resets the failure streak');
  c = stepCheck(c, limits, bad(8), 8);
  assert.equal(c.status, 'down');
  c = stepCheck(c, limits, ok(9), 9);
  assert.equal(c.status, 'down');
  c = stepCheck(c, limits, ok(10), 10);
  assert.equal(c.status, 'up');
  assert.deepEqual(c.transitions, { up: 2, down: 1 });
  assert.equal(c.runs, 10);
  assert.equal(c.failures, 5);
});

test('a failure before the first verdict is down at once', () => {
  const c = stepCheck(initialCheck('tcp', 0), { rise: 3, fall: 3 }, bad(1), 1);
  assert.equal(c.status, 'down');
  assert.deepEqual(c.transitions, { up: 0, down: 1 });
});

const specs: ServiceSpec[] = [
  { name: 'web', prefixes: ['198.51.100.1/32', '2001:db8::1/128'], checks: [{ name: 'http', rise: 2, fall: 2 }, { name: 'tcp', rise: 1, fall: 1 }] },
  { name: 'dns', prefixes: ['203.0.113.53/32'], checks: [{ name: 'cmd', rise: 1, fall: 1 }] },
];

/** Feed events in order; collect every action. */
function run(events: readonly HealthEvent[], start: HealthState = initialState(specs, 0)) {
  let state = start;
  const actions: Action[] = [];
  const transitions = [];
  let now = 0;
  for (const e of events) {
    now += 1;
    const s = step(state, specs, e, now);
    state = s.state;
    actions.push(...s.actions);
    transitions.push(...s.transitions);
  }
  return { state, actions, transitions };
}
const r = (service: string, check: string, pass: boolean): HealthEvent => ({ type: 'result', service, check, result: pass ? ok(0) : bad(0) });

test('addresses are announced only once every check of the service has risen', () => {
  const { state, actions } = run([r('web', 'http', true), r('web', 'tcp', true)]);
  assert.deepEqual(actions, [], 'http has one pass of two: still pending');
  assert.equal(state.services[0]?.verdict, 'pending');
  assert.equal(state.services[0]?.announced, null, 'pending leaves the interface as found');
  const next = run([r('web', 'http', true)], state);
  assert.deepEqual(next.actions, [{ type: 'announce', service: 'web', prefixes: ['198.51.100.1/32', '2001:db8::1/128'] }]);
  assert.equal(next.state.services[1]?.announced, null, 'the other service is untouched');
});

test('one failing check of several withdraws the service; recovery re-announces once', () => {
  const up = run([r('web', 'http', true), r('web', 'http', true), r('web', 'tcp', true)]).state;
  const down = run([r('web', 'tcp', false), r('web', 'tcp', false)], up);
  assert.deepEqual(down.actions, [{ type: 'withdraw', service: 'web', prefixes: ['198.51.100.1/32', '2001:db8::1/128'], reason: 'unhealthy' }]);
  assert.deepEqual(
    down.transitions.map((t) => t.type),
    ['check', 'verdict'],
    'the second failure is no transition',
  );
  const back = run([r('web', 'tcp', true), r('web', 'tcp', true)], down.state);
  assert.deepEqual(back.actions.map((a) => a.type), ['announce']);
});

test('a failure at start-up withdraws whatever a previous run left', () => {
  const { actions, state } = run([r('dns', 'cmd', false)]);
  assert.deepEqual(actions, [{ type: 'withdraw', service: 'dns', prefixes: ['203.0.113.53/32'], reason: 'unhealthy' }]);
  assert.deepEqual(desiredAddresses(state), { present: [], absent: ['203.0.113.53/32'] });
});

test('drain withdraws a healthy service; undrain returns it only after rise fresh passes', () => {
  const up = run([r('web', 'http', true), r('web', 'http', true), r('web', 'tcp', true)]).state;
  const drained = run([{ type: 'drain', service: null, reason: 'kernel upgrade' }], up);
  assert.deepEqual(
    drained.actions.map((a) => [a.type, a.service, a.type === 'withdraw' ? a.reason : '']),
    [['withdraw', 'web', 'drained'], ['withdraw', 'dns', 'drained']],
    'a drained service is withdrawn even while pending: whatever a previous run left must go',
  );
  assert.equal(drained.state.services[1]?.drains.command?.reason, 'kernel upgrade');
  const checksStillRun = run([r('web', 'http', true), r('web', 'tcp', true)], drained.state);
  assert.deepEqual(checksStillRun.actions, [], 'passes while drained announce nothing');
  const undrained = run([{ type: 'undrain', service: null }], checksStillRun.state);
  assert.deepEqual(undrained.actions, [], 'no address right at undrain');
  assert.equal(undrained.state.services[0]?.verdict, 'pending');
  const one = run([r('web', 'http', true), r('web', 'tcp', true)], undrained.state);
  assert.deepEqual(one.actions, [], 'http has 1 of rise 2 fresh passes');
  const two = run([r('web', 'http', true)], one.state);
  assert.deepEqual(two.actions.map((a) => a.type), ['announce']);
  assert.equal(two.state.services[0]?.verdict, 'healthy');
});

test('drain of one service leaves the others; the drain file and the command are separate sources', () => {
  const up = run([r('web', 'http', true), r('web', 'http', true), r('web', 'tcp', true), r('dns', 'cmd', true)]).state;
  const a = run([{ type: 'drain', service: 'dns', reason: 'maintenance' }], up);
  assert.deepEqual(a.actions.map((x) => [x.type, x.service]), [['withdraw', 'dns']]);
  const b = run([{ type: 'drain-file', reason: 'cm says so' }, { type: 'undrain', service: null }], a.state);
  assert.deepEqual(b.actions.map((x) => [x.type, x.service]), [['withdraw', 'web']]);
  assert.equal(b.state.services[1]?.drains.file?.reason, 'cm says so', 'undrain by command does not remove the file drain');
  const c = run([{ type: 'drain-file', reason: null }, r('web', 'http', true), r('web', 'http', true), r('web', 'tcp', true), r('dns', 'cmd', true)], b.state);
  assert.deepEqual(c.actions.map((x) => [x.type, x.service]), [['announce', 'web'], ['announce', 'dns']]);
});

test('a drain repeated with the same reason is no transition; unknown services and checks change nothing', () => {
  const a = run([{ type: 'drain', service: 'web', reason: 'x' }]);
  const b = run([{ type: 'drain', service: 'web', reason: 'x' }, r('nope', 'http', false), r('web', 'nope', false)], a.state);
  assert.deepEqual(b.transitions, []);
  assert.deepEqual(b.actions, []);
});

test('a check going down during probation withdraws nothing twice and rises normally afterwards', () => {
  const up = run([r('dns', 'cmd', true)]).state;
  const s = run([{ type: 'drain', service: 'dns', reason: 'r' }, { type: 'undrain', service: 'dns' }, r('dns', 'cmd', false)], up);
  assert.deepEqual(s.actions.map((a) => a.type), ['withdraw'], 'withdrawn once, by the drain');
  assert.equal(s.state.services[1]?.verdict, 'unhealthy');
  const back = run([r('dns', 'cmd', true)], s.state);
  assert.deepEqual(back.actions.map((a) => a.type), ['announce']);
});

test('exit withdraws every configured prefix by default and nothing with leave', () => {
  const state = initialState(specs, 0);
  assert.deepEqual(exitActions(state, 'withdraw').map((a) => a.prefixes), [['198.51.100.1/32', '2001:db8::1/128'], ['203.0.113.53/32']]);
  assert.deepEqual(exitActions(state, 'leave'), []);
});
