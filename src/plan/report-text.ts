/** The plan as text for a terminal: coverage, safe load per strategy, worst scenarios, quantization, advice. */
import { thousands } from '../util/format.js';
import type { Style } from '../util/style.js';
import { compactNames, table } from '../util/table.js';
import type { PlanReport, StrategyPlan } from './plan.js';
import { QUANTIZED_MODELS, type QuantizedModel } from './quantization.js';
import type { WeightModel } from '../fabric/weight-model.js';

export function renderPlanText(r: PlanReport, style: Style): string {
  const u = r.unit;
  const out: string[] = [];
  const e = r.elements;
  out.push(style.bold(`ballast plan  ${r.fixture}  (${r.fabric}: ${e.spines} spines, ${e.leaves} leaves, ${e.servers} servers up, ${e.links ? `${e.links} links` : 'links not failed (too many: whatif --fail LEAF/SPINE)'}; up to ${r.k} failure${r.k === 1 ? '' : 's'})`));
  out.push('');
  const c = r.coverage;
  out.push(c.complete ? style.green(`Coverage: exhaustive, ${thousands(c.evaluated)} scenarios.`) : style.yellow(`Coverage: partial, ${thousands(c.evaluated)} of ${thousands(c.total)} scenarios${c.interrupted ? ' (interrupted)' : ''}.`));
  for (const line of c.covered) out.push(`  covered: ${line}`);
  for (const line of c.notCovered) out.push(style.yellow(`  not covered: ${line}`));
  if (r.outages.count > 0) {
    out.push(`  ${r.outages.count} scenario${r.outages.count === 1 ? ' leaves' : 's leave'} a prefix with no live server at all (e.g. ${r.outages.examples.map((x) => x.join('+')).slice(0, 3).join(', ')}): outages, not counted in safe loads.`);
  }

  for (let p = 0; p < (r.strategies[0]?.prefixes.length ?? 0); p++) {
    const first = r.strategies[0]!.prefixes[p]!;
    out.push('');
    out.push(style.bold(`${first.prefix}`) + `  offered ${num(first.offeredLoad)} ${u}`);
    out.push(table(
      ['strategy', `safe load (${u})`, 'headroom', 'worst scenario', 'saturates first', 'overloaded scenarios', `no failure: safe load`],
      r.strategies.map((s) => {
        const x = s.prefixes[p]!;
        const over = x.overloadedScenarios > 0;
        return [
          s.name,
          num(x.safeLoad),
          x.headroom === null ? '-' : (over ? style.red : (t: string) => t)(pct(x.headroom, true)),
          x.worstScenario.length ? scenarioText(x.worstScenario) : '(none)',
          x.saturatingServer ?? '-',
          over ? style.red(`${x.overloadedScenarios}`) : '0',
          `${num(x.base.safeLoad)}`,
        ];
      }),
    ));
  }

  out.push('');
  out.push(style.dim(`worst scenario per kind of failure: safe load as a multiple of the configured load (scenario, saturating server)`));
  const kinds = [...new Set(r.strategies.flatMap((s) => s.worstByKind.map((w) => w.kinds)))].filter((k) => k !== 'none');
  out.push(table(
    ['failed', ...r.strategies.map((s) => s.name)],
    kinds.map((kind) => [kind, ...r.strategies.map((s) => {
      const w = s.worstByKind.find((x) => x.kinds === kind);
      return w ? `${w.safeLoadFactor.toFixed(3)}x (${scenarioText(w.failed)}, ${w.saturatingServer ?? '-'})` : '-';
    })]),
  ));

  const deciding = r.strategies.find((s) => s.name === r.deciding);
  if (deciding && deciding.worst.length > 1) {
    out.push('');
    out.push(style.dim(`worst scenarios under ${deciding.name}`));
    out.push(worstTable(deciding, u));
  }

  out.push('');
  out.push(...quantizationText(r, style));
  out.push('');
  out.push(...recommendationText(r, style));
  out.push('');
  out.push(r.overloaded
    ? style.red(`Overload under ${r.deciding}: ${deciding?.overloadedScenarios ?? 0} covered scenario(s) push a server above 100 % at the configured load.`)
    : style.green(`No covered scenario overloads a server under ${r.deciding} at the configured load.`));
  return out.join('\n');
}

function worstTable(s: StrategyPlan, unit: string): string {
  return table(['scenario', 'prefix', `safe load (${unit})`, 'x configured', 'saturates first'], s.worst.map((w) => [
    w.failed.length ? scenarioText(w.failed) : '(no failure)', w.prefix, num(w.safeLoad), `${w.safeLoadFactor.toFixed(3)}x`, w.saturatingServer ?? '-',
  ]));
}

