/**
 * Random small fabrics for property tests, written as fixture YAML so the loader is part of what
 * is tested. Shared by the reference model's properties and the fast evaluator's equivalence test.
 */
import fc from 'fast-check';
import { parseFixture } from '../../src/fabric/load.js';
import { MISSING_BANDWIDTH, POLICY_MODES, WEIGHT_MODELS, type Fabric } from '../../src/fabric/types.js';

/**
 * How a router's weight model is written: an explicit `weights:` (the override) or, as users
 * write it, the FRR version it runs (with the 16-bit option where FRR has it).
 */
export const ROUTER_WEIGHTS = [...WEIGHT_MODELS.map((m) => `weights: ${m}`), 'frr: "8.4.4"', 'frr: "10.0.3"', 'frr: "10.3"', 'frr: "10.6.0"', 'frr: "10.6.0", nexthop-weight-16-bit: true'];

export interface FabricSpec {
  /** weights: one of ROUTER_WEIGHTS. */
  spines: { weights: string; missing: string; ingress: number }[];
  leaves: { spines: boolean[]; weights: string; servers: { cap: number; state: string; prefixes: boolean[] }[] }[];
  prefixes: number;
  mode: string;
  weightServers: boolean;
  belowFraction: number;
  belowServers: number;
}

export const fabricSpec: fc.Arbitrary<FabricSpec> = fc.integer({ min: 1, max: 4 }).chain((nSpines) =>
  fc.integer({ min: 1, max: 2 }).chain((prefixes) =>
    fc.record({
      spines: fc.array(fc.record({ weights: fc.constantFrom(...ROUTER_WEIGHTS), missing: fc.constantFrom(...MISSING_BANDWIDTH), ingress: fc.constantFrom(1, 1, 2, 3) }), { minLength: nSpines, maxLength: nSpines }),
      leaves: fc.array(
        fc.record({
          spines: fc.array(fc.boolean(), { minLength: nSpines, maxLength: nSpines }),
          weights: fc.constantFrom(...ROUTER_WEIGHTS),
          servers: fc.array(fc.record({ cap: fc.constantFrom(1, 2, 4, 5, 10, 16), state: fc.constantFrom('up', 'up', 'up', 'down', 'drained'), prefixes: fc.array(fc.boolean(), { minLength: prefixes, maxLength: prefixes }) }), { maxLength: 6 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      prefixes: fc.constant(prefixes),
      mode: fc.constantFrom(...POLICY_MODES),
      weightServers: fc.boolean(),
      belowFraction: fc.constantFrom(0, 0.25, 0.5, 0.75),
      belowServers: fc.constantFrom(0, 0, 2),
    }),
  ),
);

export interface YamlOptions {
  /** The order entries of each list are written in (identity by default). */
  readonly order?: (n: number) => number[];
  /** Give every spine the first spine's model and attach every leaf to every spine. */
  readonly sameSpines?: boolean;
}

const identity = (n: number) => [...Array(n).keys()];

export function specToYaml(spec: FabricSpec, options: YamlOptions = {}): string {
  const order = options.order ?? identity;
  const same = options.sameSpines ?? false;
  const lines: string[] = ['spines:'];
  for (const i of order(spec.spines.length)) {
    const s = spec.spines[i]!;
    const t = same ? spec.spines[0]! : s;
    lines.push(`  - { name: sp${i}, ${t.weights}, missing-bandwidth: ${t.missing}, ingress: ${s.ingress} }`);
  }
  lines.push('leaves:');
  for (const i of order(spec.leaves.length)) {
    const l = spec.leaves[i]!;
    const spines = l.spines.map((on, s) => (on || same ? `sp${s}` : '')).filter(Boolean);
    lines.push(`  - { name: lf${i}, asn: ${65201 + i}, ${l.weights}, spines: [${spines.join(', ')}] }`);
  }
  const servers: string[] = [];
  spec.leaves.forEach((l, li) => l.servers.forEach((s, si) => {
    const prefixes = s.prefixes.map((on, p) => (on ? `198.51.100.${p + 1}/32` : '')).filter(Boolean);
    servers.push(`  - { name: sv${li}x${si}, leaf: lf${li}, capacity: ${s.cap}, state: ${s.state}, prefixes: [${(prefixes.length ? prefixes : ['198.51.100.1/32']).join(', ')}] }`);
  }));
  lines.push(servers.length ? 'servers:' : 'servers: []', ...order(servers.length).map((i) => servers[i]!));
  lines.push('services:');
  for (const p of order(spec.prefixes)) lines.push(`  - { prefix: 198.51.100.${p + 1}/32, load: 10 }`);
  lines.push('policy:', `  mode: ${spec.mode}`, '  mbps-per-unit: 10', `  weight-servers: ${spec.weightServers}`, `  prepend: { below-fraction: ${spec.belowFraction}, below-servers: ${spec.belowServers} }`);
  return `${lines.join('\n')}\n`;
}

export function specToFabric(spec: FabricSpec, options: YamlOptions = {}): Fabric {
  return parseFixture(specToYaml(spec, options), 'random.yaml');
}
