/**
 * The FRR configuration the leaf agent owns, and the vtysh commands that move FRR to a desired state.
 *
 * Two outbound route-maps, `BASE-A` and `BASE-B`; the spine peer-group's outbound binding in both
 * address families points at one of them. A change edits the map NOT in use (only the entries that
 * differ) and then switches the peer-group to it: FRR re-advertises on a route-map switch within about
 * 0.19 s, whereas an edit of the map in use waits for `bgp route-map delay-timer` (5 s by default; 0
 * disables re-advertising). Nothing else in the running configuration is ever touched.
 *
 * Entries are grouped, because FRR 8.4 gets slow with large route-maps (each configuration command
 * costs time in proportion to the configuration already there: 200 entries take 15-20 s to build on
 * a 2-core machine). Prefixes with the same configured servers behave alike, so each such group has
 * one prefix-list (`BASE-g4-HASH`, `BASE-g6-HASH`, built once) and one entry carrying the value most of
 * its members want; a member that differs gets an override entry before it, matching its own
 * prefix-list (`BASE-v4-...`, created when first needed and kept). A server failing for 200 prefixes
 * then changes one entry, not 200.
 *
 * Inbound, one route-map per configured server neighbor (`BASE-IN-<neighbor>`, bound to that neighbor
 * in both families): an entry per prefix held back (`set local-preference 50`: the returning path is
 * valid but outside the multipath set), then a catch-all permit. Holds are edited in place (a map edit
 * applies to routes that arrive afterwards; held servers are absent when their hold is added); a
 * release deletes the entry and re-evaluates the neighbor's paths with `clear bgp ... soft in`.
 */
import type { Prefix } from '../fabric/prefix.js';
import type { AddressFamily, RunningConfig } from './running-config.js';
import { boundRouteMap } from './running-config.js';

export type Slot = 'A' | 'B';
export const FAMILIES: readonly AddressFamily[] = ['ipv4', 'ipv6'];
/** Override entries take 10, 20, ... by prefix index; group entries start here; the catch-all is last. */
export const GROUP_SEQ = 30000;
export const FINAL_SEQ = 65000;
/** At most this many managed prefixes (override sequence numbers stay below GROUP_SEQ). */
export const MAX_PREFIXES = 2999;

export interface OwnedNames {
  /** Route-map and prefix-list name prefix, e.g. `BALLAST`. */
  readonly base: string;
  readonly asn: number;
  readonly spinePeerGroup: string;
  /** An operator route-map every entry calls after setting ours, or null. */
  readonly chain: string | null;
}

/** What one managed prefix carries toward the spines. */
export interface OwnedEntry {
  readonly prefix: Prefix;
  /** Explicit Mbps; `cumulative` lets FRR sum the server paths' own link-bandwidth; null sets none. */
  readonly bandwidth: number | 'cumulative' | null;
  readonly prepend: number;
}

/** How the managed prefixes are laid out in FRR: fixed per configuration, not per decision. */
export interface Layout {
  /** In configuration order: the index gives the prefix's override sequence number. */
  readonly prefixes: readonly Prefix[];
  /** Prefix text -> the name of its group's prefix-list. */
  readonly groupOf: ReadonlyMap<string, string>;
  /** Group prefix-list name -> family, members (configuration order) and entry sequence number. */
  readonly groups: ReadonlyMap<string, { readonly family: AddressFamily; readonly members: readonly Prefix[]; readonly seq: number }>;
}

export const routeMapName = (names: OwnedNames, slot: Slot): string => `${names.base}-${slot}`;
export const inboundMapName = (names: OwnedNames, neighbor: string): string => `${names.base}-IN-${neighbor.replace(/:/g, '.')}`;
/** Below FRR's default 100 for eBGP paths: a held path loses to every admitted one, and is never sent on (local-preference stays local). */
export const HOLD_LOCAL_PREF = 50;
/** At most this many single-prefix holds per server and group (see desiredConfig). */
export const MAX_PREFIX_HOLDS = 8;

