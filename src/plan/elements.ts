/**
 * What a sweep enumerates, derived from the fabric index alone and cached per index (a plan builds
 * several engines on one fabric, and on variants that differ only in policy or weight models; see
 * withFabric): the failable elements, interchangeable groups of them ("items"), prefixes announced
 * by the same servers, and each prefix's capacity classes.
 */
import type { FabricIndex } from '../forwarding/fabric-index.js';
import { serverClasses, type ServerClasses } from './server-classes.js';

export interface ElementItems {
  /** Failable elements: every spine and leaf, and every server up in the fixture. */
  readonly elements: Int32Array;
  /** Item t's members are itemMembers[itemStart[t] .. itemStart[t+1]) (see SweepEngine). */
  readonly itemStart: Int32Array;
  readonly itemMembers: Int32Array;
}

interface Cache {
  items: Map<boolean, ElementItems>;
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

export function elementItems(index: FabricIndex, symmetry: boolean): ElementItems {
  const cache = cacheOf(index);
  let items = cache.items.get(symmetry);
  if (!items) cache.items.set(symmetry, (items = buildItems(index, symmetry)));
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

/**
 * The grouping key of each server (leaf, capacity and set of prefixes agree: interchangeable), as
 * one number while that stays exact (below 2^53), else a string. The set gets a small id (see
 * prefixSetIds) and capacities are numbered, so a key needs no per-server sort, join or string.
 */
function serverKeys(index: FabricIndex): (s: number) => number | string {
  const setId = prefixSetIds(index);
  const capId = new Map<number, number>();
  for (const c of index.serverCapacity) if (!capId.has(c)) capId.set(c, capId.size);
  const nLeaves = index.fabric.leaves.length;
  let maxSet = 0;
  for (const id of setId) if (id > maxSet) maxSet = id;
  const numeric = (maxSet + 1) * nLeaves * capId.size < Number.MAX_SAFE_INTEGER;
  return (s) => {
    const c = capId.get(index.serverCapacity[s]!)!;
    return numeric ? (setId[s]! * nLeaves + index.serverLeaf[s]!) * capId.size + c : `${setId[s]}|${index.serverLeaf[s]}|${c}`;
  };
}

function buildItems(index: FabricIndex, symmetry: boolean): ElementItems {
  const f = index.fabric;
  const S = f.spines.length + f.leaves.length;
  const els: number[] = [];
  for (let i = 0; i < S; i++) els.push(i);
  for (let i = 0; i < f.servers.length; i++) if (f.servers[i]!.state === 'up') els.push(S + i);
  // Spines, leaves, and servers without symmetry keep their own keys below -1, never a server key.
  const keyOf = symmetry ? serverKeys(index) : null;
  const groups = new Map<number | string, number[]>();
  for (const e of els) {
    const key = keyOf && e >= S ? keyOf(e - S) : -2 - e;
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
 * joins the end of the item it is interchangeable with, or comes last as an item of its own;
 * exactly what buildItems gives for the variant. Cached as the variant's items.
 */
export function seedAddedServerItems(base: FabricIndex, variant: FabricIndex, symmetry: boolean): ElementItems {
  const from = elementItems(base, symmetry);
  const S = variant.fabric.spines.length + variant.fabric.leaves.length;
  const s = variant.fabric.servers.length - 1;
  const up = variant.fabric.servers[s]!.state === 'up';
  const nItems = from.itemStart.length - 1;
  let join = nItems;
  if (up && symmetry) {
    const keyOf = serverKeys(variant);
    const key = keyOf(s);
    for (let t = 0; t < nItems; t++) {
      const head = from.itemMembers[from.itemStart[t]!]!;
      if (head >= S && keyOf(head - S) === key) {
        join = t;
        break;
      }
    }
  }
  let items: ElementItems;
  if (!up) items = from;
  else {
    const e = S + s;
    const at = join < nItems ? from.itemStart[join + 1]! : from.itemMembers.length;
    const itemMembers = new Int32Array(from.itemMembers.length + 1);
    itemMembers.set(from.itemMembers.subarray(0, at));
    itemMembers[at] = e;
    itemMembers.set(from.itemMembers.subarray(at), at + 1);
    const itemStart = new Int32Array(join < nItems ? nItems + 1 : nItems + 2);
    itemStart.set(from.itemStart);
    for (let t = join + 1; t < itemStart.length; t++) itemStart[t] = t <= nItems ? from.itemStart[t]! + 1 : itemMembers.length;
    const elements = new Int32Array(from.elements.length + 1);
    elements.set(from.elements);
    elements[from.elements.length] = e;
    items = { elements, itemStart, itemMembers };
  }
  cacheOf(variant).items.set(symmetry, items);
  return items;
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
