/**
 * The fixed point the agent skips evaluations at (src/agent/fixed-point.ts): a state S that evaluating
 * gave back, with no deadline pending, evaluates to S and the same record at every later time, for the
 * same observation, drained servers and holdsAbsent. Checked over random observations (servers present
 * or not, admitted or not, with or without link-bandwidth, listed or not), histories (random
 * observations at random times from random or empty states, so that damping deadlines, holds, drains
 * and bgpd-restart graces are passed through) and times (also exactly the state's lastChangeAt, and
 * far beyond every damping period).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseAgentConfig } from '../../src/agent/config.js';
import { atFixedPoint } from '../../src/agent/fixed-point.js';
import type { PrefixObservation, ServerPathObservation } from '../../src/agent/observation.js';
import { EMPTY_PREFIX_STATE, evaluate, type PrefixState } from '../../src/agent/step.js';
import { capacityToMbps } from '../../src/policy/decide.js';
import { receivedBytesPerSecond } from '../../src/forwarding/weights.js';
import { GOOD } from './config-fixture.js';

const CONFIGS = [
  GOOD,
  GOOD.replace('mbps-per-unit: 100', 'mbps-per-unit: 100\n  fast-cut: false'),
  GOOD.replace('damping: { hold-down-seconds: 3, min-interval-seconds: 1 }', 'damping: { hold-down-seconds: 0, min-interval-seconds: 0 }'),
  GOOD.replace('damping: { hold-down-seconds: 3, min-interval-seconds: 1 }', 'damping: { hold-down-seconds: 30, min-interval-seconds: 20 }'),
].map((y) => parseAgentConfig(y, 'agent.yaml').reloadable);

/** Configured servers, one unlisted server (x14) and its capacity. */
const POOL = [
  { neighbor: 's11', name: 's11', capacity: 10, listed: true },
  { neighbor: 's12', name: 's12', capacity: 10, listed: true },
  { neighbor: 's13', name: 'big', capacity: 20, listed: true },
  { neighbor: 'x14', name: 'x14', capacity: 10, listed: false },
];

const serverObs = (k: number, prefixIndex: number) =>
  fc.record({ present: fc.boolean(), admitted: fc.boolean(), lb: fc.constantFrom('own', 'none', 'other') }).map(({ present, admitted, lb }): ServerPathObservation | null => {
    const s = POOL[k]!;
    if (!present) return null;
    // big (s13) serves only the first prefix.
    const listed = s.listed && !(s.neighbor === 's13' && prefixIndex !== 0);
    const bandwidthBytes = lb === 'none' ? null : lb === 'own' ? receivedBytesPerSecond(capacityToMbps(CONFIGS[0]!.policy, s.capacity)) : 12345;
    return { neighbor: s.neighbor, name: s.name, capacity: s.capacity, asn: 65300, listed, bandwidthBytes, admitted };
  });

const observation = (cfgIndex: number, prefixIndex: number) =>
  fc.tuple(...POOL.map((_, k) => serverObs(k, prefixIndex))).map((xs): PrefixObservation => ({ prefix: CONFIGS[cfgIndex]!.prefixes[prefixIndex]!, servers: xs.filter((x) => x !== null) }));

const neighborSet = fc.subarray(POOL.map((s) => s.neighbor)).map((xs) => new Set(xs));

/** One evaluation's other inputs and its time step. */
const stepInputs = (cfgIndex: number, prefixIndex: number) =>
  fc.record({ obs: observation(cfgIndex, prefixIndex), dt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40_000 })), drained: neighborSet, holdsAbsent: fc.boolean() });

const scenario = fc
  .record({ cfgIndex: fc.integer({ min: 0, max: CONFIGS.length - 1 }), prefixIndex: fc.integer({ min: 0, max: 1 }) })
  .chain(({ cfgIndex, prefixIndex }) =>
    fc.record({
      cfgIndex: fc.constant(cfgIndex),
      history: fc.array(stepInputs(cfgIndex, prefixIndex), { minLength: 0, maxLength: 6 }),
      last: stepInputs(cfgIndex, prefixIndex),
      t0: fc.integer({ min: 0, max: 1_000_000 }),
      // Later times: a little later, the damping periods' edges, far later.
      later: fc.array(fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.constantFrom(999, 1000, 1001, 2999, 3000, 3001, 20_000, 30_000), fc.integer({ min: 0, max: 10_000_000 })), { minLength: 1, maxLength: 6 }),
    }),
  );

