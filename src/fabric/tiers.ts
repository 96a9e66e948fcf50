/**
 * The fixture's third tier: `superspines:` (each peers with every spine) and `pod:` on spines and
 * leaves. With super-spines every spine and leaf names its pod, and a leaf attaches only to spines of
 * its own pod (a leaf without `spines:` gets its pod's). Errors carry file:line:col.
 */
import { quote } from '../util/errors.js';
import type { Cursor, MapReader } from '../util/yaml-reader.js';
import { readRouterFrr } from './router-frr.js';
import { MISSING_BANDWIDTH, type Leaf, type Spine, type SuperSpine } from './types.js';

const ASN = { min: 1, max: 4294967295, integer: true } as const;

/** `{ pod }` from a `pod:` key, or nothing. */
export function podOf(c: Cursor | undefined): { pod?: string } {
  return c ? { pod: c.name() } : {};
}

function own(entry: MapReader, defaults: MapReader | undefined, key: string): Cursor | undefined {
  const c = entry.get(key);
  if (c && !c.isNull()) return c;
  const d = defaults?.get(key);
  return d && !d.isNull() ? d : undefined;
}

/** The super-spines, or undefined without a `superspines:` key; every spine must then name its pod. */
export function readSuperSpines(c: Cursor | undefined, defaults: MapReader | undefined, claim: (c: Cursor, kind: string) => string, spines: readonly Spine[]): SuperSpine[] | undefined {
  if (!c || c.isNull()) {
    defaults?.done();
    return undefined;
  }
  const items = c.list();
  if (items.length === 0) c.fail('E_SCHEMA_VALUE', `${c.path} is an empty list, expected at least one super-spine (or no superspines: key for a 3-stage fabric)`);
  const out = items.map((item) => {
    const m = item.map();
    const ss: SuperSpine = {
      name: claim(m.require('name'), 'superspine'),
      asn: own(m, defaults, 'asn')?.number(ASN) ?? 65050,
      ...readRouterFrr(m, defaults),
      missingBandwidth: own(m, defaults, 'missing-bandwidth')?.oneOf(MISSING_BANDWIDTH) ?? 'ecmp-fallback',
    };
    m.done();
    return ss;
  });
  defaults?.done();
  const podless = spines.find((s) => !s.pod);
  if (podless) c.fail('E_SCHEMA_MISSING', `spine ${quote(podless.name)} has no pod: but the fabric has superspines:, expected pod: on every spine and leaf`);
  const clash = spines.find((s) => out.some((x) => x.asn === s.asn)) ;
  if (clash) c.fail('E_SCHEMA_VALUE', `super-spines share AS ${clash.asn} with spine ${quote(clash.name)}, expected another AS (the spines would drop the super-spines' routes as loops)`);
  return out;
}

/** With super-spines: the leaf names a pod, and every spine it attaches to is in that pod. */
export function checkLeafPod(at: Cursor, leaf: Leaf, spines: readonly Spine[]): void {
  if (!leaf.pod) at.fail('E_SCHEMA_MISSING', `leaf ${quote(leaf.name)} has no pod: but the fabric has superspines:, expected pod: on every spine and leaf`);
  const other = leaf.spines.map((n) => spines.find((s) => s.name === n)!).find((s) => s.pod !== leaf.pod);
  if (other) at.fail('E_SCHEMA_VALUE', `leaf ${quote(leaf.name)} is in pod ${quote(leaf.pod)} but attaches to spine ${quote(other.name)} of pod ${quote(other.pod ?? '')}, expected spines of its own pod`);
  if (leaf.spines.length === 0) at.fail('E_SCHEMA_VALUE', `leaf ${quote(leaf.name)} is in pod ${quote(leaf.pod)}, which has no spine`);
}