export function prefixListName(names: OwnedNames, prefix: Prefix): string {
  const fam = prefix.family === 'ipv4' ? 'v4' : 'v6';
  return `${names.base}-${fam}-${prefix.text.replace(/:/g, '.').replace('/', '_')}`;
}

/** FNV-1a, hex: a stable short name for a group key. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Group prefixes by family and `groupKey` (the agent uses the prefix's configured servers). */
export function layoutFor(names: OwnedNames, prefixes: readonly Prefix[], groupKey: (p: Prefix) => string): Layout {
  const groupOf = new Map<string, string>();
  const groups = new Map<string, { family: AddressFamily; members: Prefix[]; seq: number }>();
  for (const p of prefixes) {
    const name = `${names.base}-g${p.family === 'ipv4' ? 4 : 6}-${hash(groupKey(p))}`;
    groupOf.set(p.text, name);
    const g = groups.get(name) ?? { family: p.family, members: [], seq: 0 };
    g.members.push(p);
    groups.set(name, g);
  }
  [...groups.keys()].sort().forEach((name, i) => (groups.get(name)!.seq = GROUP_SEQ + 10 * (i + 1)));
  return { prefixes, groupOf, groups };
}

function setLines(names: OwnedNames, e: Pick<OwnedEntry, 'bandwidth' | 'prepend'>): string[] {
  const lines: string[] = [];
  if (e.bandwidth !== null) lines.push(`set extcommunity bandwidth ${e.bandwidth}`);
  if (e.prepend > 0) lines.push(`set as-path prepend ${Array(e.prepend).fill(names.asn).join(' ')}`);
  if (names.chain) lines.push(`call ${names.chain}`);
  return lines;
}
const matchLine = (family: AddressFamily, list: string): string => `match ${family === 'ipv4' ? 'ip' : 'ipv6'} address prefix-list ${list}`;
const keyOf = (e: OwnedEntry): string => `${e.bandwidth}|${e.prepend}`;

/** The owned configuration FRR should hold: one route-map's entries and the prefix-lists they use. */
export interface DesiredConfig {
  readonly map: ReadonlyMap<number, readonly string[]>;
  /** Server neighbor -> its inbound map's entries (every configured server has one, maybe just the catch-all). */
  readonly inbound: ReadonlyMap<string, ReadonlyMap<number, readonly string[]>>;
  /** Prefix-list name -> family and prefixes (in seq order). */
  readonly lists: ReadonlyMap<string, { readonly family: AddressFamily; readonly prefixes: readonly string[] }>;
}