function quantizationText(r: PlanReport, style: Style): string[] {
  const out: string[] = [];
  const q = r.quantization;
  // Speak in FRR versions: the model names are only the fixture's override spelling.
  const named = (m: WeightModel) => q.versions[m];
  out.push(style.bold('Quantization') + style.dim(` (ballast, no failures; spines configured ${q.configured.map((m) => `${named(m)} (${m})`).join(', ')}): leaf share vs ideal per spine FRR version`));
  for (const p of q.prefixes) {
    const worst = QUANTIZED_MODELS.map((m) => `${named(m)} ${(p.worstError[m].error * 100).toFixed(2)}%${p.worstError[m].leaf ? ` (${p.worstError[m].leaf})` : ''}`).join('; ');
    out.push(`  ${p.prefix}: worst leaf error ${worst}`);
    const sc = QUANTIZED_MODELS.map((m) => `${named(m)} ${p.scenarios[m].maxOverIdeal.toFixed(3)}${p.scenarios[m].failed.length ? ` (${scenarioText(p.scenarios[m].failed)})` : ' (no failure)'}`).join('; ');
    out.push(`    worst max/ideal over ${thousands(q.swept.scenarios)} scenarios of up to ${q.swept.k} failures${q.swept.complete ? '' : ' (searched)'}: ${sc}`);
    // The leaves furthest from ideal under the configured model (or FRR 8's), at most 8.
    const model = (QUANTIZED_MODELS as readonly string[]).includes(q.configured[0] ?? '') ? (q.configured[0] as QuantizedModel) : 'frr8';
    const rows = [...p.leaves].sort((a, b) => Math.abs(b.share[model] / b.ideal - 1) - Math.abs(a.share[model] / a.ideal - 1)).slice(0, 8);
    if (rows.length && p.worstError[model].error > 1e-9) {
      out.push(table(['  leaf', 'ideal', ...QUANTIZED_MODELS.map(named)], rows.map((l) => [`  ${l.leaf}`, pct(l.ideal), ...QUANTIZED_MODELS.map((m) => `${pct(l.share[m])} (${pct(l.share[m] / l.ideal - 1, true)})`)])));
    }
  }
  return out;
}

function recommendationText(r: PlanReport, style: Style): string[] {
  const out: string[] = [style.bold('Recommendations')];
  const rec = r.recommendations;
  if (rec.skipped) {
    out.push(`  (skipped: ${rec.skipped})`);
    return out;
  }
  if (rec.prepend) {
    const p = rec.prepend;
    const better = p.best.safeLoadFactor > p.current.safeLoadFactor + 1e-12 || p.best.overloadedScenarios < p.current.overloadedScenarios;
    out.push(`- Spines ${compactNames(p.spines)} ignore link-bandwidth: there ballast can only prepend.`);
    out.push(better
      ? `  Set policy.mode link-bandwidth+prepend with prepend.below-fraction ${p.best.belowFraction}: safe load ${p.current.safeLoadFactor.toFixed(3)}x -> ${p.best.safeLoadFactor.toFixed(3)}x, overloaded scenarios ${p.current.overloadedScenarios} -> ${p.best.overloadedScenarios}.`
      : `  No prepend threshold (tried ${p.candidates.map((c) => c.belowFraction).join(', ')}) beats the current policy (${p.current.safeLoadFactor.toFixed(3)}x).`);
  }
  if (rec.frr) {
    const f = rec.frr;
    out.push(`- Spines on ${f.current.versions} weight this fabric too coarsely: a server gets up to ${f.current.maxOverIdeal.toFixed(3)}x its ideal share.`);
    out.push(`  Upgraded spines bring that to ${f.better.map((b) => `${b.maxOverIdeal.toFixed(3)}x on ${b.versions}`).join('; ')} (same failures, see Quantization).`);
  }
  if (rec.capacity) {
    const best = rec.capacity.advice[0];
    if (best && best.gain > 1 + 1e-9) {
      out.push(`- One more server of capacity ${num(best.addedCapacity)} behind ${best.leaf} raises the safe load most: ${rec.capacity.baseFactor.toFixed(3)}x -> ${best.safeLoadFactor.toFixed(3)}x (+${((best.gain - 1) * 100).toFixed(1)}%).`);
      for (const a of rec.capacity.advice.slice(1, 3).filter((x) => x.gain > 1 + 1e-9)) out.push(`  then ${a.leaf}: ${a.safeLoadFactor.toFixed(3)}x (+${((a.gain - 1) * 100).toFixed(1)}%)`);
    } else if (rec.capacity.advice.length) {
      out.push(`- No single added server (tried behind ${compactNames(rec.capacity.advice.map((a) => a.leaf))}) raises the safe load: the limiting scenarios recur elsewhere, so capacity has to grow on several leaves.`);
    }
  }
  if (rec.uplinks) {
    if (rec.uplinks.advice.length === 0) out.push(`- Uplinks: no leaf exceeds its uplink capacity under ${r.deciding} (${rec.uplinks.checked} scenarios checked: no failure, each single leaf and spine failure, the worst found).`);
    for (const a of rec.uplinks.advice.slice(0, 8)) {
      out.push(style.yellow(`- Uplinks of ${a.leaf} would saturate under weighted ECMP: ${num(a.maxLoad)} ${r.unit} into a ${num(a.uplinkCapacity)} ${r.unit} uplink (${pct(a.utilization)})${a.scenario.length ? ` when ${scenarioText(a.scenario)} fail` : ''}.`));
    }
    if (rec.uplinks.advice.length > 8) out.push(`  ... and ${rec.uplinks.advice.length - 8} more leaves`);
  }
  if (out.length === 1) out.push('  (none)');
  return out;
}

/** Failed elements joined with +, runs compacted: server02..server08+leaf03. */
function scenarioText(names: readonly string[]): string {
  return compactNames(names).split(',').join('+');
}

function pct(x: number, signed = false): string {
  const t = `${(x * 100).toFixed(1)}%`;
  return signed && x >= 0 ? `+${t}` : t;
}

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  // 90.00000000000001 is 90: float noise from share arithmetic should not show.
  if (Math.abs(x - Math.round(x)) <= 1e-9 * Math.max(1, Math.abs(x))) return String(Math.round(x));
  return x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2);
}
