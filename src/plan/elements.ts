/**
 * What a sweep enumerates, derived from the fabric index alone and cached per index (a plan builds
 * several engines on one fabric, and on variants that differ only in policy or weight models; see
 * withFabric): the failable elements, interchangeable groups of them ("items"), prefixes announced
 * by the same servers, and each prefix's capacity classes.
 */
import type { FabricIndex } from '../forwarding/fabric-index.js';
import { serverClasses, type ServerClasses } from './server-classes.js';

/**
 * Leaf-spine links are failable elements when the fabric is small enough (and has no parallel
 * links): a scenario with a failed link is evaluated by the reference code, a whole evaluation per
 * scenario (O(servers)), which the incremental evaluator's spine groups cannot stand in for. Bounded
 * so that an N-2 sweep's link scenarios stay within seconds: at most 256 links, links x servers at
 * most 20,000 (warning.yaml: 8 x 40).
 */
export const MAX_LINK_ELEMENTS = 256;
export const MAX_LINK_SERVER_PRODUCT = 20_000;

/** Whether a sweep over this fabric fails links too (every engine of one plan agrees). */
export function sweepsLinks(index: FabricIndex): boolean {
  const links = index.linkLeaf.length;
  return !index.parallelLinks && links <= MAX_LINK_ELEMENTS && links * index.serverLeaf.length <= MAX_LINK_SERVER_PRODUCT;
}

export interface ElementItems {
  /** Failable elements: every spine and leaf, every server up in the fixture, and the links (sweepsLinks). */
  readonly elements: Int32Array;
  /** Item t's members are itemMembers[itemStart[t] .. itemStart[t+1]) (see SweepEngine). */
  readonly itemStart: Int32Array;
  readonly itemMembers: Int32Array;
}

interface Cache {
  items: Map<string, ElementItems>;
  same?: Int32Array;
  classes: Map<number, ServerClasses>;
}

// Keyed by an array every variant of one index shares (withFabric keeps it), dropped with the index.
const caches = new WeakMap<Int32Array, Cache>();

function cacheOf(index: FabricIndex): Cache {
  let c = caches.get(index.serverLeaf);
  if (!c) caches.set(index.serverLeaf, (c = { items: new Map(), classes: new Map() }));
  return c;
}

export function elementItems(index: FabricIndex, symmetry: boolean, links = sweepsLinks(index)): ElementItems {
  const cache = cacheOf(index);
  const key = `${symmetry}/${links}`;
  let items = cache.items.get(key);
  if (!items) cache.items.set(key, (items = buildItems(index, symmetry, links)));
  return items;
}

export function prefixServerClasses(index: FabricIndex, prefix: number): ServerClasses {
  const cache = cacheOf(index);
  let k = cache.classes.get(prefix);
  if (!k) cache.classes.set(prefix, (k = serverClasses(index, prefix)));
  return k;
}

/**
 * Per prefix, the first prefix announced by exactly the same servers (itself when none before it
 * is). Such prefixes get the same shares in every scenario, so they share one evaluator.
 */
export function samePrefixes(index: FabricIndex): Int32Array {
  const cache = cacheOf(index);
  return (cache.same ??= buildSamePrefixes(index));
}

function buildItems(index: FabricIndex, symmetry: boolean, links: boolean): ElementItems {
  const f = index.fabric;
  const S = f.spines.length + f.leaves.length;
  const els: number[] = [];
  for (let i = 0; i < S; i++) els.push(i);
  for (let i = 0; i < f.servers.length; i++) if (f.servers[i]!.state === 'up') els.push(S + i);
  // Links one item each: two links are never interchangeable, since each meets its own spine and
  // leaf, which fail on their own (failing spine01 and leaf01/spine01 is not failing spine01 and
  // leaf01/spine02). Parallel links of one pair would be, but the engine refuses those.
  if (links) for (let k = 0; k < index.linkLeaf.length; k++) els.push(S + f.servers.length + k);
  // Spine/super-spine links likewise (only fabrics with super-spines, all swept by the reference code).
  const uplinks = (f.superspines?.length ?? 0) * f.spines.length;
  if (links) for (let u = 0; u < uplinks; u++) els.push(S + f.servers.length + index.linkLeaf.length + u);
  // Servers are interchangeable when leaf, capacity and set of prefixes agree. The set gets a small
  // id (a trie over prefix indices in order), so the key needs no per-server sort or join. A number
  // while that stays exact (below 2^53), else a string.
  const setId = symmetry ? prefixSetIds(index) : null;
  // Capacities numbered, so a server's key is one number (no string per server); elements keep
  // their own ids below -1 so they never meet a server key.
  const capId = new Map<number, number>();
  for (const c of index.serverCapacity) if (!capId.has(c)) capId.set(c, capId.size);
  const nLeaves = f.leaves.length;
  let maxSet = 0;
  if (setId) for (const id of setId) if (id > maxSet) maxSet = id;
  const numeric = (maxSet + 1) * nLeaves * capId.size < Number.MAX_SAFE_INTEGER;
  const groups = new Map<number | string, number[]>();
  for (const e of els) {
    let key: number | string = -2 - e;
    if (setId && e >= S && e < S + f.servers.length) {
      const s = e - S;
      const c = capId.get(index.serverCapacity[s]!)!;
      key = numeric ? (setId[s]! * nLeaves + index.serverLeaf[s]!) * capId.size + c : `${setId[s]}|${index.serverLeaf[s]}|${c}`;
    }
    let members = groups.get(key);
    if (!members) groups.set(key, (members = []));
    members.push(e);
  }
  const itemStart = new Int32Array(groups.size + 1);
  const itemMembers = new Int32Array(els.length);
  let t = 0;
  let at = 0;
  for (const list of groups.values()) {
    itemStart[t++] = at;
    for (const e of list) itemMembers[at++] = e;
  }
  itemStart[t] = at;
  return { elements: Int32Array.from(els), itemStart, itemMembers };
}

