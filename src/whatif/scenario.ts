/**
 * Failure scenarios: names of servers, leaves, spines and leaf-spine links to take down, as a
 * Liveness mask. A link is `leaf01/spine01` or `spine01/leaf01` (every parallel link of the pair) or
 * `leaf01/spine01#2` (the second of them).
 */
import type { FabricIndex, Liveness } from '../forwarding/fabric-index.js';
import { baseLiveness, uplinkName } from '../forwarding/fabric-index.js';
import { BallastError, quote } from '../util/errors.js';

export type ElementKind = 'spine' | 'leaf' | 'server' | 'link' | 'uplink';

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
    if (name.includes('/')) {
      for (const link of resolveLink(index, name)) {
        if (out.some((f) => f.kind === link.kind && f.index === link.index)) continue;
        out.push(link);
      }
      continue;
    }
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

/** The links a `leaf/spine[#n]` name (either order) stands for. */
export function resolveLink(index: FabricIndex, text: string): Failure[] {
  const m = /^([^/#\s]+)\/([^/#\s]+)(?:#(\d+))?$/.exec(text);
  if (!m) throw new BallastError('E_USAGE', `Cannot fail ${quote(text)}: expected a link as LEAF/SPINE or LEAF/SPINE#N (either order)`);
  const [, x, y, nth] = m as unknown as [string, string, string, string | undefined];
  // A spine's link to a super-spine (SPINE/SUPER, either order), in a fabric with super-spines.
  const supers = index.fabric.superspines ?? [];
  const ssOf = (name: string) => supers.findIndex((ss) => ss.name === name);
  const up = index.spineByName.has(x) && ssOf(y) >= 0 ? [x, y] : index.spineByName.has(y) && ssOf(x) >= 0 ? [y, x] : null;
  if (up && nth === undefined) {
    const u = ssOf(up[1]!) * index.fabric.spines.length + index.spineByName.get(up[0]!)!;
    return [{ kind: 'uplink', name: uplinkName(index, u), index: u }];
  }
  const leafFirst = index.leafByName.has(x) && index.spineByName.has(y);
  const spineFirst = index.spineByName.has(x) && index.leafByName.has(y);
  if (!leafFirst && !spineFirst) {
    throw new BallastError('E_USAGE', `Cannot fail ${quote(text)}: a link joins a leaf and a spine (or a spine and a super-spine), and ${quote(x)} and ${quote(y)} are not one of each`);
  }
  const leaf = leafFirst ? x : y;
  const spine = leafFirst ? y : x;
  const l = index.leafByName.get(leaf)!;
  const links = [...index.leafLinks[l]!].filter((i) => index.linkSpine[i] === index.spineByName.get(spine));
  if (links.length === 0) throw new BallastError('E_USAGE', `Cannot fail ${quote(text)}: ${leaf} has no link to ${spine}`);
  if (nth !== undefined) {
    const i = links[Number(nth) - 1];
    if (i === undefined) throw new BallastError('E_USAGE', `Cannot fail ${quote(text)}: ${leaf} has ${links.length} link${links.length === 1 ? '' : 's'} to ${spine}, expected #1 to #${links.length}`);
    return [{ kind: 'link', name: index.linkNames[i]!, index: i }];
  }
  return links.map((i) => ({ kind: 'link', name: index.linkNames[i]!, index: i }));
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
  for (const f of failures) live[f.kind]![f.index] = 0;
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
