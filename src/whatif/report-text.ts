/**
 * The what-if as text for a terminal: per prefix a strategy summary, the leaves' advertisements
 * and spine weights, and per server share, load, utilization and a bar. Overloads stand out.
 */
import type { Style } from '../util/style.js';
import { describeAdvertisement } from '../policy/advertisement.js';
import type { PrefixReport, StrategyResult, WhatifReport } from './whatif.js';
import { compactNames, table } from '../util/table.js';

const BAR_WIDTH = 10;

export function renderWhatifText(report: WhatifReport, style: Style): string {
  const out: string[] = [];
  const failed = report.failed.length ? `failed: ${compactNames(report.failed)} (${report.failed.length})` : 'no failures';
  out.push(style.bold(`ballast what-if  ${report.fixture}  (${report.fabric}, ${failed})`));
  for (const p of report.prefixes) out.push('', ...renderPrefix(p, report, style));
  out.push('');
  const deciding = report.deciding;
  if (report.outage.length > 0) out.push(style.red(`Outage under ${deciding}: ${report.outage.join(', ')} reach${report.outage.length === 1 ? 'es' : ''} no live server.`));
  else out.push(report.overloaded ? style.red(`Overload under ${deciding}: see the servers marked !`) : style.green(`No server overloaded under ${deciding}.`));
  return out.join('\n');
}

function renderPrefix(p: PrefixReport, report: WhatifReport, style: Style): string[] {
  const u = report.unit;
  const out: string[] = [];
  out.push(style.bold(`${p.prefix}`) + `  offered ${num(p.offeredLoad)} ${u}, live capacity ${num(p.liveCapacity)} ${u} on ${p.liveServers} servers`);
  out.push('');
  out.push(table(
    ['strategy', 'max util', 'max/ideal', 'jain', `safe load (${u})`, 'note'],
    p.strategies.map((s) => [
      s.name,
      s.outage ? style.red('outage !') : utilText(s.maxUtilization, style),
      s.maxOverIdeal.toFixed(2),
      s.jain.toFixed(3),
      num(s.safeLoad),
      strategyNote(s, style),
    ]),
  ));
  out.push('');
  out.push(style.dim('leaves: advertisement (kernel weight on each spine) and share of traffic'));
  const leafNames = p.strategies[0]?.leaves.map((l) => l.name) ?? [];
  out.push(table(
    ['leaf', ...p.strategies.map((s) => s.name)],
    leafNames.map((name, i) => [
      name,
      ...p.strategies.map((s) => {
        const leaf = s.leaves[i]!;
        const w = Object.values(leaf.spineWeights);
        const weights = w.length && w.every((x) => x === w[0]) ? `w ${w[0]}` : `w ${w.join('/')}`;
        return `${describeAdvertisement(leaf.advertisement)} (${weights}) ${pct(leaf.share)}`;
      }),
    ]),
  ));
  out.push('');
  out.push(style.dim(`servers: share, load (${u}), utilization`));
  const rows: string[][] = [];
  const servers = p.strategies[0]?.servers ?? [];
  // Servers out of service add nothing to read: one row per run of them behind the same leaf.
  for (let i = 0; i < servers.length; ) {
    const srv = servers[i]!;
    if (srv.status === 'up') {
      rows.push([srv.name, srv.leaf, num(srv.capacity), ...p.strategies.map((s) => serverCell(s, i, style))]);
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < servers.length && servers[j + 1]!.status === srv.status && servers[j + 1]!.leaf === srv.leaf) j++;
    const names = servers.slice(i, j + 1).map((x) => x.name);
    rows.push([style.dim(compactNames(names)), srv.leaf, '', ...p.strategies.map(() => style.dim(srv.status))]);
    i = j + 1;
  }
  out.push(table(['server', 'leaf', 'cap', ...p.strategies.map((s) => s.name)], rows));
  return out;
}

function serverCell(s: StrategyResult, i: number, style: Style): string {
  const srv = s.servers[i]!;
  if (srv.status !== 'up') return style.dim(srv.status);
  const over = srv.utilization > 1 + 1e-9;
  const filled = Math.min(BAR_WIDTH, Math.round(srv.utilization * BAR_WIDTH));
  const bar = '█'.repeat(filled) + '·'.repeat(BAR_WIDTH - filled);
  const text = `${pct(srv.share).padStart(6)} ${srv.load.toFixed(1).padStart(6)} ${pct(srv.utilization, 0).padStart(5)} ${bar}${over ? '!' : ' '}`;
  if (over) return style.red(text);
  return srv.utilization > 0.8 ? style.yellow(text) : text;
}

function strategyNote(s: StrategyResult, style: Style): string {
  const parts: string[] = [];
  if (s.outage) parts.push(style.red('no live server reachable'));
  if (s.overloaded.length) parts.push(style.red(`${s.overloaded.length} overloaded`));
  const q = s.quantization;
  if (q) {
    if (q.note) parts.push(q.note);
    else parts.push(q.within ? `within the ${q.versions} quantization bound ${q.bound.toFixed(3)}` : style.yellow(`beyond the ${q.versions} quantization bound ${q.bound.toFixed(3)}`));
  }
  return parts.join('; ');
}

function utilText(u: number, style: Style): string {
  const t = pct(u);
  return u > 1 + 1e-9 ? style.red(`${t} !`) : t;
}

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? String(x) : x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2);
}
