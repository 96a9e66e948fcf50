import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GENERATE_DEFAULTS, generateFixture } from '../../src/fabric/generate.js';
import { parseFixture } from '../../src/fabric/load.js';
import { STRATEGIES } from '../../src/fabric/types.js';
import { planSteps, runPlan, type PlanOptions, type PlanReport } from '../../src/plan/plan.js';
import { sweepPool } from '../../src/cli/sweep-pool.js';

/** Drive the plan's steps as the CLI does, awaiting worker threads. */
async function drive(steps: Generator<{ wait?: Promise<void> }, PlanReport>): Promise<PlanReport> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (step.value.wait) await step.value.wait;
  }
}

// Unequal servers, some down, prefixes on some servers only: ties and near-ties everywhere.
const fabric = parseFixture(generateFixture({ ...GENERATE_DEFAULTS, spines: 3, leaves: 9, serversPerLeaf: 4, prefixes: 3, prefixesPerServer: 2, capacities: [10, 20, 40], downFraction: 0.1, seed: 5 }), 'gen.yaml');
const options: PlanOptions = { fixture: 'gen.yaml', k: 2, strategies: [...STRATEGIES], budget: 1_000_000, beamWidth: 4, keepWorst: 5, recommend: false, symmetry: false };

test('the sweep on 1 and on 3 worker threads gives the same report, to the last scenario named', async () => {
  const one = runPlan(fabric, options);
  // minScenarios 1: use the threads even for this small fabric; chunks of a few dozen scenarios.
  const three = await drive(planSteps(fabric, { ...options, parallel: sweepPool(fabric, options.strategies, false, 3, 1) }));
  assert.ok(one.coverage.complete && one.coverage.representatives > 1000, `a real sweep: ${one.coverage.representatives} scenarios`);
  assert.deepEqual(three, one);
});

test('Ctrl-C on worker threads stops them and reports the partial coverage', async () => {
  let polls = 0;
  const report = await drive(planSteps(fabric, { ...options, shouldStop: () => ++polls > 1, parallel: sweepPool(fabric, options.strategies, false, 2, 1) }));
  assert.equal(report.coverage.interrupted, true);
  assert.equal(report.coverage.complete, false);
  assert.ok(report.coverage.evaluated < report.coverage.total, `${report.coverage.evaluated} of ${report.coverage.total}`);
});
