// End-to-end: a mixed fleet on real FRR (fixtures/rollout.yaml, `lab up --leaf-policy configured`):
// leaf1 on ballast (its agent writes the policy, its servers announce their capacity), leaf2 on FRR's
// num-multipaths route-map, leaf3 with no outbound policy at all; one spine per missing-bandwidth
// rule (spine1 FRR's default ecmp-fallback, spine2 skip-missing, spine3 default-weight-for-missing).
// Every kernel equals the prediction to the last weight after `up` and after a server failure on
// the ballast leaf, and 4000 flows split within 2 points. Own lab directory and namespace prefix.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fmt, FRR_ARGS, frrOf, labInstance, labSkip, testFixture, type Comparison } from './harness.js';

const skip = await labSkip();
const tmp = mkdtempSync(join(tmpdir(), 'ballast-lab-rollout-'));
const FIXTURE = testFixture('fixtures/rollout.yaml', tmp);
const L = labInstance('/run/ballast-lab-rollout', 'bro-');
// leaf1 4 x 1 Mbps (ballast, mbps-per-unit 0.1), leaf2 2 Mbps (2 paths), leaf3 no value.
// 8.4 spines floor(bw*100/sum), default-weight-for-missing unscaled 1; 10.3 max(1, floor(bw*254/max)).
const ten = frrOf('spine') === '10.3';
const SPINES = {
  up: { spine1: { leaf1: 1, leaf2: 1, leaf3: 1 }, spine2: ten ? { leaf1: 254, leaf2: 127 } : { leaf1: 66, leaf2: 33 }, spine3: ten ? { leaf1: 254, leaf2: 127, leaf3: 1 } : { leaf1: 66, leaf2: 33, leaf3: 1 } },
  // srv11 failed: leaf1's agent advertises 3 Mbps.
  srv11: { spine1: { leaf1: 1, leaf2: 1, leaf3: 1 }, spine2: ten ? { leaf1: 254, leaf2: 169 } : { leaf1: 60, leaf2: 40 }, spine3: ten ? { leaf1: 254, leaf2: 169, leaf3: 1 } : { leaf1: 60, leaf2: 40, leaf3: 1 } },
};

after(async () => {
  if (!skip) await L.lab(['down']);
  rmSync(tmp, { recursive: true, force: true });
});

const spines = (w: Comparison[]) => Object.fromEntries(w.filter((x) => x.role === 'spine').map((x) => [x.router, x.kernel]));
const show = (t: { diagnostic(m: string): void }, w: Comparison[], when: string) => {
  for (const x of w) t.diagnostic(`${when} ${x.prefix} ${x.router}: kernel ${fmt(x.kernel)}, predicted ${fmt(x.predicted)}`);
};

test('a mixed fleet (ballast, num-multipaths, no policy) under each missing-bandwidth rule: every kernel as predicted; traffic within 2 points', { skip }, async (t) => {
  t.after(() => L.lab(['down']));
  const started = performance.now();
  await L.ok(['up', FIXTURE, '--leaf-policy', 'configured', ...FRR_ARGS]);
  t.diagnostic(`up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const w0 = await L.weights();
  show(t, w0, 'up');
  assert.ok(w0.every((x) => x.equal), 'every kernel as predicted after up');
  assert.deepEqual(spines(w0), SPINES.up);
  await L.trafficWithin2Points('rollout', t);

  const r = await L.lab(['fail', 'srv11']);
  assert.equal(r.code, 0, r.stderr);
  const seconds = await L.until('srv11 failed, leaf1 re-advertised by its agent', 20_000);
  t.diagnostic(`every kernel as predicted ${seconds.toFixed(2)} s after fail returned`);
  const w1 = await L.weights();
  show(t, w1, 'srv11 failed');
  assert.deepEqual(spines(w1), SPINES.srv11);
});
