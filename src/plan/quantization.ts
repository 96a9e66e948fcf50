/**
 * Quantization report: per leaf, the share of each prefix's traffic the spines would give it under
 * ballast with each FRR weight model, against the ideal (its live capacity over the total), in the
 * fixture's own state. Shows what a spine upgrade (frr8 -> frr10 -> 16-bit) buys.
 */
import type { Fabric, WeightModel } from '../fabric/types.js';
import { SweepEngine } from './engine.js';

export const QUANTIZED_MODELS = ['frr8', 'frr10', 'frr10-16bit'] as const satisfies readonly WeightModel[];

export interface QuantizationLeaf {
  readonly leaf: string;
  readonly ideal: number;
  /** Predicted share under each model, keyed by model name. */
  readonly share: Readonly<Record<(typeof QUANTIZED_MODELS)[number], number>>;
}

export interface QuantizationPrefix {
  readonly prefix: string;
  readonly leaves: QuantizationLeaf[];
  /** max over leaves of |share / ideal - 1|, per model; and the leaf where it happens. */
  readonly worstError: Readonly<Record<(typeof QUANTIZED_MODELS)[number], { readonly error: number; readonly leaf: string | null }>>;
}

export interface QuantizationReport {
  /** The models the fixture's spines use (the report applies each model to all spines). */
  readonly configured: WeightModel[];
  readonly prefixes: QuantizationPrefix[];
}

export function quantizationReport(fabric: Fabric): QuantizationReport {
  const perModel = QUANTIZED_MODELS.map((model) => {
    const variant: Fabric = { ...fabric, spines: fabric.spines.map((s) => ({ ...s, weights: model })) };
    const engine = new SweepEngine(variant, ['ballast'], 0);
    return engine.index.prefixes.map((_, p) => {
      const share = new Float64Array(fabric.leaves.length);
      const cap = new Float64Array(fabric.leaves.length);
      engine.evaluator(0, p).leafShares(engine.state, share, cap);
      return { share, cap };
    });
  });
  const prefixes = fabric.services.map((service, p): QuantizationPrefix => {
    const cap = perModel[0]![p]!.cap;
    let total = 0;
    for (const c of cap) total += c;
    const leaves: QuantizationLeaf[] = [];
    const worst = Object.fromEntries(QUANTIZED_MODELS.map((m) => [m, { error: 0, leaf: null as string | null }])) as Record<(typeof QUANTIZED_MODELS)[number], { error: number; leaf: string | null }>;
    fabric.leaves.forEach((leaf, l) => {
      if (!(cap[l]! > 0) || total <= 0) return;
      const ideal = cap[l]! / total;
      const share = Object.fromEntries(QUANTIZED_MODELS.map((m, i) => [m, perModel[i]![p]!.share[l]!])) as Record<(typeof QUANTIZED_MODELS)[number], number>;
      for (const m of QUANTIZED_MODELS) {
        const error = Math.abs(share[m] / ideal - 1);
        if (error > worst[m].error) worst[m] = { error, leaf: leaf.name };
      }
      leaves.push({ leaf: leaf.name, ideal, share });
    });
    return { prefix: service.prefix.text, leaves, worstError: worst };
  });
  return { configured: [...new Set(fabric.spines.map((s) => s.weights))], prefixes };
}