export function desiredConfig(
  names: OwnedNames,
  layout: Layout,
  entries: ReadonlyMap<string, OwnedEntry>,
  /** Server neighbor -> prefixes (texts) held back at it. */
  holds: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): DesiredConfig {
  const map = new Map<number, string[]>();
  const lists = new Map<string, { family: AddressFamily; prefixes: string[] }>();
  const index = new Map(layout.prefixes.map((p, i) => [p.text, i]));
  const inbound = new Map<string, Map<number, string[]>>();
  const holdLine = `set local-preference ${HOLD_LOCAL_PREF}`;
  for (const [neighbor, held] of holds) {
    const m = new Map<number, string[]>();
    // A server absent for a whole group (the usual case: it failed) is held by one entry, not one per prefix.
    for (const [name, g] of layout.groups) {
      const mine = g.members.filter((p) => held.has(p.text));
      if (mine.length === 0) continue;
      if (mine.length === g.members.length) {
        lists.set(name, { family: g.family, prefixes: g.members.map((x) => x.text) });
        m.set(g.seq, [matchLine(g.family, name), holdLine]);
        continue;
      }
      // Part of a group: one entry per prefix, but only a few. Many means a transient state (a server
      // withdrawing hundreds of prefixes over a second), and writing hundreds of entries into FRR 8.4
      // takes seconds; those returns go unheld instead.
      if (mine.length > MAX_PREFIX_HOLDS) continue;
      for (const p of mine) {
        const list = prefixListName(names, p);
        lists.set(list, { family: p.family, prefixes: [p.text] });
        m.set(10 * (index.get(p.text)! + 1), [matchLine(p.family, list), holdLine]);
      }
    }
    m.set(FINAL_SEQ, []);
    inbound.set(neighbor, m);
  }
  for (const [name, g] of layout.groups) {
    lists.set(name, { family: g.family, prefixes: g.members.map((m) => m.text) });
    const own = g.members.map((m) => entries.get(m.text)).filter((e): e is OwnedEntry => e !== undefined);
    if (own.length === 0) continue;
    // The value most members want (ties: the first member's), so overrides stay few.
    const counts = new Map<string, number>();
    for (const e of own) counts.set(keyOf(e), (counts.get(keyOf(e)) ?? 0) + 1);
    const major = own.reduce((best, e) => ((counts.get(keyOf(e)) ?? 0) > (counts.get(keyOf(best)) ?? 0) ? e : best), own[0]!);
    map.set(g.seq, [matchLine(g.family, name), ...setLines(names, major)]);
    for (const e of own) {
      if (keyOf(e) === keyOf(major)) continue;
      const list = prefixListName(names, e.prefix);
      lists.set(list, { family: e.prefix.family, prefixes: [e.prefix.text] });
      map.set(10 * (index.get(e.prefix.text)! + 1), [matchLine(e.prefix.family, list), ...setLines(names, e)]);
    }
  }
  map.set(FINAL_SEQ, names.chain ? [`call ${names.chain}`] : []);
  return { map, inbound, lists };
}

/** The owned part of a running configuration. */
export interface OwnedView {
  /** Per family, the slot bound to the spine peer-group outbound; `foreign` when another map is. */
  readonly bound: Readonly<Record<AddressFamily, Slot | 'foreign' | null>>;
  readonly foreignName: string | null;
  readonly slots: Readonly<Record<Slot, ReadonlyMap<number, readonly string[]> | null>>;
  /** Inbound maps of the given server neighbors (null when absent) and what each neighbor has bound, per family. */
  readonly inbound: ReadonlyMap<string, { readonly map: ReadonlyMap<number, readonly string[]> | null; readonly bound: Readonly<Record<AddressFamily, string | null>> }>;
  /** Owned prefix-lists: name -> family and permitted prefixes in order (null when not a plain permit list). */
  readonly prefixLists: ReadonlyMap<string, { readonly family: AddressFamily; readonly prefixes: readonly string[] | null }>;
}

const ownedList = (names: OwnedNames, name: string): boolean => /^(v4|v6|g4|g6)-/.test(name.slice(names.base.length + 1)) && name.startsWith(`${names.base}-`);

