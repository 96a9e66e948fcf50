/**
 * The static skeleton of what the agent owns in FRR, for configuration managers that rewrite
 * frr.conf (Cumulus NVUE, frr-reload.py with the operator's file): both outbound route-maps with
 * their group entries and catch-all, the group prefix-lists, the inbound hold maps' catch-alls and
 * every binding. Declared there, a reload keeps them (no map disappears under a bound neighbor) and
 * the agent only edits values. Values are those of a fully healthy leaf: `cumulative` when FRR sums
 * the servers' own link-bandwidth (fast-cut and weight-servers), else the configured capacity.
 * Pure: config in, text out (docs/cumulus.md).
 */
import { FAMILIES, desiredConfig, inboundMapName, routeMapName, type DesiredConfig, type OwnedEntry, type OwnedNames } from '../frr/ballast-route-map.js';
import { MAX_BANDWIDTH_MBPS } from '../fabric/types.js';
import type { AgentConfig } from './config.js';
import { ownedNames, prefixLayout, serverNeighbors } from './ownership.js';

export function skeleton(config: AgentConfig): { names: OwnedNames; desired: DesiredConfig } {
  const r = config.reloadable;
  const names = ownedNames(config.static);
  const cumulative = r.fastCut && r.policy.weightServers && r.policy.mode !== 'prepend';
  const entries = new Map<string, OwnedEntry>();
  for (const prefix of r.prefixes) {
    const capacity = r.servers.filter((s) => s.prefixes.includes(prefix.text)).reduce((a, s) => a + s.capacity, 0);
    const explicit = Math.min(MAX_BANDWIDTH_MBPS, Math.max(1, Math.round(capacity * r.policy.mbpsPerUnit)));
    entries.set(prefix.text, { prefix, bandwidth: r.policy.mode === 'prepend' ? null : cumulative ? 'cumulative' : explicit, prepend: 0 });
  }
  const holds = new Map(serverNeighbors(r).map((n) => [n, new Set<string>()]));
  return { names, desired: desiredConfig(names, prefixLayout(r, names), entries, holds) };
}

/** frr.conf text (what frr-reload.py and NVUE's `frr.conf` snippets take). */
export function skeletonFrrConf(config: AgentConfig): string {
  const { names, desired } = skeleton(config);
  const out: string[] = [`! ballast agent skeleton for ${config.static.leaf} (ballast agent nvue-snippet): the agent edits values, never names`];
  for (const [name, list] of desired.lists) {
    list.prefixes.forEach((p, i) => out.push(`${list.family === 'ipv4' ? 'ip' : 'ipv6'} prefix-list ${name} seq ${5 * (i + 1)} permit ${p}`));
  }
  const map = (name: string, entries: ReadonlyMap<number, readonly string[]>) => {
    for (const [seq, lines] of entries) out.push(`route-map ${name} permit ${seq}`, ...lines.map((l) => ` ${l}`), 'exit');
  };
  for (const slot of ['A', 'B'] as const) map(routeMapName(names, slot), desired.map);
  for (const [neighbor, entries] of desired.inbound) map(inboundMapName(names, neighbor), entries);
  out.push(`router bgp ${names.asn}`);
  for (const af of FAMILIES) {
    out.push(` address-family ${af} unicast`, `  neighbor ${names.spinePeerGroup} route-map ${routeMapName(names, 'A')} out`);
    for (const neighbor of desired.inbound.keys()) out.push(`  neighbor ${neighbor} route-map ${inboundMapName(names, neighbor)} in`);
    out.push(' exit-address-family');
  }
  out.push('exit');
  return `${out.join('\n')}\n`;
}

/** The same skeleton as NVUE commands (Cumulus Linux 5: `nv set router policy ...`, `nv set vrf default router bgp ...`). */
export function skeletonNvue(config: AgentConfig): string {
  const { names, desired } = skeleton(config);
  const out: string[] = [`# ballast agent skeleton for ${config.static.leaf}: the agent edits values, never names`];
  for (const [name, list] of desired.lists) {
    out.push(`nv set router policy prefix-list ${name} type ${list.family}`);
    list.prefixes.forEach((p, i) => out.push(`nv set router policy prefix-list ${name} rule ${5 * (i + 1)} match ${p}`, `nv set router policy prefix-list ${name} rule ${5 * (i + 1)} action permit`));
  }
  const map = (name: string, entries: ReadonlyMap<number, readonly string[]>) => {
    for (const [seq, lines] of entries) {
      const rule = `nv set router policy route-map ${name} rule ${seq}`;
      out.push(`${rule} action permit`);
      for (const line of lines) out.push(`${rule} ${nvueClause(line)}`);
    }
  };
  for (const slot of ['A', 'B'] as const) map(routeMapName(names, slot), desired.map);
  for (const [neighbor, entries] of desired.inbound) map(inboundMapName(names, neighbor), entries);
  for (const af of FAMILIES) {
    const nvAf = `${af}-unicast`;
    out.push(`nv set vrf default router bgp peer-group ${names.spinePeerGroup} address-family ${nvAf} policy outbound route-map ${routeMapName(names, 'A')}`);
    for (const neighbor of desired.inbound.keys()) out.push(`nv set vrf default router bgp neighbor ${neighbor} address-family ${nvAf} policy inbound route-map ${inboundMapName(names, neighbor)}`);
  }
  out.push('nv config apply');
  return `${out.join('\n')}\n`;
}

/** One route-map line in NVUE's spelling (docs/cumulus.md has the table). */
function nvueClause(line: string): string {
  const m = /^match (ip|ipv6) address prefix-list (\S+)$/.exec(line);
  if (m) return `match ${m[1] === 'ip' ? 'ip-prefix-list' : 'ipv6-prefix-list'} ${m[2]}`;
  const bw = /^set extcommunity bandwidth (\S+)$/.exec(line);
  if (bw) return `set ext-community-bw ${bw[1] === 'num-multipaths' ? 'multipaths' : bw[1]}`;
  const prepend = /^set as-path prepend (.+)$/.exec(line);
  if (prepend) return `set as-path-prepend as ${prepend[1]}`;
  const call = /^call (\S+)$/.exec(line);
  if (call) return `call ${call[1]}`;
  return line;
}
