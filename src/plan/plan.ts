/**
 * `ballast plan`: sweep every scenario of up to k failures (or search past the budget), and report
 * per strategy the safe load, the headroom against the configured load, the worst scenarios and the
 * server that saturates first; plus quantization and recommendations. Pure: progress and
 * cancellation are injected; the CLI owns the clock, signals and streams.
 */
import { thousands } from '../util/format.js';
import { BallastError } from '../util/errors.js';
import type { Fabric, FleetStrategy } from '../fabric/types.js';
import { decidingStrategy } from '../whatif/whatif.js';
import { sweepsLinks } from './elements.js';
import type { FabricIndex } from '../forwarding/fabric-index.js';
import { SweepEngine } from './engine.js';
import { frrUpgradeAdvice, type FrrUpgradeAdvice } from './frr-advice.js';
import { quantizationReport, type QuantizationReport, type QuantizedModel } from './quantization.js';
import { capacityAdvice, prependAdvice, uplinkAdvice, type CapacityAdvice, type PrependAdvice, type UplinkAdvice } from './recommend.js';
import { drain, KIND_BITS, sweepSteps, type OrderCoverage, type Progress, type ScenarioHit, type SweepParallel, type SweepResult } from './sweep.js';

export const PLAN_SCHEMA_VERSION = 1;

export interface PlanOptions {
  readonly fixture: string;
  readonly k: number;
  readonly strategies: readonly FleetStrategy[];
  /** Most scenarios to evaluate; past it, orders are searched rather than enumerated. */
  readonly budget: number;
  readonly beamWidth: number;
  readonly keepWorst: number;
  readonly recommend: boolean;
  /** Evaluate interchangeable servers once per count (default true); off evaluates every scenario. */
  readonly symmetry?: boolean;
  readonly shouldStop?: () => boolean;
  /** Worker threads for the main sweep's exhaustive orders (same report with or without). */
  readonly parallel?: SweepParallel;
}

export interface ScenarioRow {
  /** Failed elements by name; empty for the fixture's own state. */
  readonly failed: string[];
  /** Safe load as a multiple of the configured load (of the limiting prefix). */
  readonly safeLoadFactor: number;
  readonly prefix: string;
  readonly safeLoad: number;
  readonly saturatingServer: string | null;
}

export interface PrefixPlan {
  readonly prefix: string;
  readonly offeredLoad: number;
  /** The largest offered load that no covered scenario overloads. */
  readonly safeLoad: number;
  /** safeLoad / offeredLoad - 1; null when no load is configured. */
  readonly headroom: number | null;
  readonly worstScenario: string[];
  readonly saturatingServer: string | null;
  readonly overloadedScenarios: number;
  /** In the fixture's own state (no failures). */
  readonly base: { readonly safeLoad: number; readonly saturatingServer: string | null };
}

export interface StrategyPlan {
  readonly name: FleetStrategy;
  /** min over covered scenarios and prefixes of safe load / configured load. */
  readonly safeLoadFactor: number;
  readonly prefixes: PrefixPlan[];
  readonly worst: ScenarioRow[];
  /** The worst scenario per mix of failed kinds ("server", "leaf", "leaf+server", ...). */
  readonly worstByKind: (ScenarioRow & { readonly kinds: string })[];
  readonly overloadedScenarios: number;
}

export interface Coverage {
  readonly complete: boolean;
  readonly interrupted: boolean;
  /** Scenarios covered; `representatives` of them were evaluated (equivalent servers share one). */
  readonly evaluated: number;
  readonly representatives: number;
  /** Every scenario of up to k failures: sum of C(elements, i). */
  readonly total: number;
  readonly orders: OrderCoverage[];
  /** One sentence each: what was covered and what was not. */
  readonly covered: string[];
  readonly notCovered: string[];
}

export interface Recommendations {
  readonly prepend: PrependAdvice | null;
  /** The FRR versions whose spine weight model would serve this fabric clearly better. */
  readonly frr: FrrUpgradeAdvice | null;
  readonly capacity: { readonly baseFactor: number; readonly advice: CapacityAdvice[] } | null;
  readonly uplinks: { readonly checked: number; readonly advice: UplinkAdvice[]; readonly leaves: { leaf: string; uplinkCapacity: number; maxLoad: number; scenario: string[] }[] } | null;
  readonly skipped?: string;
}

export interface PlanReport {
  readonly schemaVersion: typeof PLAN_SCHEMA_VERSION;
  readonly fixture: string;
  readonly fabric: string;
  readonly unit: string;
  readonly k: number;
  /** `links`: leaf-spine (and spine/super-spine) links failed in the sweep; 0 where the fabric is too large for that (elements.ts sweepsLinks). */
  readonly elements: { readonly spines: number; readonly leaves: number; readonly servers: number; readonly links: number };
  readonly coverage: Coverage;
  readonly strategies: StrategyPlan[];
  readonly outages: { readonly count: number; readonly examples: string[][] };
  readonly quantization: QuantizationReport;
  readonly recommendations: Recommendations;
  /** The strategy whose overloads decide the exit code, and whether it overloads anywhere covered. */
  readonly deciding: FleetStrategy;
  readonly overloaded: boolean;
}

