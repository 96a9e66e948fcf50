/**
 * Advice in FRR versions: when the spines' weight model is what limits ballast (its resolution, not
 * the capacity), name the FRR versions whose model does better and by how much. Read off the
 * quantization report, which already swept every model over the same failures: no sweep of its own.
 */
import { modelVersions, type WeightModel } from '../fabric/weight-model.js';
import { QUANTIZED_MODELS, type QuantizationReport, type QuantizedModel } from './quantization.js';

export interface FrrUpgradeAdvice {
  readonly kind: 'frr-upgrade';
  /** The spines' model today, the FRR versions it stands for, and its worst max/ideal share. */
  readonly current: { readonly model: WeightModel; readonly versions: string; readonly maxOverIdeal: number };
  /** Models that would do clearly better, best first. */
  readonly better: { readonly model: WeightModel; readonly versions: string; readonly maxOverIdeal: number }[];
}

/** Below this relative gain in the worst max/ideal share an upgrade is not worth advising. */
const MIN_GAIN = 0.005;

export function frrUpgradeAdvice(q: QuantizationReport): FrrUpgradeAdvice | null {
  // Mixed spines (a rolling upgrade) or spines that ignore link-bandwidth: other advice applies.
  if (q.configured.length !== 1 || !(QUANTIZED_MODELS as readonly string[]).includes(q.configured[0]!)) return null;
  const model = q.configured[0] as QuantizedModel;
  const worst = (m: QuantizedModel) => Math.max(1, ...q.prefixes.map((p) => p.scenarios[m].maxOverIdeal));
  const now = worst(model);
  const better = QUANTIZED_MODELS.filter((m) => m !== model)
    .map((m) => ({ model: m, versions: modelVersions(m), maxOverIdeal: worst(m) }))
    .filter((c) => now / c.maxOverIdeal - 1 > MIN_GAIN)
    .sort((a, b) => a.maxOverIdeal - b.maxOverIdeal);
  if (better.length === 0) return null;
  return { kind: 'frr-upgrade', current: { model, versions: modelVersions(model), maxOverIdeal: now }, better };
}