export function extractOwned(running: RunningConfig, names: OwnedNames, servers: readonly string[] = []): OwnedView {
  const slotOf = (name: string | null): Slot | 'foreign' | null => (name === null ? null : name === routeMapName(names, 'A') ? 'A' : name === routeMapName(names, 'B') ? 'B' : 'foreign');
  const v4 = boundRouteMap(running.bgp, 'ipv4', names.spinePeerGroup, 'out');
  const v6 = boundRouteMap(running.bgp, 'ipv6', names.spinePeerGroup, 'out');
  const mapOf = (name: string): Map<number, string[]> | null => {
    const entries = running.routeMaps.get(name);
    if (!entries) return null;
    // A deny entry is never ours: mark it so the map compares unequal.
    return new Map(entries.map((e) => [e.seq, e.action === 'permit' ? [...e.lines] : ['deny']]));
  };
  const slot = (s: Slot) => mapOf(routeMapName(names, s));
  const inbound = new Map(
    servers.map((n) => [
      n,
      { map: mapOf(inboundMapName(names, n)), bound: { ipv4: boundRouteMap(running.bgp, 'ipv4', n, 'in'), ipv6: boundRouteMap(running.bgp, 'ipv6', n, 'in') } },
    ]),
  );
  const prefixLists = new Map<string, { family: AddressFamily; prefixes: string[] | null }>();
  for (const [name, list] of running.prefixLists) {
    if (!ownedList(names, name)) continue;
    const plain = list.entries.every((e) => e.action === 'permit' && /^\S+$/.test(e.match));
    prefixLists.set(name, { family: list.family, prefixes: plain ? [...list.entries].sort((a, b) => a.seq - b.seq).map((e) => e.match) : null });
  }
  const foreign = [v4, v6].find((n) => slotOf(n) === 'foreign') ?? null;
  return { bound: { ipv4: slotOf(v4), ipv6: slotOf(v6) }, foreignName: foreign, slots: { A: slot('A'), B: slot('B') }, inbound, prefixLists };
}

function sameMap(a: ReadonlyMap<number, readonly string[]> | null | undefined, b: ReadonlyMap<number, readonly string[]>): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [seq, lines] of b) if (!sameLines(a.get(seq), lines)) return false;
  return true;
}

