import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFixture } from '../../src/fabric/load.js';
import { GENERATE_DEFAULTS, generateFixture, type GenerateOptions } from '../../src/fabric/generate.js';
import { MAX_BANDWIDTH_MBPS } from '../../src/fabric/types.js';
import { BallastError } from '../../src/util/errors.js';

const gen = (over: Partial<GenerateOptions> = {}): string => generateFixture({ ...GENERATE_DEFAULTS, spines: 4, leaves: 6, serversPerLeaf: 5, prefixes: 3, ...over });

test('the generator is deterministic from its seed, and the seed matters once something is drawn', () => {
  assert.equal(gen({ seed: 7, capacities: [10, 20, 40] }), gen({ seed: 7, capacities: [10, 20, 40] }));
  assert.notEqual(gen({ seed: 7, capacities: [10, 20, 40] }), gen({ seed: 8, capacities: [10, 20, 40] }));
});

test('the loader accepts what the generator writes, with the requested shape', () => {
  const f = parseFixture(gen({ capacities: [10, 40], prefixesPerServer: 2, downFraction: 0.2, spinesPerLeaf: 2, uplinkCapacity: 400, seed: 3 }), 'gen.yaml');
  assert.equal(f.spines.length, 4);
  assert.equal(f.leaves.length, 6);
  assert.equal(f.servers.length, 30);
  assert.equal(f.services.length, 3);
  assert.ok(f.servers.every((s) => s.prefixes.length === 2));
  assert.ok(f.leaves.every((l) => l.spines.length === 2 && l.uplinkCapacity === 400));
  assert.ok(f.servers.some((s) => s.state === 'down'));
  // The scale fits FRR's range for the fullest leaf of any prefix, and the loader did not have to derive it.
  assert.equal(f.policy.mbpsPerUnitDerived, false);
  for (const service of f.services) {
    const perLeaf = new Map<string, number>();
    for (const s of f.servers) if (s.prefixes.includes(service.prefix.text)) perLeaf.set(s.leaf, (perLeaf.get(s.leaf) ?? 0) + s.capacity);
    for (const cap of perLeaf.values()) assert.ok(cap * f.policy.mbpsPerUnit <= MAX_BANDWIDTH_MBPS);
  }
});

test('a fabric whose smallest server would advertise under 1 Mbps is refused with a usage error', () => {
  assert.throws(() => gen({ serversPerLeaf: 4000, capacities: [1, 100000] }), (err: unknown) => err instanceof BallastError && err.code === 'E_USAGE' && /less than 1 Mbps/.test(err.message));
});
