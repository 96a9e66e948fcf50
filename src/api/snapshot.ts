/**
 * `ballast snapshot`: the live state of one or several agents written as a planner fixture, so the
 * what-if and the capacity planner run on what is really there. Pure: agent states in, YAML out.
 * Observers among the states (one per spine) tell each spine's FRR version, which the fixture
 * carries as the spine's `frr:`, so its weights are predicted with that version's model (an 8.4
 * spine `floor(bw*100/sum)`, a 10.3 one `floor(bw*254/max)`).
 */
import { stringify } from 'yaml';
import type { GetStateResponse } from '../gen/ballast/v1/agent.js';
import type { MissingBandwidth, WeightModel } from '../fabric/types.js';
import { BallastError } from '../util/errors.js';
import { linksDown } from './render.js';

export interface SnapshotOptions {
  /** How every spine weights link-bandwidth, overriding what the observers report. */
  readonly spineWeights?: WeightModel;
  /** The FRR version of spines without an observer among the states; default 8.4 (with a warning). */
  readonly spineFrr?: string;
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

/** How a spine is written: explicit weights, or its FRR version (from its observer, or assumed). */
function spineEntry(name: string, observers: ReadonlyMap<string, GetStateResponse>, options: SnapshotOptions, warnings: string[]): { weights: WeightModel } | { frr: string } {
  if (options.spineWeights) return { weights: options.spineWeights };
  const seen = observers.get(name)?.frrVersion;
  if (seen) return { frr: seen };
  if (options.spineFrr) return { frr: options.spineFrr };
  warnings.push(`spine ${name}: no observer named it, so FRR 8.4's weights are assumed; add its observer with --agent, or give --spine-frr or --spine-weights`);
  return { weights: 'frr8' };
}

export function snapshotFixture(all: readonly GetStateResponse[], options: SnapshotOptions): Snapshot {
  // Observers (spines) have no servers to snapshot: the servers are the leaves' view; observers give
  // their router's FRR version.
  const states = all.filter((s) => s.role !== 'observer');
  const observers = new Map(all.filter((s) => s.role === 'observer').map((s) => [s.node, s]));
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
  const spineDocs = spines.map((name) => ({ name, ...spineEntry(name, observers, options, warnings), 'missing-bandwidth': options.missingBandwidth }));
  const models = [...new Set(spineDocs.map((d) => ('weights' in d ? `weights ${d.weights}` : `FRR ${d.frr}`)))].join(', ');
  const doc = {
    name: options.name,
    unit: options.unit,
    spines: spineDocs,
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
  // A fixture has no link state (failures are what-if scenarios): links down now are named, with the what-if that evaluates them.
  const down = states.flatMap((s) => linksDown(s).map((l) => l.link));
  for (const s of states) for (const l of linksDown(s)) warnings.push(`link ${l.link} is down (${l.detail}): the snapshot lists it as up; evaluate it with whatif --fail ${l.link}`);
  const linkLine = down.length ? `# Links down now (BGP session not Established): ${down.join(', ')}; whatif FILE --fail ${down.join(',')}\n` : '';
  const header = `# Snapshot of ${states.length} ballast agent${states.length === 1 ? '' : 's'} (${[...leaves.keys()].join(', ')}), taken ${new Date().toISOString()}.\n# Spines: ${models}. Offered loads are 0 unless given with --load.\n${linkLine}`;
  return { yaml: header + stringify(doc, { flowCollectionPadding: true, lineWidth: 0 }), warnings };
}