export function runPlan(fabric: Fabric, o: PlanOptions): PlanReport {
  return drain(planSteps(fabric, o));
}

/** The plan as a generator of progress (see sweepSteps), returning the report. */
export function* planSteps(fabric: Fabric, o: PlanOptions): Generator<Progress, PlanReport> {
  const engine = new SweepEngine(fabric, o.strategies, o.k, o.symmetry ?? true);
  // With super-spines every scenario goes to the reference code (engine.ts byReference): a whole
  // evaluation per scenario, so only where the fabric is small enough to fail its links too.
  if (fabric.superspines?.length && !sweepsLinks(engine.index)) {
    throw new BallastError('E_TIERS_UNSUPPORTED', `Cannot plan ${fabric.name}: it has super-spines (${fabric.superspines.map((s) => s.name).join(', ')}), and the N-k planner evaluates 5-stage fabrics one whole scenario at a time, only up to 256 leaf-spine links and links x servers 20,000; use "ballast whatif" for this one`);
  }
  const k = Math.min(o.k, engine.elements.length);
  const result = yield* sweepSteps(engine, {
    k,
    budget: o.budget,
    beamWidth: o.beamWidth,
    keepWorst: o.keepWorst,
    ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
    ...(o.parallel ? { parallel: o.parallel } : {}),
  });
  const names = (elements: readonly number[]) => elements.map((e) => engine.elementName(e));
  const serverName = (s: number) => (s >= 0 ? fabric.servers[s]!.name : null);
  const P = engine.nPrefixes;

  // The fixture's own state once more, for the per-prefix base figures.
  engine.run([], 0);
  const baseMax = engine.maxPerCap.slice();
  const baseArg = engine.argServer.slice();

  const strategies = o.strategies.map((name, s): StrategyPlan => {
    const out = result.strategies[s]!;
    const row = (h: ScenarioHit): ScenarioRow => ({
      failed: names(h.elements),
      safeLoadFactor: h.factor,
      prefix: fabric.services[h.prefix]!.prefix.text,
      safeLoad: h.factor * engine.referenceLoad[h.prefix]!,
      saturatingServer: serverName(h.server),
    });
    const prefixes = fabric.services.map((service, p): PrefixPlan => {
      const pw = out.prefixes[p]!;
      const safeLoad = pw.safeLoad === Infinity ? 0 : pw.safeLoad;
      const bm = baseMax[s * P + p]!;
      return {
        prefix: service.prefix.text,
        offeredLoad: service.load,
        safeLoad,
        headroom: service.load > 0 ? safeLoad / service.load - 1 : null,
        worstScenario: names(pw.elements),
        saturatingServer: serverName(pw.server),
        overloadedScenarios: pw.overloads,
        base: { safeLoad: bm > 0 ? 1 / bm : 0, saturatingServer: serverName(baseArg[s * P + p]!) },
      };
    });
    const worstByKind = out.byKind.flatMap((h, mask) => (h ? [{ kinds: kindsText(mask), ...row(h) }] : []));
    return {
      name,
      safeLoadFactor: out.worst[0]?.factor ?? 0,
      prefixes,
      worst: out.worst.map(row),
      worstByKind,
      overloadedScenarios: out.overloadedScenarios,
    };
  });

  // As in whatif: the fleet as configured when planned (what will happen), else ballast, else the first.
  const deciding = decidingStrategy(o.strategies);
  const decidingPlan = strategies.find((s) => s.name === deciding)!;
  // Four more ballast-only sweeps (one per FRR version line): a fraction of the budget, and only when not stopped.
  const factors = new Map<QuantizedModel, number>();
  const quantization = yield* quantizationReport(fabric, { index: engine.index, k: result.interrupted ? 0 : k, budget: Math.max(1, Math.floor(o.budget / 8)), factors, ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}) });
  const recommendations = o.recommend && !result.interrupted
    ? withFrrAdvice(yield* recommend(fabric, o, k, deciding, decidingPlan, engine.index, ownModelFactor(fabric, engine.index, deciding, factors)), quantization)
    : { prepend: null, frr: null, capacity: null, uplinks: null, skipped: result.interrupted ? 'the sweep was interrupted' : 'not requested' };

  const f = engine.index.fabric;
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    fixture: o.fixture,
    fabric: fabric.name,
    unit: fabric.unit,
    k,
    elements: { spines: f.spines.length, leaves: f.leaves.length, servers: engine.elements.filter((e) => engine.elementKind(e) === 'server').length, links: engine.elements.filter((e) => engine.elementKind(e) === 'link' || engine.elementKind(e) === 'uplink').length },
    coverage: coverage(result),
    strategies,
    outages: { count: result.outages.count, examples: result.outages.examples.map(names) },
    quantization,
    recommendations,
    deciding,
    overloaded: decidingPlan.overloadedScenarios > 0,
  };
}

