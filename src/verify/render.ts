/** `ballast verify` as text and JSON. Pure. */
import { formatWeights } from '../lab/predict.js';
import type { Style } from '../util/style.js';
import { table } from '../util/table.js';
import type { RouterCheck, Verification } from './verify.js';

const order = (c: RouterCheck) => [...new Set([...c.predicted.keys(), ...c.installed.keys()])].sort();

export function renderVerification(v: Verification, style: Style): string {
  const out: string[] = [];
  const differ = v.checks.filter((c) => !c.equal);
  out.push(`verify: ${v.checks.length} route${v.checks.length === 1 ? '' : 's'} checked (prefix x spine), ${v.checks.length - differ.length} as predicted, ${differ.length ? style.red(`${differ.length} differ`) : '0 differ'}`);
  out.push(
    table(
      ['prefix', 'router', 'frr', 'model', 'predicted', 'installed', 'result'],
      v.checks.map((c) => [c.prefix, c.router, c.frrVersion || '?', c.model, formatWeights(c.predicted, order(c)), formatWeights(c.installed, order(c)), c.equal ? 'ok' : c.settling ? style.yellow('differs (damping settling)') : style.red('DIFFERS')]),
    ),
  );
  for (const c of differ) {
    out.push(`${c.prefix} on ${c.router}:`);
    for (const leaf of order(c)) {
      const p = c.predicted.get(leaf);
      const i = c.installed.get(leaf);
      if (p === i) continue;
      const rx = c.receivedMbps.get(leaf);
      out.push(`  ${leaf}: predicted ${p ?? 'no next hop'}, installed ${i ?? 'no next hop'}${rx === undefined ? ', received no link-bandwidth' : `, received ${rx} Mbps`}`);
    }
    for (const cause of c.causes) out.push(`  cause: ${cause}`);
  }
  for (const f of v.findings) out.push(`${style.yellow('finding')}: ${f.detail} [${f.cause}]`);
  for (const w of v.warnings) out.push(style.dim(`warning: ${w}`));
  return out.join('\n');
}

export function verificationJson(v: Verification) {
  const obj = (m: ReadonlyMap<string, number>) => Object.fromEntries([...m].sort());
  return {
    schemaVersion: 1,
    equal: v.equal,
    checks: v.checks.map((c) => ({ prefix: c.prefix, router: c.router, frrVersion: c.frrVersion, model: c.model, predicted: obj(c.predicted), installed: obj(c.installed), receivedMbps: obj(c.receivedMbps), equal: c.equal, settling: c.settling, causes: c.causes })),
    findings: v.findings,
    warnings: v.warnings,
  };
}

/** One line per route whose result changed since the last round (for --watch). */
export function transitions(before: Verification | null, now: Verification, at: Date): string[] {
  const prev = new Map((before?.checks ?? []).map((c) => [`${c.prefix} ${c.router}`, c]));
  const lines: string[] = [];
  for (const c of now.checks) {
    const p = prev.get(`${c.prefix} ${c.router}`);
    if (p && p.equal === c.equal && (c.equal || formatWeights(p.installed, order(p)) === formatWeights(c.installed, order(c)))) continue;
    if (!p && c.equal && before !== null) continue;
    const state = c.equal ? 'as predicted' : `DIFFERS: predicted ${formatWeights(c.predicted, order(c))}, installed ${formatWeights(c.installed, order(c))}${c.causes.length ? ` (${c.causes.join('; ')})` : ''}`;
    lines.push(`${at.toISOString()} ${c.prefix} ${c.router}: ${p ? `${p.equal ? 'as predicted' : 'differed'} -> ` : ''}${state}`);
  }
  return lines;
}