function sameLines(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

function sameList(a: readonly string[] | null | undefined, b: readonly string[]): boolean {
  return !!a && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The slot in force when both families agree on one of ours, else null. */
export function activeSlot(view: OwnedView): Slot | null {
  const { ipv4, ipv6 } = view.bound;
  return ipv4 === ipv6 && (ipv4 === 'A' || ipv4 === 'B') ? ipv4 : null;
}

/** Every difference between the running owned state and the desired one, in words (empty: in sync). */
export function differences(view: OwnedView, names: OwnedNames, desired: DesiredConfig): string[] {
  const out: string[] = [];
  const slot = activeSlot(view);
  if (slot === null) out.push(`outbound route-map of ${names.spinePeerGroup} is ipv4 ${view.bound.ipv4 ?? 'none'} / ipv6 ${view.bound.ipv6 ?? 'none'}, expected one of ${names.base}-A/B in both`);
  else {
    const running = view.slots[slot];
    const bad = [...desired.map].filter(([seq, lines]) => !sameLines(running?.get(seq), lines)).map(([seq]) => seq);
    const extra = [...(running?.keys() ?? [])].filter((seq) => !desired.map.has(seq));
    if (bad.length > 0 || extra.length > 0) out.push(`route-map ${routeMapName(names, slot)} differs from the desired entries at seq ${[...bad, ...extra].sort((a, b) => a - b).join(', ')}`);
  }
  for (const [neighbor, want] of desired.inbound) {
    const have = view.inbound.get(neighbor);
    const name = inboundMapName(names, neighbor);
    if (!sameMap(have?.map, want)) out.push(`route-map ${name} differs from the desired holds`);
    for (const af of FAMILIES) if (have?.bound[af] !== name) out.push(`${neighbor} ${af} inbound route-map is ${have?.bound[af] ?? 'none'}, expected ${name}`);
  }
  for (const [name, want] of desired.lists) {
    const have = view.prefixLists.get(name);
    if (!have) out.push(`prefix-list ${name} is missing`);
    else if (!sameList(have.prefixes, want.prefixes)) out.push(`prefix-list ${name} holds ${have.prefixes?.join(' ') ?? 'unexpected entries'}`);
  }
  return out;
}

/**
 * vtysh commands that bring the owned state to `desired`, or [] when already there: fix prefix-lists,
 * edit the inbound hold maps in place, edit the idle outbound slot entry by entry and switch both
 * families to it (only when the outbound entries differ), drop owned lists nothing can use, and
 * re-evaluate the paths of released servers. `keep`: per-prefix lists kept although unused now
 * (cheaper than rebuilding them). `release`: server neighbor -> families to `clear ... soft in`.
 */
export function applyCommands(
  view: OwnedView,
  names: OwnedNames,
  desired: DesiredConfig,
  keep: ReadonlySet<string> = new Set(),
  release: ReadonlyMap<string, ReadonlySet<AddressFamily>> = new Map(),
): { commands: string[]; slot: Slot } {
  const current = activeSlot(view);
  const outboundOk = current !== null && sameMap(view.slots[current], desired.map);
  if (outboundOk && differences(view, names, desired).length === 0 && release.size === 0) return { commands: [], slot: current };
  const cmds: string[] = ['configure terminal'];
  for (const [name, want] of desired.lists) {
    const have = view.prefixLists.get(name);
    if (have && sameList(have.prefixes, want.prefixes)) continue;
    const kw = want.family === 'ipv4' ? 'ip' : 'ipv6';
    if (have) cmds.push(`no ${kw} prefix-list ${name}`);
    want.prefixes.forEach((p, i) => cmds.push(`${kw} prefix-list ${name} seq ${5 * (i + 1)} permit ${p}`));
  }
  const editMap = (name: string, have: ReadonlyMap<number, readonly string[]> | null | undefined, want: ReadonlyMap<number, readonly string[]>) => {
    for (const [seq] of have ?? []) if (!want.has(seq)) cmds.push(`no route-map ${name} permit ${seq}`);
    for (const [seq, lines] of want) {
      if (have && sameLines(have.get(seq), lines)) continue;
      if (have?.has(seq)) cmds.push(`no route-map ${name} permit ${seq}`);
      cmds.push(`route-map ${name} permit ${seq}`, ...lines);
    }
  };
  const binds: [AddressFamily, string][] = [];
  for (const [neighbor, want] of desired.inbound) {
    const name = inboundMapName(names, neighbor);
    const have = view.inbound.get(neighbor);
    editMap(name, have?.map, want);
    for (const af of FAMILIES) if (have?.bound[af] !== name) binds.push([af, `neighbor ${neighbor} route-map ${name} in`]);
  }
  let slot: Slot = current ?? 'A';
  if (!outboundOk) {
    slot = current === 'A' || (current === null && view.bound.ipv4 === 'A') ? 'B' : 'A';
    editMap(routeMapName(names, slot), view.slots[slot], desired.map);
    for (const af of FAMILIES) binds.push([af, `neighbor ${names.spinePeerGroup} route-map ${routeMapName(names, slot)} out`]);
  }
  if (binds.length > 0) {
    cmds.push(`router bgp ${names.asn}`);
    for (const af of FAMILIES) {
      const mine = binds.filter(([f]) => f === af).map(([, c]) => c);
      if (mine.length > 0) cmds.push(`address-family ${af} unicast`, ...mine, 'exit-address-family');
    }
    cmds.push('exit');
  }
  for (const [name, list] of view.prefixLists) {
    if (!desired.lists.has(name) && !keep.has(name)) cmds.push(`no ${list.family === 'ipv4' ? 'ip' : 'ipv6'} prefix-list ${name}`);
  }
  cmds.push('end');
  for (const [neighbor, families] of release) for (const af of FAMILIES) if (families.has(af)) cmds.push(`clear bgp ${af} unicast ${neighbor} soft in`);
  return { commands: cmds, slot };
}

/** The owned view FRR will show once `applyCommands`'s commands ran (dry runs keep going on it). */
export function viewAfter(view: OwnedView, names: OwnedNames, desired: DesiredConfig, slot: Slot, keep: ReadonlySet<string> = new Set()): OwnedView {
  const prefixLists = new Map<string, { family: AddressFamily; prefixes: readonly string[] | null }>();
  for (const [name, l] of view.prefixLists) if (keep.has(name)) prefixLists.set(name, l);
  for (const [name, l] of desired.lists) prefixLists.set(name, { family: l.family, prefixes: l.prefixes });
  const slots = { ...view.slots, [slot]: new Map(desired.map) } as Record<Slot, ReadonlyMap<number, readonly string[]> | null>;
  const inbound = new Map([...desired.inbound].map(([n, m]) => [n, { map: new Map(m), bound: { ipv4: inboundMapName(names, n), ipv6: inboundMapName(names, n) } }]));
  return { bound: { ipv4: slot, ipv6: slot }, foreignName: null, slots, inbound, prefixLists };
}

/** Read an owned entry back into bandwidth and prepend (adoption on start). */
export function parseEntryLines(lines: readonly string[], asn: number): { bandwidth: number | 'cumulative' | null; prepend: number; prefixList: string | null } {
  let bandwidth: number | 'cumulative' | null = null;
  let prepend = 0;
  let prefixList: string | null = null;
  for (const l of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^match ipv?6? ?address prefix-list (\S+)$/.exec(l))) prefixList = m[1]!;
    else if ((m = /^set extcommunity bandwidth (\d+|cumulative)\b/.exec(l))) bandwidth = m[1] === 'cumulative' ? 'cumulative' : Number(m[1]);
    // One unambiguous repetition: `(?:\d+ ?)+` backtracked exponentially on `... 65201 last-as`.
    else if ((m = /^set as-path prepend (\d+(?: \d+)*)$/.exec(l))) prepend = m[1]!.trim().split(/\s+/).filter((a) => Number(a) === asn).length;
  }
  return { bandwidth, prepend, prefixList };
}