/**
 * The items of `variant`, the index `base` with one server appended (withAddedServer), from the
 * base's items instead of grouping every server again: the new server, last in element order,
 * joins the end of the item it is interchangeable with (a server of the same leaf, capacity and
 * set of prefixes), or comes last as an item of its own; exactly what buildItems gives for the
 * variant. Cached as the variant's items.
 */
export function seedAddedServerItems(base: FabricIndex, variant: FabricIndex, symmetry: boolean): ElementItems {
  // With links among the elements, a new server shifts every link's id: build the items afresh.
  if (sweepsLinks(variant)) return elementItems(variant, symmetry);
  // The base's items without links, even where the base sweeps them (its one server fewer can keep
  // links x servers within the bound the variant crosses).
  const from = elementItems(base, symmetry, false);
  const f = variant.fabric;
  const S = f.spines.length + f.leaves.length;
  const s = f.servers.length - 1;
  let items = from;
  if (f.servers[s]!.state === 'up') {
    const nItems = from.itemStart.length - 1;
    let join = nItems;
    if (symmetry) {
      const prefixOf = new Map(f.services.map((x, p) => [x.prefix.text, p]));
      const mine = prefixSet(f.servers[s]!.prefixes, prefixOf);
      for (let t = 0; t < nItems && join === nItems; t++) {
        const head = from.itemMembers[from.itemStart[t]!]! - S;
        if (head < 0 || variant.serverLeaf[head] !== variant.serverLeaf[s] || variant.serverCapacity[head] !== variant.serverCapacity[s]) continue;
        if (prefixSet(f.servers[head]!.prefixes, prefixOf) === mine) join = t;
      }
    }
    const at = join < nItems ? from.itemStart[join + 1]! : from.itemMembers.length;
    const itemMembers = new Int32Array(from.itemMembers.length + 1);
    itemMembers.set(from.itemMembers.subarray(0, at));
    itemMembers[at] = S + s;
    itemMembers.set(from.itemMembers.subarray(at), at + 1);
    const itemStart = new Int32Array(join < nItems ? nItems + 1 : nItems + 2);
    itemStart.set(from.itemStart);
    for (let t = join + 1; t < itemStart.length; t++) itemStart[t] = t <= nItems ? from.itemStart[t]! + 1 : itemMembers.length;
    const elements = new Int32Array(from.elements.length + 1);
    elements.set(from.elements);
    elements[from.elements.length] = S + s;
    items = { elements, itemStart, itemMembers };
  }
  cacheOf(variant).items.set(`${symmetry}/false`, items);
  return items;
}

/** A server's prefixes as the index counts them (known ones, once each), as comparable text. */
function prefixSet(prefixes: readonly string[], prefixOf: ReadonlyMap<string, number>): string {
  const ids = [...new Set(prefixes.flatMap((t) => prefixOf.get(t) ?? []))];
  return ids.sort((a, b) => a - b).join(',');
}

/** Per server, an id of its set of prefixes: equal ids, equal sets. */
export function prefixSetIds(index: FabricIndex): Int32Array {
  const ids = new Int32Array(index.serverLeaf.length);
  const P = index.prefixes.length;
  if (P <= 30) {
    // Few prefixes: the set's bit mask is its id (a Map lookup per server and prefix cost more
    // than the rest of the grouping). Only equality matters: items keep their first-seen order.
    for (let p = 0; p < P; p++) {
      const servers = index.prefixes[p]!.servers;
      for (let k = 0; k < servers.length; k++) ids[servers[k]!]! |= 1 << p;
    }
    return ids;
  }
  return prefixSetTrie(index, ids, P);
}

/** prefixSetIds for any number of prefixes: ids from a trie over prefix indices in order. */
export function prefixSetTrie(index: FabricIndex, ids: Int32Array, P: number): Int32Array {
  const next = new Map<number, number>();
  for (let p = 0; p < P; p++) {
    const servers = index.prefixes[p]!.servers;
    for (let k = 0; k < servers.length; k++) {
      const s = servers[k]!;
      const key = ids[s]! * (P + 1) + p;
      let id = next.get(key);
      if (id === undefined) next.set(key, (id = next.size + 1));
      ids[s] = id;
    }
  }
  return ids;
}

function buildSamePrefixes(index: FabricIndex): Int32Array {
  const P = index.prefixes.length;
  const out = new Int32Array(P);
  const byLength = new Map<number, number[]>();
  for (let p = 0; p < P; p++) {
    out[p] = p;
    const servers = index.prefixes[p]!.servers;
    const candidates = byLength.get(servers.length) ?? [];
    for (const q of candidates) {
      const other = index.prefixes[q]!.servers;
      let same = true;
      for (let k = 0; k < servers.length && same; k++) same = servers[k] === other[k];
      if (same) {
        out[p] = q;
        break;
      }
    }
    if (out[p] === p) byLength.set(servers.length, [...candidates, p]);
  }
  return out;
}
