/**
 * Quantization report: per leaf, the share of each prefix's traffic the spines would give it under
 * ballast with each FRR version's weight model, against the ideal (its live capacity over the
 * total), in the fixture's own state. Shows what a spine upgrade (FRR 8 -> 10 -> 16-bit) buys.
 */
import type { Fabric, WeightModel } from '../fabric/types.js';
import { modelVersions, WEIGHT_MODELS } from '../fabric/weight-model.js';
import { withFabric, type FabricIndex } from '../forwarding/fabric-index.js';
import { SweepEngine } from './engine.js';
import { sweepSteps, type Progress } from './sweep.js';

/** Oldest FRR first: 7.4-9.1, 10.2-10.4, 10.0-10.1 and 10.5+, 10.5+ with 16-bit weights. */
export const QUANTIZED_MODELS = ['frr8', 'frr10-254', 'frr10', 'frr10-16bit'] as const satisfies readonly WeightModel[];
export type QuantizedModel = (typeof QUANTIZED_MODELS)[number];

export interface QuantizationLeaf {
  readonly leaf: string;
  readonly ideal: number;
  /** Predicted share under each model, keyed by model name. */
  readonly share: Readonly<Record<QuantizedModel, number>>;
}

export interface QuantizationPrefix {
  readonly prefix: string;
  readonly leaves: QuantizationLeaf[];
  /** max over leaves of |share / ideal - 1|, per model; and the leaf where it happens. */
  readonly worstError: Readonly<Record<QuantizedModel, { readonly error: number; readonly leaf: string | null }>>;
  /**
   * Per model, over the swept failure scenarios: the largest max/ideal server share under ballast
   * (1 = perfect) and the scenario. Failures make leaves unequal, which is where resolution bites.
   */
  readonly scenarios: Readonly<Record<QuantizedModel, { readonly maxOverIdeal: number; readonly failed: string[] }>>;
}

export interface QuantizationReport {
  /** The models the fixture's spines use (the report applies each model to all spines). */
  readonly configured: WeightModel[];
  /** The FRR versions behind each model, as reports should name them. */
  readonly versions: Readonly<Record<WeightModel, string>>;
  readonly prefixes: QuantizationPrefix[];
  /** What the scenario figures cover: failures up to k, how many scenarios per model. */
  readonly swept: { readonly k: number; readonly scenarios: number; readonly complete: boolean };
}

export interface QuantizationSweep {
  readonly k: number;
  /** The fabric's index when the caller has one (saves rebuilding it per model). */
  readonly index?: FabricIndex;
  readonly budget: number;
  readonly shouldStop?: () => boolean;
  /**
   * Filled with each model's ballast safe load factor over its sweep (the worst scenario's). The
   * sweep of the model the spines already run is the capacity advice's baseline sweep exactly, so
   * the plan takes that figure from here instead of sweeping again (plan.ts).
   */
  readonly factors?: Map<QuantizedModel, number>;
}

export function* quantizationReport(fabric: Fabric, o: QuantizationSweep): Generator<Progress, QuantizationReport> {
  const perModel: { share: Float64Array; cap: Float64Array; maxOverIdeal: number; failed: string[] }[][] = [];
  let scenarios = 0;
  let complete = true;
  for (const model of QUANTIZED_MODELS) {
    const variant: Fabric = { ...fabric, spines: fabric.spines.map((s) => ({ ...s, weights: model })) };
    // Only the spines' weight model differs: the index (names, attachments, prefixes) is the same.
    // Servers, leaves and spines only: a failed link unbalances the spines whatever the weights, which is not quantization.
    const engine = new SweepEngine(o.index ? withFabric(o.index, variant) : variant, ['ballast'], o.k, true, false);
    const swept = yield* sweepSteps(engine, { k: o.k, budget: o.budget, beamWidth: 4, keepWorst: 1, ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}) }, `quantization ${model}`);
    scenarios = swept.evaluated;
    o.factors?.set(model, swept.strategies[0]!.worst[0]?.factor ?? Infinity);
    complete &&= swept.complete;
    perModel.push(engine.index.prefixes.map((_, p) => {
      const share = new Float64Array(fabric.leaves.length);
      const cap = new Float64Array(fabric.leaves.length);
      engine.leafShares(0, p, share, cap);
      const pw = swept.strategies[0]!.prefixes[p]!;
      return { share, cap, maxOverIdeal: pw.maxOverIdeal, failed: pw.overIdealElements.map((e) => engine.elementName(e)) };
    }));
  }
  const prefixes = fabric.services.map((service, p): QuantizationPrefix => {
    const cap = perModel[0]![p]!.cap;
    let total = 0;
    for (const c of cap) total += c;
    const leaves: QuantizationLeaf[] = [];
    const worst = Object.fromEntries(QUANTIZED_MODELS.map((m) => [m, { error: 0, leaf: null as string | null }])) as Record<QuantizedModel, { error: number; leaf: string | null }>;
    fabric.leaves.forEach((leaf, l) => {
      if (!(cap[l]! > 0) || total <= 0) return;
      const ideal = cap[l]! / total;
      const share = Object.fromEntries(QUANTIZED_MODELS.map((m, i) => [m, perModel[i]![p]!.share[l]!])) as Record<QuantizedModel, number>;
      for (const m of QUANTIZED_MODELS) {
        const error = Math.abs(share[m] / ideal - 1);
        if (error > worst[m].error) worst[m] = { error, leaf: leaf.name };
      }
      leaves.push({ leaf: leaf.name, ideal, share });
    });
    const scenarioWorst = Object.fromEntries(QUANTIZED_MODELS.map((m, i) => [m, { maxOverIdeal: perModel[i]![p]!.maxOverIdeal, failed: perModel[i]![p]!.failed }])) as QuantizationPrefix['scenarios'];
    return { prefix: service.prefix.text, leaves, worstError: worst, scenarios: scenarioWorst };
  });
  return { configured: [...new Set(fabric.spines.map((s) => s.weights))], versions: modelVersionTable(), prefixes, swept: { k: o.k, scenarios, complete } };
}

function modelVersionTable(): Record<WeightModel, string> {
  return Object.fromEntries(WEIGHT_MODELS.map((m) => [m, modelVersions(m)])) as Record<WeightModel, string>;
}