/** Deep equality that tells Sets apart by content (assert's deepStrictEqual does). */
const same = (a: unknown, b: unknown, what: string) => assert.deepStrictEqual(a, b, what);

test('a fixed point evaluates to itself and the same record at every later time', () => {
  const found = { fixed: 0, withHeld: 0, withDrained: 0, inGrace: 0 };
  fc.assert(
    fc.property(scenario, ({ cfgIndex, history, last, t0, later }) => {
      const cfg = CONFIGS[cfgIndex]!;
      // A history of random observations, then the last observation evaluated until it settles.
      let st: PrefixState = EMPTY_PREFIX_STATE;
      let t = t0;
      for (const h of history) {
        t += h.dt;
        st = evaluate(cfg, h.obs, st, t, h.drained, h.holdsAbsent).state;
      }
      const { obs, drained, holdsAbsent } = last;
      for (let i = 0; i < 4; i++) {
        t += last.dt;
        const r = evaluate(cfg, obs, st, t, drained, holdsAbsent);
        if (atFixedPoint(st, r)) {
          found.fixed++;
          if (r.state.held.size > 0) found.withHeld++;
          if (drained.size > 0) found.withDrained++;
          if (!holdsAbsent) found.inGrace++;
          for (const d of later) {
            for (const from of [st, r.state]) {
              const again = evaluate(cfg, obs, from, t + d, drained, holdsAbsent);
              same(again.state, r.state, `state at +${d} ms`);
              same(again.record, r.record, `record at +${d} ms`);
              same([again.released, again.reheld], [[], []], 'nothing released or re-held');
              assert.ok(atFixedPoint(from, again), 'still a fixed point');
            }
          }
          return;
        }
        st = r.state;
      }
    }),
    { numRuns: 3000, seed: 20261202 },
  );
  // The property must have been exercised, also with holds, drains and the restart grace. (A returned
  // server waiting beside admitted ones is never a fixed point: damp() holds it with a deadline or releases it.)
  assert.ok(found.fixed > 1000, JSON.stringify(found));
  for (const [k, n] of Object.entries(found)) assert.ok(n > 20, `${k}: ${JSON.stringify(found)}`);
});

test('a pending deadline, a release or a re-hold is never a fixed point', () => {
  const cfg = CONFIGS[0]!;
  const obs = (admitted: Record<string, boolean>): PrefixObservation => ({
    prefix: cfg.prefixes[0]!,
    servers: Object.entries(admitted).map(([n, a]) => ({ neighbor: n, name: n === 's13' ? 'big' : n, capacity: n === 's13' ? 20 : 10, asn: 65300, listed: true, bandwidthBytes: null, admitted: a })),
  });
  // s13 absent, then back but held (not admitted): its raise waits for the hold-down.
  const s0 = evaluate(cfg, obs({ s11: true, s12: true }), EMPTY_PREFIX_STATE, 0).state;
  const s1 = evaluate(cfg, obs({ s11: true, s12: true }), s0, 10).state;
  const waiting = evaluate(cfg, obs({ s11: true, s12: true, s13: false }), s1, 20);
  assert.notEqual(waiting.state.nextCheckAt, null, 'a hold-down deadline');
  const again = evaluate(cfg, obs({ s11: true, s12: true, s13: false }), waiting.state, 30);
  assert.equal(atFixedPoint(waiting.state, again), false, 'a deadline pending: not fixed, however equal the state');
  const released = evaluate(cfg, obs({ s11: true, s12: true, s13: false }), waiting.state, 5000);
  assert.deepEqual(released.released, ['s13'], 'released at the deadline');
  assert.equal(atFixedPoint(waiting.state, released), false);
  // A drained admitted server is re-held at every evaluation until FRR moves its path out.
  const drained = evaluate(cfg, obs({ s11: true, s12: true }), s1, 40, new Set(['s11']));
  const drainedAgain = evaluate(cfg, obs({ s11: true, s12: true }), drained.state, 50, new Set(['s11']));
  assert.deepEqual(drainedAgain.reheld, ['s11']);
  assert.equal(atFixedPoint(drained.state, drainedAgain), false);
  // The settled state without them is one.
  assert.equal(atFixedPoint(s0, evaluate(cfg, obs({ s11: true, s12: true }), s1, 60)), true);
  assert.equal(s1 === s0, false);
});
