import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { STRATEGIES, type Server } from '../../src/fabric/types.js';
import { indexFabric, withAddedServer } from '../../src/forwarding/fabric-index.js';
import { runPlan } from '../../src/plan/plan.js';
import { elementItems, seedAddedServerItems } from '../../src/plan/elements.js';
import { capacityAdvice } from '../../src/plan/recommend.js';
import { fabricSpec, specToFabric } from '../support/random-fabric.js';

const drain = <T>(g: Generator<unknown, T>): T => {
  for (;;) {
    const s = g.next();
    if (s.done) return s.value;
  }
};

const added = fc.record({ leaf: fc.nat(), cap: fc.constantFrom(1, 2, 3.75, 16), state: fc.constantFrom('up', 'up', 'down'), prefixes: fc.array(fc.nat(), { maxLength: 3 }), unknown: fc.boolean() });

test('withAddedServer gives the index of the fabric with the server appended, as indexFabric builds it', () => {
  fc.assert(
    fc.property(fabricSpec, added, (spec, a) => {
      const fabric = specToFabric(spec);
      const leaf = fabric.leaves[a.leaf % fabric.leaves.length]!;
      // Repeated prefixes and one no service announces: indexFabric skips both.
      const prefixes = a.prefixes.map((p) => fabric.services[p % fabric.services.length]!.prefix.text);
      if (a.unknown) prefixes.push('203.0.113.250/32');
      const server: Server = { name: 'planned-x', leaf: leaf.name, asn: 65000, capacity: a.cap, prefixes, state: a.state as Server['state'] };
      const base = indexFabric(fabric);
      const fast = withAddedServer(base, server);
      const ref = indexFabric({ ...fabric, servers: [...fabric.servers, server] });
      assert.deepEqual(fast.fabric, ref.fabric);
      assert.deepEqual(fast.serverLeaf, ref.serverLeaf);
      assert.deepEqual(fast.serverCapacity, ref.serverCapacity);
      assert.deepEqual(fast.prefixes, ref.prefixes);
      assert.deepEqual([...fast.serverByName], [...ref.serverByName]);
      assert.deepEqual(fast.leafSpines, ref.leafSpines);
      // The sweep's interchangeable groups, derived from the base's, as grouped from scratch.
      for (const symmetry of [true, false]) assert.deepEqual(seedAddedServerItems(base, fast, symmetry), elementItems(ref, symmetry));
    }),
    { numRuns: 300 },
  );
});

test('the added server\'s items where the base fabric sweeps links and the variant, one server more, no longer does', async () => {
  const { GENERATE_DEFAULTS, generateFixture } = await import('../../src/fabric/generate.js');
  const { parseFixture } = await import('../../src/fabric/load.js');
  const { sweepsLinks } = await import('../../src/plan/elements.js');
  // 2 spines x 100 leaves = 200 links, 100 servers: links x servers = 20,000, the bound itself.
  const fabric = parseFixture(generateFixture({ ...GENERATE_DEFAULTS, spines: 2, leaves: 100, serversPerLeaf: 1, prefixes: 1 }), 'edge.yaml');
  const base = indexFabric(fabric);
  const server: Server = { ...fabric.servers[0]!, name: 'planned-x' };
  const fast = withAddedServer(base, server);
  const ref = indexFabric({ ...fabric, servers: [...fabric.servers, server] });
  assert.deepEqual([sweepsLinks(base), sweepsLinks(ref)], [true, false]);
  for (const symmetry of [true, false]) assert.deepEqual(seedAddedServerItems(base, fast, symmetry), elementItems(ref, symmetry));
});

test('capacity advice from the fabric index equals the advice from re-indexed fabrics, to the last digit', () => {
  fc.assert(
    fc.property(fabricSpec, fc.integer({ min: 1, max: 2 }), fc.constantFrom(...STRATEGIES), (spec, k, deciding) => {
      const fabric = specToFabric(spec);
      const o = { k, budget: 10_000, deciding, capacityCandidates: fabric.leaves.map((l) => l.name), uplinkScenarios: [] };
      let viaIndex;
      try {
        viaIndex = drain(capacityAdvice(fabric, { ...o, index: indexFabric(fabric) }));
      } catch (e) {
        // Parallel links: the sweep engine refuses both ways.
        assert.throws(() => drain(capacityAdvice(fabric, o)), { message: (e as Error).message });
        return;
      }
      assert.deepEqual(viaIndex, drain(capacityAdvice(fabric, o)));
    }),
    { numRuns: 200 },
  );
});

test('the plan takes the capacity baseline from the quantization sweep of the spines\' own model only when it is that sweep', () => {
  let reused = 0;
  fc.assert(
    fc.property(fabricSpec, fc.integer({ min: 1, max: 2 }), fc.boolean(), fc.constantFrom(50, 10_000), (spec, k, sameModel, budget) => {
      // Half the cases with every spine on one model (the baseline then comes from quantization).
      if (sameModel) for (const s of spec.spines) s.weights = spec.spines[0]!.weights;
      const fabric = specToFabric(spec);
      let plan;
      try {
        plan = runPlan(fabric, { fixture: 'x', k, strategies: [...STRATEGIES], budget, beamWidth: 4, keepWorst: 3, recommend: true });
      } catch {
        return; // parallel links: refused by the engine
      }
      const swept = drain(capacityAdvice(fabric, { k: plan.k, index: indexFabric(fabric), budget: Math.max(1, Math.floor(budget / 8)), deciding: 'ballast', capacityCandidates: [], uplinkScenarios: [] }));
      assert.equal(plan.recommendations.capacity!.baseFactor, swept.baseFactor);
      if (fabric.spines.every((s) => s.weights === fabric.spines[0]!.weights) && fabric.spines[0]!.weights !== 'ecmp') reused++;
    }),
    { numRuns: 80 },
  );
  assert.ok(reused > 10, `the reuse was exercised: ${reused} cases`);
});