/** What the running map says for each prefix of the layout: its override entry, else its group's. */
export function adoptedEntries(view: OwnedView, names: OwnedNames, layout: Layout): Map<string, OwnedEntry> {
  const out = new Map<string, OwnedEntry>();
  const slot = activeSlot(view);
  if (slot === null) return out;
  const byList = new Map<string, { bandwidth: number | 'cumulative' | null; prepend: number }>();
  // The bound map may be missing (deleted by hand, or lost in a bgpd restart): nothing to adopt then.
  for (const lines of view.slots[slot]?.values() ?? []) {
    const e = parseEntryLines(lines, names.asn);
    if (e.prefixList) byList.set(e.prefixList, e);
  }
  for (const p of layout.prefixes) {
    const own = prefixListName(names, p);
    const group = layout.groupOf.get(p.text)!;
    const useOwn = byList.has(own) && sameList(view.prefixLists.get(own)?.prefixes, [p.text]);
    const e = useOwn ? byList.get(own) : view.prefixLists.get(group)?.prefixes?.includes(p.text) ? byList.get(group) : undefined;
    if (e) out.set(p.text, { prefix: p, bandwidth: e.bandwidth, prepend: e.prepend });
  }
  return out;
}

/** Per prefix, the server neighbors the running inbound maps hold back (adoption on start). */
export function adoptedHolds(view: OwnedView, names: OwnedNames, layout: Layout): Map<string, Set<string>> {
  const byList = new Map<string, string[]>(layout.prefixes.map((p) => [prefixListName(names, p), [p.text]]));
  for (const [name, g] of layout.groups) byList.set(name, g.members.map((m) => m.text));
  const out = new Map<string, Set<string>>();
  for (const [neighbor, { map }] of view.inbound) {
    for (const lines of map?.values() ?? []) {
      const list = parseEntryLines(lines, names.asn).prefixList;
      const prefixes = list === null ? undefined : byList.get(list);
      if (prefixes === undefined || !lines.includes(`set local-preference ${HOLD_LOCAL_PREF}`)) continue;
      for (const prefix of prefixes) {
        const set = out.get(prefix) ?? new Set<string>();
        set.add(neighbor);
        out.set(prefix, set);
      }
    }
  }
  return out;
}
