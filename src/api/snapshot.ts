/**
 * `ballast snapshot`: the live state of one or several agents written as a planner fixture, so the
 * what-if and the capacity planner run on what is really there. Pure: agent states in, YAML out.
 */
import { stringify } from 'yaml';
import type { GetStateResponse } from '../gen/ballast/v1/agent.js';
import type { MissingBandwidth, WeightModel } from '../fabric/types.js';
import { BallastError } from '../util/errors.js';

export interface SnapshotOptions {
  /** How the spines weight link-bandwidth (agents cannot see the spines' FRR version). */
  readonly spineWeights: WeightModel;
  readonly missingBandwidth: MissingBandwidth;
  /** Offered load per prefix; 0 when not given. */
  readonly load: ReadonlyMap<string, number>;
  readonly unit: string;
  readonly name: string;
}

export interface Snapshot {
  readonly yaml: string;
  /** Things the reader should know: policies that differ between leaves, servers seen twice. */
  readonly warnings: string[];
}

export function snapshotFixture(states: readonly GetStateResponse[], options: SnapshotOptions): Snapshot {
  if (states.length === 0) throw new BallastError('E_USAGE', 'Cannot write a snapshot of no agent: name at least one with --agent');
  const warnings: string[] = [];
  const first = states[0]!;
  const leaves = new Map<string, GetStateResponse>();
  for (const s of states) {
    if (leaves.has(s.leaf)) throw new BallastError('E_USAGE', `Cannot write a snapshot: two agents report leaf "${s.leaf}"`);
    leaves.set(s.leaf, s);
    if (s.mbpsPerUnit !== first.mbpsPerUnit) warnings.push(`leaf ${s.leaf} uses mbps-per-unit ${s.mbpsPerUnit}, ${first.leaf} ${first.mbpsPerUnit}: their link-bandwidth values are not comparable; the snapshot uses ${first.mbpsPerUnit}`);
    if (JSON.stringify(s.policy) !== JSON.stringify(first.policy)) warnings.push(`leaf ${s.leaf} runs a different policy than ${first.leaf}; the snapshot uses ${first.leaf}'s`);
  }
  const spines = [...new Set(states.flatMap((s) => s.spines))].sort();
  if (spines.length === 0) throw new BallastError('E_USAGE', 'Cannot write a snapshot: no agent reports a spine peer');

  interface ServerEntry { name: string; leaf: string; asn: number; capacity: number; prefixes: string[]; state: 'up' | 'down' | 'drained' }
  const servers = new Map<string, ServerEntry>();
  const prefixes = new Set<string>();
  for (const s of states) {
    for (const p of s.prefixes) {
      prefixes.add(p.prefix);
      for (const srv of p.servers) {
        const key = srv.name;
        const state = srv.drained || s.leafDrained ? 'drained' : srv.healthy ? 'up' : 'down';
        const known = servers.get(key);
        if (known && known.leaf !== s.leaf) {
          warnings.push(`server ${srv.name} is reported by ${known.leaf} and ${s.leaf}; kept on ${known.leaf}`);
          continue;
        }
        if (known) {
          known.prefixes.push(p.prefix);
          // A server down for one prefix but up for another is up: per-prefix health lives in its prefixes list.
          if (state === 'up') known.state = 'up';
          continue;
        }
        servers.set(key, { name: srv.name, leaf: s.leaf, asn: srv.asn || 65300, capacity: srv.capacity, prefixes: [p.prefix], state });
      }
    }
  }
  const policy = first.policy;
  const doc = {
    name: options.name,
    unit: options.unit,
    spines: spines.map((name) => ({ name, weights: options.spineWeights, 'missing-bandwidth': options.missingBandwidth })),
    leaves: [...leaves.values()].map((s) => ({ name: s.leaf, asn: s.asn, spines: [...s.spines].sort() })),
    servers: [...servers.values()].map((s) => ({ name: s.name, leaf: s.leaf, asn: s.asn, capacity: s.capacity, prefixes: s.prefixes, state: s.state })),
    services: [...prefixes].map((prefix) => ({ prefix, load: options.load.get(prefix) ?? 0 })),
    policy: {
      mode: policy?.mode ?? 'link-bandwidth',
      'mbps-per-unit': first.mbpsPerUnit,
      'weight-servers': policy?.weightServers ?? true,
      prepend: { 'below-fraction': policy?.prependBelowFraction ?? 0, 'below-servers': policy?.prependBelowServers ?? 0, length: policy?.prependLength ?? 2 },
      damping: { 'hold-down-seconds': policy?.holdDownSeconds ?? 10, 'min-interval-seconds': policy?.minIntervalSeconds ?? 1, 'min-change-fraction': policy?.minChangeFraction ?? 0 },
    },
  };
  const header = `# Snapshot of ${states.length} ballast agent${states.length === 1 ? '' : 's'} (${[...leaves.keys()].join(', ')}), taken ${new Date().toISOString()}.\n# Spine weight model assumed: ${options.spineWeights}. Offered loads are 0 unless given with --load.\n`;
  return { yaml: header + stringify(doc, { flowCollectionPadding: true, lineWidth: 0 }), warnings };
}
