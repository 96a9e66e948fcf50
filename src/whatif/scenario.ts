/** Failure scenarios: names of servers, leaves and spines to take down, as a Liveness mask. */
import type { FabricIndex, Liveness } from '../forwarding/fabric-index.js';
import { baseLiveness } from '../forwarding/fabric-index.js';
import { BallastError, quote } from '../util/errors.js';

export type ElementKind = 'spine' | 'leaf' | 'server';

export interface Failure {
  readonly kind: ElementKind;
  readonly name: string;
  readonly index: number;
}

/** Resolve names to elements; an unknown name is a usage error that suggests the closest names. */
export function resolveFailures(index: FabricIndex, names: readonly string[]): Failure[] {
  const out: Failure[] = [];
  const seen = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    const hit = lookup(index, name);
    if (!hit) {
      const all = [...index.spineByName.keys(), ...index.leafByName.keys(), ...index.serverByName.keys()];
      const near = all.filter((n) => editDistance(n, name) <= 2).slice(0, 5);
      throw new BallastError('E_USAGE', `Cannot fail ${quote(name)}: no spine, leaf or server has that name${near.length ? `; did you mean ${near.join(', ')}?` : ''}`);
    }
    out.push(hit);
  }
  return out;
}

function lookup(index: FabricIndex, name: string): Failure | undefined {
  const spine = index.spineByName.get(name);
  if (spine !== undefined) return { kind: 'spine', name, index: spine };
  const leaf = index.leafByName.get(name);
  if (leaf !== undefined) return { kind: 'leaf', name, index: leaf };
  const server = index.serverByName.get(name);
  if (server !== undefined) return { kind: 'server', name, index: server };
  return undefined;
}

/** The fixture's own states, with the given failures applied on top. */
export function scenarioLiveness(index: FabricIndex, failures: readonly Failure[]): Liveness {
  const live = baseLiveness(index);
  for (const f of failures) live[f.kind][f.index] = 0;
  return live;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
