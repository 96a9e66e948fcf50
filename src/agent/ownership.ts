/**
 * What the agent owns in FRR, as pure functions over the parsed running configuration: the names it
 * uses, the check that it may take them over at start-up (E_AGENT_OWNERSHIP), the adoption of what
 * runs (so a restart changes nothing that is still right) and the desired configuration from the
 * per-prefix states. No vtysh here: the loop (agent.ts) reads FRR and hands the result in.
 */
import { activeSlot, adoptedEntries, adoptedHolds, desiredConfig, extractOwned, inboundMapName, layoutFor, prefixListName, type DesiredConfig, type Layout, type OwnedEntry, type OwnedNames, type OwnedView } from '../frr/ballast-route-map.js';
import type { RunningConfig } from '../frr/running-config.js';
import type { Prefix } from '../fabric/prefix.js';
import { initialDamping } from '../policy/damping.js';
import { BallastError } from '../util/errors.js';
import type { AgentConfig, AgentReloadable, AgentStatic } from './config.js';
import { neighborIndex, type NeighborIndex } from './observation.js';
import { EMPTY_PREFIX_STATE, type PrefixState } from './step.js';

export function ownedNames(s: AgentStatic): OwnedNames {
  return { base: s.routeMap, asn: s.asn, spinePeerGroup: s.spinePeerGroup, chain: s.chainRouteMap };
}

/** The configured server neighbors: each gets an inbound hold map. */
export function serverNeighbors(r: AgentReloadable): string[] {
  return r.servers.map((x) => x.neighbor);
}

/** Prefixes grouped by their configured servers: such prefixes move together (one entry, not many). */
export function prefixLayout(r: AgentReloadable, names: OwnedNames): Layout {
  const key = (p: Prefix) => r.servers.filter((s) => s.prefixes.includes(p.text)).map((s) => s.neighbor).sort().join(',');
  return layoutFor(names, r.prefixes, key);
}

/** Per-prefix lists of managed prefixes: kept when unused, since building them again costs more. */
export function keptLists(config: AgentConfig): Set<string> {
  const names = ownedNames(config.static);
  return new Set(config.reloadable.prefixes.map((p) => prefixListName(names, p)));
}

/**
 * Refuse to start on an FRR the agent cannot safely take over: another BGP instance, no spine
 * peer-group, an outbound route-map it does not own (unless named as the chain), or an inbound
 * route-map on a server neighbor it does not own. Returns the owned view and the neighbors by role.
 */
export function checkOwnership(running: RunningConfig, config: AgentConfig): { view: OwnedView; neighbors: NeighborIndex } {
  const s = config.static;
  const bgp = running.bgp;
  if (bgp === null) throw new BallastError('E_AGENT_OWNERSHIP', 'FRR runs no BGP instance: expected `router bgp` with the spine peer-group');
  if (bgp.asn !== s.asn) throw new BallastError('E_AGENT_OWNERSHIP', `FRR runs router bgp ${bgp.asn}, expected bgp.asn ${s.asn} from the agent config`);
  if (!bgp.peerGroups.has(s.spinePeerGroup)) throw new BallastError('E_AGENT_OWNERSHIP', `FRR has no peer-group ${JSON.stringify(s.spinePeerGroup)}: expected the spine-facing peer-group named in bgp.spine-peer-group`);
  const names = ownedNames(s);
  const servers = serverNeighbors(config.reloadable);
  const view = extractOwned(running, names, servers);
  if (view.foreignName !== null && view.foreignName !== s.chainRouteMap) {
    throw new BallastError(
      'E_AGENT_OWNERSHIP',
      `${s.spinePeerGroup} already uses route-map ${JSON.stringify(view.foreignName)} outbound, which the agent does not own: set bgp.chain-route-map to ${JSON.stringify(view.foreignName)} so the agent's maps call it, or remove it`,
    );
  }
  // Holds need the server neighbors' inbound policy: refuse to replace one the agent does not own.
  const groups = new Set(servers.map((n) => bgp.neighbors.get(n)).filter((g): g is string => typeof g === 'string'));
  for (const r of bgp.routeMaps) {
    if (r.direction !== 'in') continue;
    const ours = r.routeMap === inboundMapName(names, r.neighbor);
    if (!ours && (groups.has(r.neighbor) || servers.includes(r.neighbor))) {
      throw new BallastError('E_AGENT_OWNERSHIP', `${r.neighbor} uses route-map ${JSON.stringify(r.routeMap)} inbound (${r.af}), which the agent does not own; the agent needs the server neighbors' inbound policy to hold returning servers back`);
    }
  }
  return { view, neighbors: neighborIndex(config.reloadable, s.spinePeerGroup, bgp) };
}

export interface Adoption {
  /** Every managed prefix's starting state. */
  readonly states: Map<string, PrefixState>;
  /** The slot of the active route-map found running (null: none). */
  readonly slot: ReturnType<typeof activeSlot>;
  /** Prefixes whose entry was found running. */
  readonly adopted: number;
}

/** Start from what the active route-map holds, so a restart changes nothing that is still right. */
export function adopt(view: OwnedView, config: AgentConfig, now: number): Adoption {
  const names = ownedNames(config.static);
  const layout = prefixLayout(config.reloadable, names);
  const entries = adoptedEntries(view, names, layout);
  const holds = adoptedHolds(view, names, layout);
  const states = new Map<string, PrefixState>();
  for (const p of config.reloadable.prefixes) {
    const entry = entries.get(p.text);
    const held = holds.get(p.text) ?? new Set<string>();
    if (!entry) {
      states.set(p.text, { ...EMPTY_PREFIX_STATE, held });
      continue;
    }
    // An explicit value is a known advertisement (damped from there); cumulative is re-derived on the first read.
    const explicit = typeof entry.bandwidth === 'number' || (entry.bandwidth === null && entry.prepend > 0);
    const damping = explicit ? initialDamping({ kind: 'advertise', bandwidthMbps: typeof entry.bandwidth === 'number' ? entry.bandwidth : null, prepend: entry.prepend }, now) : null;
    states.set(p.text, { ...EMPTY_PREFIX_STATE, damping, entry, held });
  }
  return { states, slot: activeSlot(view), adopted: entries.size };
}

/** What FRR should hold for these prefix states; null while no prefix has anything to say yet. */
export function desired(config: AgentConfig, prefixes: ReadonlyMap<string, PrefixState>): DesiredConfig | null {
  const entries = new Map<string, OwnedEntry>();
  const holds = new Map(serverNeighbors(config.reloadable).map((n) => [n, new Set<string>()]));
  for (const [text, s] of prefixes) {
    if (s.entry !== null) entries.set(text, s.entry);
    for (const n of s.held) holds.get(n)?.add(text);
  }
  const names = ownedNames(config.static);
  return entries.size === 0 ? null : desiredConfig(names, prefixLayout(config.reloadable, names), entries, holds);
}
