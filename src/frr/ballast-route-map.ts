/**
 * The FRR configuration the leaf agent owns, and the vtysh commands that move FRR to a desired state.
 *
 * Two outbound route-maps, `BASE-A` and `BASE-B`, one entry per managed prefix (matched by an owned
 * prefix-list `BASE-v4-...`/`BASE-v6-...`), a final catch-all entry, and the spine peer-group's outbound
 * binding in both address families. A change rebuilds the map that is NOT in use and then switches the
 * peer-group to it: FRR re-advertises on a route-map switch within about 0.19 s, whereas an edit of the
 * map in use waits for `bgp route-map delay-timer` (5 s by default; 0 disables re-advertising). Nothing
 * else in the running configuration is ever touched.
 */
import type { Prefix } from '../fabric/prefix.js';
import type { AddressFamily, RunningConfig } from './running-config.js';
import { boundRouteMap } from './running-config.js';

export type Slot = 'A' | 'B';
export const FAMILIES: readonly AddressFamily[] = ['ipv4', 'ipv6'];
/** The catch-all entry: everything the agent does not manage passes unchanged (or through the chain). */
export const FINAL_SEQ = 65000;

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

export const routeMapName = (names: OwnedNames, slot: Slot): string => `${names.base}-${slot}`;

export function prefixListName(names: OwnedNames, prefix: Prefix): string {
  const fam = prefix.family === 'ipv4' ? 'v4' : 'v6';
  return `${names.base}-${fam}-${prefix.text.replace(/:/g, '.').replace('/', '_')}`;
}

/** Entry lines as FRR prints them in show running-config (compared as sorted sets). */
export function entryLines(names: OwnedNames, e: OwnedEntry): string[] {
  const lines = [`match ${e.prefix.family === 'ipv4' ? 'ip' : 'ipv6'} address prefix-list ${prefixListName(names, e.prefix)}`];
  if (e.bandwidth !== null) lines.push(`set extcommunity bandwidth ${e.bandwidth}`);
  if (e.prepend > 0) lines.push(`set as-path prepend ${Array(e.prepend).fill(names.asn).join(' ')}`);
  if (names.chain) lines.push(`call ${names.chain}`);
  return lines;
}

function finalLines(names: OwnedNames): string[] {
  return names.chain ? [`call ${names.chain}`] : [];
}

/** Desired route-map content: seq -> lines, ordered by family then prefix text for stable numbering. */
export function desiredMap(names: OwnedNames, entries: readonly OwnedEntry[]): Map<number, string[]> {
  const sorted = [...entries].sort((a, b) => (a.prefix.family === b.prefix.family ? (a.prefix.text < b.prefix.text ? -1 : 1) : a.prefix.family === 'ipv4' ? -1 : 1));
  const map = new Map<number, string[]>();
  sorted.forEach((e, i) => map.set((i + 1) * 10, entryLines(names, e)));
  map.set(FINAL_SEQ, finalLines(names));
  return map;
}

/** The owned part of a running configuration. */
export interface OwnedView {
  /** Per family, the slot bound to the spine peer-group outbound; `foreign` when another map is. */
  readonly bound: Readonly<Record<AddressFamily, Slot | 'foreign' | null>>;
  readonly foreignName: string | null;
  readonly slots: Readonly<Record<Slot, Map<number, string[]> | null>>;
  /** Owned prefix-lists: name -> the one `permit PREFIX` match it holds (null when malformed). */
  readonly prefixLists: ReadonlyMap<string, string | null>;
}

export function extractOwned(running: RunningConfig, names: OwnedNames): OwnedView {
  const slotOf = (name: string | null): Slot | 'foreign' | null => (name === null ? null : name === routeMapName(names, 'A') ? 'A' : name === routeMapName(names, 'B') ? 'B' : 'foreign');
  const v4 = boundRouteMap(running.bgp, 'ipv4', names.spinePeerGroup, 'out');
  const v6 = boundRouteMap(running.bgp, 'ipv6', names.spinePeerGroup, 'out');
  const slot = (s: Slot): Map<number, string[]> | null => {
    const entries = running.routeMaps.get(routeMapName(names, s));
    if (!entries) return null;
    // A deny entry is never ours: mark it so the map compares unequal.
    return new Map(entries.map((e) => [e.seq, e.action === 'permit' ? [...e.lines] : ['deny']]));
  };
  const prefixLists = new Map<string, string | null>();
  for (const [name, list] of running.prefixLists) {
    if (!name.startsWith(`${names.base}-v4-`) && !name.startsWith(`${names.base}-v6-`)) continue;
    const only = list.entries.length === 1 && list.entries[0]!.action === 'permit' ? list.entries[0]!.match : null;
    prefixLists.set(name, only);
  }
  const foreign = [v4, v6].find((n) => slotOf(n) === 'foreign') ?? null;
  return { bound: { ipv4: slotOf(v4), ipv6: slotOf(v6) }, foreignName: foreign, slots: { A: slot('A'), B: slot('B') }, prefixLists };
}

