/**
 * The what-if as text for a terminal: per prefix a strategy summary, the leaves' advertisements
 * and spine weights, and per server share, load, utilization and a bar. Overloads stand out.
 */
import type { Style } from '../util/style.js';
import { describeAdvertisement } from '../policy/advertisement.js';
import type { PrefixReport, StrategyResult, WhatifHeader, WhatifReport, WhatifVerdict } from './whatif.js';
import { compactNames, table } from '../util/table.js';

const BAR_WIDTH = 10;

export function renderWhatifText(report: WhatifReport, style: Style): string {
  return [whatifTitle(report, style), ...report.prefixes.map((p) => renderPrefixText(p, report, style)), '', verdictText(report, report, style)].join('\n');
}

export function whatifTitle(header: WhatifHeader, style: Style): string {
  const failed = header.failed.length ? `failed: ${compactNames(header.failed)} (${header.failed.length})` : 'no failures';
  return style.bold(`ballast what-if  ${header.fixture}  (${header.fabric}, ${failed})`);
}

export function verdictText(header: WhatifHeader, v: WhatifVerdict, style: Style): string {
  const deciding = header.deciding;
  if (v.outage.length > 0) return style.red(`Outage under ${deciding}: ${v.outage.join(', ')} reach${v.outage.length === 1 ? 'es' : ''} no live server.`);
  return v.overloaded ? style.red(`Overload under ${deciding}: see the servers marked !`) : style.green(`No server overloaded under ${deciding}.`);
}

/** One prefix, preceded by an empty line (the stream prints title, prefixes, empty line, verdict). */
export function renderPrefixText(p: PrefixReport, header: WhatifHeader, style: Style): string {
  const u = header.unit;
  const out: string[] = [''];
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
  const selected = header.servers !== 'all';
  out.push('');
  out.push(style.dim(`leaves: advertisement (kernel weight on each spine) and share of traffic${selected ? ', the highest utilization of its servers' : ''}`));
  const leafNames = p.strategies[0]?.leaves.map((l) => l.name) ?? [];
  const leafRows = leafNames.map((name, i) => [
    name,
    ...p.strategies.map((s) => {
      const leaf = s.leaves[i]!;
      const own = s.name === 'configured' ? `${leaf.strategy}: ` : '';
      const cell = `${own}${describeAdvertisement(leaf.advertisement)} (${weightsText(leaf.spineWeights.filter((w): w is number => w !== null))}) ${pct(leaf.share)}`;
      return selected ? `${cell} max ${pct(leaf.maxUtilization, 0)}` : cell;
    }),
  ]);
  out.push(table(['leaf', ...p.strategies.map((s) => s.name)], leafNames.length > COLLAPSE_LEAVES_ABOVE ? collapseRuns(leafRows) : leafRows));
  out.push('');
  const servers = p.strategies[0]?.servers ?? [];
  out.push(style.dim(`servers: share, load (${u}), utilization${selected ? `; ${selectionWords(header.servers, servers.length, p.totalServers)} (--servers all lists every one)` : ''}`));
  const rows: string[][] = [];
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
  return out.join('\n');
}

/** Above this many leaves, consecutive leaves with identical rows print as one (leaf001..leaf512). */
const COLLAPSE_LEAVES_ABOVE = 32;

function collapseRuns(rows: readonly string[][]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, c) => c === 0 || x === b[c]);
    while (j + 1 < rows.length && same(rows[i]!, rows[j + 1]!)) j++;
    out.push([j > i ? `${rows[i]![0]}..${rows[j]![0]} (${j - i + 1})` : rows[i]![0]!, ...rows[i]!.slice(1)]);
    i = j + 1;
  }
  return out;
}

function weightsText(w: readonly number[]): string {
  if (w.length && w.every((x) => x === w[0])) return `w ${w[0]}`;
  if (w.length <= 4) return `w ${w.join('/')}`;
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of w) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return `w ${lo}-${hi}`;
}

function selectionWords(mode: string, shown: number, total: number): string {
  if (mode === 'overloaded') return `the ${shown} overloaded of ${total} servers`;
  return `the ${shown} most loaded of ${total} servers (each strategy's ${mode.slice(4)})`;
}

function serverCell(s: StrategyResult, i: number, style: Style): string {
  const srv = s.servers[i]!;
  if (srv.status !== 'up') return style.dim(srv.status);
  const over = srv.utilization > 1 + 1e-9;
  const filled = Math.min(BAR_WIDTH, Math.round(srv.utilization * BAR_WIDTH));
  const bar = '█'.repeat(filled) + '·'.repeat(BAR_WIDTH - filled);
  const text = `${shareText(srv.share).padStart(6)} ${srv.load.toFixed(1).padStart(6)} ${pct(srv.utilization, 0).padStart(5)} ${bar}${over ? '!' : ' '}`;
  if (over) return style.red(text);
  return srv.utilization > 0.8 ? style.yellow(text) : text;
}

function strategyNote(s: StrategyResult, style: Style): string {
  const parts: string[] = [];
  if (s.outage) parts.push(style.red('no live server reachable'));
  if (s.overloaded.length) parts.push(style.red(`${s.overloaded.length} overloaded`));
  if (s.name === 'configured') {
    const count = new Map<string, number>();
    for (const l of s.leaves) count.set(l.strategy, (count.get(l.strategy) ?? 0) + 1);
    parts.push(`as configured: ${[...count].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  }
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

/** A share as a percentage; below 0.1 % with two significant digits (1/24,576 is 0.0041 %, not 0.0 %). */
function shareText(x: number): string {
  return x > 0 && x < 0.001 ? `${(x * 100).toPrecision(2)}%` : pct(x);
}

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? String(x) : x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2);
}
