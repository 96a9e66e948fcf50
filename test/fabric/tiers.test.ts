import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadFixture, parseFixture } from '../../src/fabric/load.js';
import { baseLiveness, indexFabric } from '../../src/forwarding/fabric-index.js';
import { evaluateFabricPrefix } from '../../src/forwarding/tiers.js';
import { runPlan } from '../../src/plan/plan.js';
import { STRATEGIES } from '../../src/fabric/types.js';
import { loadMetrics } from '../../src/whatif/metrics.js';

const pods = readFileSync('fixtures/pods.yaml', 'utf8');

test('pods.yaml: super-spines, pods, and leaves attached to their own pod\'s spines', () => {
  const f = loadFixture('fixtures/pods.yaml');
  assert.deepEqual(f.superspines!.map((s) => [s.name, s.asn, s.weights]), [['super1', 65050, 'frr8'], ['super2', 65050, 'frr8']]);
  assert.deepEqual(f.leaves.map((l) => `${l.name}@${l.pod}:${l.spines.join(',')}`), ['lfa1@a:spa1,spa2', 'lfa2@a:spa1,spa2', 'lfb1@b:spb1,spb2', 'lfb2@b:spb1,spb2']);
  assert.equal(loadFixture('fixtures/lab-421.yaml').superspines, undefined);
});

test('super-spines: a pod-less router, a leaf on another pod\'s spine, a shared AS are refused with their position', () => {
  const bad = (edit: (t: string) => string, code: string, re: RegExp) =>
    assert.throws(() => parseFixture(edit(pods), 'p.yaml'), (e: Error & { code?: string }) => e.code === code && re.test(e.message) && (e as Error & { position?: { line: number } }).position!.line > 0);
  bad((t) => t.replace('{ name: spb2, pod: b }', '{ name: spb2 }'), 'E_SCHEMA_MISSING', /spine "spb2" has no pod/);
  bad((t) => t.replace('{ name: lfb2, asn: 65204, pod: b }', '{ name: lfb2, asn: 65204 }'), 'E_SCHEMA_MISSING', /leaf "lfb2" has no pod/);
  bad((t) => t.replace('{ name: lfb2, asn: 65204, pod: b }', '{ name: lfb2, asn: 65204, pod: b, spines: [spb1, spa1] }'), 'E_SCHEMA_VALUE', /attaches to spine "spa1" of pod "a"/);
  bad((t) => t.replace('superspine: { asn: 65050', 'superspine: { asn: 65100'), 'E_SCHEMA_VALUE', /share AS 65100/);
});

test('tiers: border 50/50 over the super-spines, which weight the spines by the sums they re-advertise', () => {
  const f = loadFixture('fixtures/pods.yaml');
  const index = indexFabric(f);
  const live = baseLiveness(index);
  const { f: fwd, tiers } = evaluateFabricPrefix(index, 0, 'num-multipaths', live);
  // Each pod-a spine re-advertises its leaves' 4 + 2 server paths (6 Mbps), each pod-b spine 3 + 1:
  // 6/6/4/4 of 20 -> 30/30/20/20 on FRR 8.4, and each super-spine re-advertises 20.
  assert.deepEqual(tiers!.superAdvertised.advertisedMbps, [20, 20]);
  assert.deepEqual([...tiers!.superWeights[0]!], [30, 30, 20, 20]);
  assert.deepEqual([...tiers!.borderWeights], [50, 50]);
  // Every server gets 10 %: the tiers carry capacity, not fixed spine shares.
  for (const x of fwd.serverShare) assert.ok(Math.abs(x - 0.1) < 0.002, String(x));
});

test('plan sweeps a small fabric with super-spines through the tiers (pods.yaml, k = 1): every safe load is the reference\'s over every single failure, links too', () => {
  const fabric = loadFixture('fixtures/pods.yaml');
  const r = runPlan(fabric, { fixture: 'pods.yaml', k: 1, strategies: [...STRATEGIES], budget: 1e6, beamWidth: 4, keepWorst: 3, recommend: false });
  assert.equal(r.elements.links, 8 + 8, '8 leaf-spine and 8 spine/super-spine links');
  const index = indexFabric(fabric);
  const S = fabric.spines.length;
  const L = fabric.leaves.length;
  const N = fabric.servers.length;
  const singles: (number | null)[] = [null, ...Array.from({ length: S + L + N + index.linkLeaf.length + 2 * S }, (_, e) => e)];
  r.strategies.forEach((plan) => {
    index.prefixes.forEach((pi, p) => {
      let want = Infinity;
      const capacity = Float64Array.from(pi.servers, (x) => index.serverCapacity[x]!);
      for (const e of singles) {
        const live = baseLiveness(index);
        if (e !== null) {
          if (e < S) live.spine[e] = 0;
          else if (e < S + L) live.leaf[e - S] = 0;
          else if (e < S + L + N) live.server[e - S - L] = 0;
          else if (e < S + L + N + index.linkLeaf.length) live.link![e - S - L - N] = 0;
          else live.uplink![e - S - L - N - index.linkLeaf.length] = 0;
        }
        const f = evaluateFabricPrefix(index, p, plan.name, live).f;
        const m = loadMetrics(f.serverShare, capacity, f.serverLive, 1);
        if (m.liveCapacity > 0) want = Math.min(want, m.safeLoad);
      }
      const got = plan.prefixes[p]!.safeLoad;
      assert.ok(Math.abs(got - want) <= 1e-9 * want, `${plan.name} ${pi.service.prefix.text}: plan ${got}, reference ${want}`);
    });
  });
});

test('plan refuses a fabric with super-spines too large for whole-scenario evaluation, with a stable code', () => {
  const big = loadFixture('fixtures/pods.yaml');
  const many = { ...big, servers: Array.from({ length: 3000 }, (_, i) => ({ ...big.servers[i % 10]!, name: `x${i}` })) };
  assert.throws(() => runPlan(many, { fixture: 'x', k: 1, strategies: ['ballast'], budget: 10, beamWidth: 1, keepWorst: 1, recommend: false }), { code: 'E_TIERS_UNSUPPORTED' });
});