function withFrrAdvice(rec: Omit<Recommendations, 'frr'>, q: QuantizationReport): Recommendations {
  return { ...rec, frr: rec.skipped ? null : frrUpgradeAdvice(q) };
}

/**
 * When every spine already runs one of the quantization models and ballast decides, that model's
 * quantization sweep was the capacity baseline's sweep (same fabric, strategy, k, budget, search):
 * its factor, so the baseline is not swept twice.
 */
function ownModelFactor(fabric: Fabric, index: FabricIndex, deciding: FleetStrategy, factors: ReadonlyMap<QuantizedModel, number>): number | undefined {
  const model = fabric.spines[0]?.weights;
  // The quantization sweeps fail no links: where the plan does, they are not its baseline.
  if (deciding !== 'ballast' || model === undefined || !fabric.spines.every((s) => s.weights === model) || sweepsLinks(index)) return undefined;
  return factors.get(model as QuantizedModel);
}

function* recommend(fabric: Fabric, o: PlanOptions, k: number, deciding: FleetStrategy, plan: StrategyPlan, index: FabricIndex, baseFactor: number | undefined): Generator<Progress, Omit<Recommendations, 'frr'>> {
  // Each recommendation re-sweeps a changed fabric: keep that to a fraction of the main budget.
  const ro = {
    k,
    index,
    budget: Math.max(1, Math.floor(o.budget / 8)),
    deciding,
    capacityCandidates: capacityCandidates(fabric, plan),
    uplinkScenarios: [...plan.worst.map((w) => w.failed), ...plan.worstByKind.map((w) => w.failed)],
    ...(baseFactor === undefined ? {} : { baseFactor }),
    ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
  };
  const prepend = yield* prependAdvice(fabric, ro);
  const capacity = yield* capacityAdvice(fabric, ro);
  yield { phase: 'uplinks', done: 0, planned: 1 };
  const uplinks = uplinkAdvice(fabric, ro);
  // Stopped during a recommendation: what was computed would mislead, so say it was skipped.
  if (o.shouldStop?.()) return { prepend: null, capacity: null, uplinks: null, skipped: 'interrupted while computing recommendations' };
  return { prepend, capacity, uplinks: uplinks.checked > 0 ? uplinks : null };
}

/** Leaves of the servers that saturate first in the worst scenarios; every leaf of a small fabric. */
function capacityCandidates(fabric: Fabric, plan: StrategyPlan): string[] {
  if (fabric.leaves.length <= 8) return fabric.leaves.map((l) => l.name);
  const out: string[] = [];
  for (const w of [...plan.worst, ...plan.worstByKind]) {
    // A dozen rows at most: found by name, not through a map of every server (24,576 entries).
    const leaf = w.saturatingServer ? fabric.servers.find((s) => s.name === w.saturatingServer)?.leaf : undefined;
    if (leaf && !out.includes(leaf)) out.push(leaf);
    if (out.length >= 4) break;
  }
  return out;
}

function kindsText(mask: number): string {
  return (Object.keys(KIND_BITS) as (keyof typeof KIND_BITS)[]).filter((k) => mask & KIND_BITS[k]).join('+') || 'none';
}

function coverage(r: SweepResult): Coverage {
  const covered: string[] = [];
  const notCovered: string[] = [];
  let total = 0;
  const n = thousands;
  for (const o of r.orders) {
    total += o.total;
    const what = o.failures === 0 ? 'the fixture state (no failure)' : `${o.failures} failure${o.failures > 1 ? 's' : ''}`;
    const shared = o.representatives < o.evaluated ? `; ${n(o.representatives)} evaluated, equivalent servers (same leaf, capacity and prefixes) sharing one evaluation` : '';
    if (o.method === 'exhaustive' && o.evaluated === o.total) covered.push(o.failures === 0 ? what : `${what}: all ${n(o.total)} scenarios${shared}`);
    else if (o.evaluated > 0) {
      const how = o.method === 'beam' ? 'beam search from the worst scenarios with one failure less' : 'enumeration';
      covered.push(`${what}: ${n(o.evaluated)} of ${n(o.total)} scenarios (${how}${o.interrupted ? ', interrupted' : ''}${shared})`);
      notCovered.push(`${what}: ${n(o.total - o.evaluated)} scenarios not evaluated; a combination of individually mild failures there can be worse than what was found`);
    } else notCovered.push(`${what}: none of ${n(o.total)} scenarios evaluated${o.interrupted ? ' (interrupted)' : ' (over the budget)'}`);
  }
  return { complete: r.complete, interrupted: r.interrupted, evaluated: r.evaluated, representatives: r.representatives, total, orders: r.orders, covered, notCovered };
}