function sameLines(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

export function sameMap(a: Map<number, string[]> | null, b: Map<number, string[]>): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [seq, lines] of b) if (!sameLines(a.get(seq), lines)) return false;
  return true;
}

/** The slot in force when both families agree on one of ours, else null. */
export function activeSlot(view: OwnedView): Slot | null {
  const { ipv4, ipv6 } = view.bound;
  return ipv4 === ipv6 && (ipv4 === 'A' || ipv4 === 'B') ? ipv4 : null;
}

/** Every difference between the running owned state and the desired one, in words (empty: in sync). */
export function differences(view: OwnedView, names: OwnedNames, entries: readonly OwnedEntry[]): string[] {
  const out: string[] = [];
  const slot = activeSlot(view);
  if (slot === null) out.push(`outbound route-map of ${names.spinePeerGroup} is ipv4 ${view.bound.ipv4 ?? 'none'} / ipv6 ${view.bound.ipv6 ?? 'none'}, expected one of ${names.base}-A/B in both`);
  else if (!sameMap(view.slots[slot], desiredMap(names, entries))) out.push(`route-map ${routeMapName(names, slot)} differs from the desired entries`);
  for (const e of entries) {
    const name = prefixListName(names, e.prefix);
    const match = view.prefixLists.get(name);
    if (match !== e.prefix.text) out.push(match === undefined ? `prefix-list ${name} is missing` : `prefix-list ${name} holds ${match ?? 'unexpected entries'}`);
  }
  return out;
}

/**
 * vtysh commands that bring the owned state to `entries`, or [] when already there. Rebuilds the idle
 * slot, then switches both families to it, then drops owned prefix-lists no entry uses any more.
 */
export function planApply(view: OwnedView, names: OwnedNames, entries: readonly OwnedEntry[]): { commands: string[]; slot: Slot } {
  const current = activeSlot(view);
  if (current !== null && differences(view, names, entries).length === 0) return { commands: [], slot: current };
  const target: Slot = current === 'A' || view.bound.ipv4 === 'A' ? 'B' : 'A';
  const map = routeMapName(names, target);
  const cmds: string[] = ['configure terminal'];
  const wanted = new Set<string>();
  for (const e of entries) {
    const name = prefixListName(names, e.prefix);
    wanted.add(name);
    const have = view.prefixLists.get(name);
    if (have === e.prefix.text) continue;
    const kw = e.prefix.family === 'ipv4' ? 'ip' : 'ipv6';
    if (have !== undefined) cmds.push(`no ${kw} prefix-list ${name}`);
    cmds.push(`${kw} prefix-list ${name} seq 5 permit ${e.prefix.text}`);
  }
  if (view.slots[target] !== null) cmds.push(`no route-map ${map}`);
  for (const [seq, lines] of desiredMap(names, entries)) {
    cmds.push(`route-map ${map} permit ${seq}`);
    cmds.push(...lines);
  }
  cmds.push(`router bgp ${names.asn}`);
  for (const af of FAMILIES) {
    cmds.push(`address-family ${af} unicast`, `neighbor ${names.spinePeerGroup} route-map ${map} out`, 'exit-address-family');
  }
  cmds.push('exit');
  for (const [name] of view.prefixLists) {
    if (!wanted.has(name)) cmds.push(`no ${name.startsWith(`${names.base}-v4-`) ? 'ip' : 'ipv6'} prefix-list ${name}`);
  }
  cmds.push('end');
  return { commands: cmds, slot: target };
}

/** The owned view FRR will show once `planApply`'s commands ran (dry-run keeps going on it). */
export function viewAfter(view: OwnedView, names: OwnedNames, entries: readonly OwnedEntry[], slot: Slot): OwnedView {
  const prefixLists = new Map<string, string | null>(entries.map((e) => [prefixListName(names, e.prefix), e.prefix.text]));
  const slots = { ...view.slots, [slot]: desiredMap(names, entries) } as Record<Slot, Map<number, string[]> | null>;
  return { bound: { ipv4: slot, ipv6: slot }, foreignName: null, slots, prefixLists };
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
    else if ((m = /^set as-path prepend ((?:\d+ ?)+)$/.exec(l))) prepend = m[1]!.trim().split(/\s+/).filter((a) => Number(a) === asn).length;
  }
  return { bandwidth, prepend, prefixList };
}
