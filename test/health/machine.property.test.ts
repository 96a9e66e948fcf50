// Properties of the health state machine over random event sequences (fast-check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { initialState, isDrained, step, type HealthEvent, type ServiceSpec } from '../../src/health/machine.js';

const specs: ServiceSpec[] = [
  { name: 'a', prefixes: ['198.51.100.1/32'], checks: [{ name: 'x', rise: 2, fall: 3 }, { name: 'y', rise: 1, fall: 2 }] },
  { name: 'b', prefixes: ['203.0.113.1/32'], checks: [{ name: 'z', rise: 3, fall: 1 }] },
];

const event: fc.Arbitrary<HealthEvent> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ service: fc.constantFrom('a', 'b'), check: fc.constantFrom('x', 'y', 'z'), ok: fc.boolean() }).map(({ service, check, ok }): HealthEvent => ({ type: 'result', service, check, result: { ok, at: 0, durationMs: 1, detail: '' } })) },
  { weight: 1, arbitrary: fc.record({ service: fc.constantFrom<string | null>('a', 'b', null), reason: fc.constantFrom('r1', 'r2') }).map(({ service, reason }): HealthEvent => ({ type: 'drain', service, reason })) },
  { weight: 1, arbitrary: fc.constantFrom<string | null>('a', 'b', null).map((service): HealthEvent => ({ type: 'undrain', service })) },
  { weight: 1, arbitrary: fc.constantFrom<string | null>(null, 'cm').map((reason): HealthEvent => ({ type: 'drain-file', reason })) },
);

test('announce and withdraw alternate per service; never announced while drained or with a check not up; fall failures always withdraw', () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 200 }), (events) => {
      let state = initialState(specs, 0);
      const last = new Map<string, string>();
      // Consecutive failures per check, to know when `fall` is reached from an up check.
      events.forEach((e, i) => {
        const before = state;
        const out = step(state, specs, e, i + 1);
        state = out.state;
        for (const a of out.actions) {
          assert.notEqual(last.get(a.service), a.type, `two ${a.type}s in a row for ${a.service}`);
          last.set(a.service, a.type);
        }
        for (const s of state.services) {
          const spec = specs.find((x) => x.name === s.name)!;
          if (s.announced === true) {
            assert.ok(!isDrained(s), 'announced while drained');
            assert.ok(s.checks.every((c) => c.status === 'up'), 'announced with a check not up');
          }
          if (isDrained(s)) assert.equal(s.announced, false, 'a drained service is withdrawn');
          if (s.checks.some((c) => c.status === 'down')) assert.equal(s.announced, false, 'a down check means withdrawn');
          for (const c of s.checks) {
            const limits = spec.checks.find((x) => x.name === c.name)!;
            const prev = before.services.find((x) => x.name === s.name)!.checks.find((x) => x.name === c.name)!;
            if (prev.status === 'up' && c.failStreak >= limits.fall) assert.equal(c.status, 'down', 'fall failures take an up check down');
            if (c.status === 'up' && prev.status !== 'up') assert.ok(c.okStreak >= limits.rise, 'rise passes before up');
          }
        }
      });
    }),
    { numRuns: 300 },
  );
});
