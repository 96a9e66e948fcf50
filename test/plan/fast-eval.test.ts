import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FLEET_STRATEGIES, STRATEGIES } from '../../src/fabric/types.js';
import { baseLiveness, indexFabric } from '../../src/forwarding/fabric-index.js';
import { evaluatePrefix } from '../../src/forwarding/shares.js';
import { loadMetrics } from '../../src/whatif/metrics.js';
import { metricsOf, newEvalResult, PrefixEvaluator } from '../../src/plan/fast-eval.js';
import { prefixSetIds, prefixSetTrie } from '../../src/plan/elements.js';
import { ScenarioState } from '../../src/plan/scenario-state.js';
import { groupSpines } from '../../src/plan/spine-groups.js';
import { fabricSpec, specToFabric, type FabricSpec } from '../support/random-fabric.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: fast ${a} vs reference ${b}`);

/**
 * Capacities x 0.75: some become fractional (1 -> 0.75, 5 -> 3.75), some stay whole (4 -> 3), so a
 * prefix's servers take the per-server path (fractional) or the per-capacity-class path (all whole).
 */
const fractional = (spec: FabricSpec): FabricSpec => ({ ...spec, leaves: spec.leaves.map((l) => ({ ...l, servers: l.servers.map((s) => ({ ...s, cap: s.cap * 0.75 })) })) });

test('the incremental evaluator gives the reference shares and metrics for random fabrics, failures, strategies, weight models, whole and fractional capacities', () => {
  let withFractions = 0;
  fc.assert(
    fc.property(fabricSpec, fc.boolean(), fc.boolean(), fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: 1, maxLength: 6 }), fc.array(fc.constantFrom(...STRATEGIES), { minLength: 8, maxLength: 8 }), (drawn, sameSpines, fractions, scenarios, own) => {
      const spec = fractions ? fractional(drawn) : drawn;
      // `configured`: each leaf on a drawn strategy of its own (a mixed fleet, paths with and without values).
      const mixed = specToFabric(spec, { sameSpines });
      const fabric = { ...mixed, leaves: mixed.leaves.map((l, i) => ({ ...l, strategy: own[i % own.length]! })) };
      if (fabric.servers.some((s) => !Number.isInteger(s.capacity))) withFractions++;
      const index = indexFabric(fabric);
      const groups = groupSpines(index);
      const sc = new ScenarioState(index, groups, 4);
      const nElements = sc.elementCount;
      const evaluators = index.prefixes.flatMap((_, pi) => FLEET_STRATEGIES.map((s) => new PrefixEvaluator(index, groups, pi, s, sc.leafDown)));
      const r1 = newEvalResult();
      const r2 = newEvalResult();
      // Several scenarios through the same evaluators: state must not leak from one to the next.
      for (const picks of scenarios) {
        const elements = picks.map((x) => x % nElements);
        sc.apply(elements, elements.length);
        const live = baseLiveness(index);
        for (const e of elements) {
          if (e < sc.nSpines) live.spine[e] = 0;
          else if (e < sc.nSpines + sc.nLeaves) live.leaf[e - sc.nSpines] = 0;
          else live.server[e - sc.nSpines - sc.nLeaves] = 0;
        }
        for (const ev of evaluators) {
          const p = index.prefixes[ev.prefix]!;
          const ref = evaluatePrefix(index, ev.prefix, ev.strategy, live);
          const leafShare = new Float64Array(fabric.leaves.length);
          const serverShare = new Float64Array(p.servers.length);
          const serverLive = new Uint8Array(p.servers.length);
          ev.materialize(sc, r1, leafShare, serverShare, serverLive);
          ev.evaluate(sc, r2);
          const where = `${ev.strategy} prefix ${ev.prefix} failing [${elements}]`;
          leafShare.forEach((x, l) => close(x, ref.leafShare[l]!, `${where} leaf ${l} share`));
          const onlyLeaves = new Float64Array(fabric.leaves.length);
          const leafCapacity = new Float64Array(fabric.leaves.length);
          ev.leafShares(sc, onlyLeaves, leafCapacity);
          onlyLeaves.forEach((x, l) => close(x, ref.leafShare[l]!, `${where} leaf ${l} share (leafShares)`));
          leafCapacity.forEach((x, l) => {
            let cap = 0;
            for (let k = p.leafStart[l]!; k < p.leafStart[l + 1]!; k++) if (ref.serverLive[k]) cap += index.serverCapacity[p.servers[k]!]!;
            close(x, cap, `${where} leaf ${l} live capacity`);
          });
          serverShare.forEach((x, k) => close(x, ref.serverShare[k]!, `${where} server ${k} share`));
          assert.deepEqual([...serverLive], [...ref.serverLive], `${where} server liveness`);
          const capacity = Float64Array.from(p.servers, (s) => index.serverCapacity[s]!);
          const want = loadMetrics(ref.serverShare, capacity, ref.serverLive, 10);
          for (const r of [r1, r2]) {
            const got = metricsOf(r, 10);
            close(got.maxUtilization, want.maxUtilization, `${where} maxUtilization`);
            close(got.maxOverIdeal, want.maxOverIdeal, `${where} maxOverIdeal`);
            close(got.jain, want.jain, `${where} jain`);
            close(got.safeLoad, want.safeLoad, `${where} safeLoad`);
            close(got.liveCapacity, want.liveCapacity, `${where} liveCapacity`);
            // The named saturating server really carries the maximum share per capacity.
            if (r.maxPerCap > 0) {
              const k = p.servers.indexOf(r.argServer);
              assert.ok(k >= 0 && ref.serverLive[k], `${where} saturating server is live`);
              close(ref.serverShare[k]! / capacity[k]!, r.maxPerCap, `${where} saturating server`);
            } else assert.equal(r.argServer, -1);
          }
        }
        sc.clear();
      }
    }),
    { numRuns: 300 },
  );
  // The per-server path must really have been exercised, not just drawn.
  assert.ok(withFractions >= 30, `only ${withFractions} of 300 fabrics had fractional capacities`);
});

test('prefix set ids from bit masks group servers exactly as the trie does', () => {
  fc.assert(
    fc.property(fabricSpec, (spec) => {
      const index = indexFabric(specToFabric(spec));
      const masks = prefixSetIds(index);
      const trie = prefixSetTrie(index, new Int32Array(index.serverLeaf.length), index.prefixes.length);
      for (let a = 0; a < masks.length; a++) {
        for (let b = a + 1; b < masks.length; b++) assert.equal(masks[a] === masks[b], trie[a] === trie[b], `servers ${a} and ${b}`);
      }
    }),
    { numRuns: 300 },
  );
});
