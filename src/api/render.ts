/** `ballast status` and `ballast watch` as text. Pure: protobuf messages in, lines out. */
import { AdvertisementKind, type Advertisement, type GetStateResponse, type InstalledNexthop, type WhatIfResponse, type WatchResponse } from '../gen/ballast/v1/agent.js';
import type { Style } from '../util/style.js';
import { table } from '../util/table.js';

export function advertisementText(a: Advertisement | undefined): string {
  if (!a) return '-';
  if (a.kind === AdvertisementKind.ADVERTISEMENT_KIND_WITHDRAW) return 'withdrawn';
  const parts = [a.bandwidthMbps === undefined ? 'no lb' : `lb ${a.bandwidthMbps} Mbps`];
  if (a.prepend > 0) parts.push(`prepend x${a.prepend}`);
  return parts.join(', ');
}

function ago(d: Date | undefined, now: number): string {
  if (!d) return '-';
  const s = Math.max(0, (now - d.getTime()) / 1000);
  return s < 120 ? `${s.toFixed(0)}s ago` : s < 7200 ? `${(s / 60).toFixed(0)}m ago` : `${(s / 3600).toFixed(1)}h ago`;
}

function nexthopsText(hops: readonly InstalledNexthop[]): string {
  return hops.length ? hops.map((h) => `${h.peer} ${h.kernelWeight ?? h.weight}`).join(', ') : 'no route';
}

/** An observer's state: per prefix the installed next hops and weights, and what each peer sent. */
export function renderObserver(target: string, s: GetStateResponse, style: Style): string {
  const bestpath = s.bestpathBandwidth && s.bestpathBandwidth !== 'default' ? style.yellow(`bgp bestpath bandwidth ${s.bestpathBandwidth}`) : '';
  const head = style.bold(`${s.node} (observer, AS ${s.asn}, FRR ${s.frrVersion || '?'})`) + `  ${target}${bestpath ? `  ${bestpath}` : ''}${s.frrErrorsTotal ? `  ${style.red(`${s.frrErrorsTotal} FRR errors`)}` : ''}`;
  const rows = s.prefixes.map((p) => [p.prefix, nexthopsText(p.installed), p.received.map((r) => `${r.peer} ${r.bandwidthBytesPerSecond === undefined ? 'no lb' : `${r.bandwidthBytesPerSecond / 125000} Mbps`}`).join(', ') || '-']);
  return [head, table(['prefix', 'installed (weight)', 'received link-bandwidth'], rows)].join('\n');
}

/** The leaf's spine links whose BGP session is not Established (the agent's spine-session-down faults), as LEAF/SPINE. */
export function linksDown(s: GetStateResponse): { link: string; detail: string }[] {
  return s.frrFaults.filter((f) => f.kind === 'spine-session-down').map((f) => ({ link: `${s.leaf}/${f.subject}`, detail: f.detail }));
}

export function renderStatus(target: string, s: GetStateResponse, style: Style, now = Date.now()): string {
  if (s.role === 'observer') return renderObserver(target, s, style);
  const out: string[] = [];
  const flags = [s.dryRun ? style.yellow('dry run') : '', linksDown(s).length ? style.red(`links down: ${linksDown(s).map((l) => `${l.link} (${l.detail})`).join(', ')}`) : '', s.leafDrained ? style.yellow(`leaf drained: ${s.leafDrainReason || 'no reason given'}`) : '', s.driftTotal ? `drift restored ${s.driftTotal}x` : '', s.frrErrorsTotal ? style.red(`${s.frrErrorsTotal} FRR errors`) : ''].filter(Boolean);
  out.push(style.bold(`${s.leaf} (AS ${s.asn})`) + `  ${target}  spines: ${s.spines.join(', ') || '-'}${flags.length ? `  ${flags.join('; ')}` : ''}`);
  out.push(
    table(
      ['prefix', 'healthy', 'capacity', 'advertised', 'damping', 'last change'],
      s.prefixes.map((p) => {
        const held = p.damping && p.damping.hold !== 'none';
        const advertised = advertisementText(p.current);
        return [
          p.prefix,
          `${p.healthyServers}/${p.configuredServers}`,
          `${fmt(p.liveCapacity)}/${fmt(p.configuredCapacity)}`,
          p.healthyServers === 0 ? style.red(advertised) : advertised,
          held ? style.yellow(`${p.damping!.hold} -> ${advertisementText(p.target)}`) : 'none',
          `${ago(p.lastChange, now)} (${p.lastReason || '-'})`,
        ];
      }),
    ),
  );
  const servers = new Map<string, string>();
  for (const p of s.prefixes) {
    for (const srv of p.servers) {
      const state = srv.drained ? style.yellow(`drained${srv.drainReason ? ` (${srv.drainReason})` : ''}`) : srv.healthy ? 'healthy' : style.red('down');
      servers.set(srv.name, `${srv.name} ${fmt(srv.capacity)} ${state}`);
    }
  }
  if (servers.size) out.push(style.dim(`servers: ${[...servers.values()].join(', ')}`));
  return out.join('\n');
}

export function renderWhatIf(target: string, leaf: string, plan: WhatIfResponse, fail: readonly string[]): string {
  return [
    `${leaf} (${target}) if ${fail.join(', ')} failed now:`,
    table(['prefix', 'healthy', 'live capacity', 'advertised now', 'would advertise', 'reason'], plan.prefixes.map((p) => [p.prefix, String(p.healthyServers), fmt(p.liveCapacity), advertisementText(p.current), advertisementText(p.predicted), p.reason])),
  ].join('\n');
}

export function renderEvent(leaf: string, e: WatchResponse): string {
  const t = (e.time ?? new Date()).toISOString();
  if (e.decision) {
    const d = e.decision;
    const what = d.changed ? `${advertisementText(d.old)} -> ${advertisementText(d.new)}` : `keeps ${advertisementText(d.new)}${d.hold !== 'none' ? ` (${d.hold}, wants ${advertisementText(d.target)})` : ''}`;
    return `${t} ${leaf} decision ${d.prefix}: ${what}; ${d.healthyServers.length} healthy (${d.healthyServers.join(', ') || 'none'}), capacity ${fmt(d.liveCapacity)}, ${d.reason}`;
  }
  if (e.observation) return `${t} ${leaf} observed ${e.observation.prefix}: ${e.observation.healthyServers.length} healthy (${e.observation.healthyServers.join(', ') || 'none'})`;
  if (e.drift) return `${t} ${leaf} drift: ${e.drift.detail}`;
  if (e.route) return `${t} ${leaf} installed ${e.route.prefix}: ${nexthopsText(e.route.installed)}`;
  return `${t} ${leaf} (unknown event)`;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
