/**
 * How FRR turns the link-bandwidth of a route's multipaths into kernel next-hop weights, to the
 * last unit. Pure and allocation-light: the capacity planner calls this millions of times.
 */
import type { MissingBandwidth } from '../fabric/types.js';
import { WEIGHT_RULES, type WeightModel, type WeightRule } from '../fabric/weight-model.js';

/** One candidate path as a router sees it. */
export interface PathIn {
  /** Link-bandwidth in Mbps as advertised, or 0 / null when the path carries none. */
  readonly bandwidthMbps: number | null;
  /** AS-path length; only the shortest paths form the ECMP set (multipath-relax). */
  readonly asPathLength: number;
}

/**
 * The value a receiver actually holds: the extended community carries bytes/s as an IEEE float32,
 * so large values are rounded (9000 Mbps arrives as 1124999936 B/s, not 1125000000).
 */
export function receivedBytesPerSecond(mbps: number): number {
  return Math.floor(Math.fround(mbps * 125000));
}

/**
 * Kernel weights for a route's paths, in input order; 0 means the path is not installed.
 * Writes into `out` (length >= paths) and returns the number of installed next hops.
 */
export function installWeights(model: WeightModel, missing: MissingBandwidth, paths: readonly PathIn[], out: Float64Array | number[]): number {
  const n = paths.length;
  let best = Infinity;
  for (let i = 0; i < n; i++) best = Math.min(best, paths[i]!.asPathLength);
  let inSet = 0;
  let withBw = 0;
  let cum = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const p = paths[i]!;
    if (p.asPathLength !== best) continue;
    inSet++;
    const bw = p.bandwidthMbps ? receivedBytesPerSecond(p.bandwidthMbps) : 0;
    if (bw > 0) {
      withBw++;
      cum += bw;
      if (bw > max) max = bw;
    }
  }
  const plain = plainEcmp(model, missing, inSet, withBw);
  const rule = WEIGHT_RULES[model];
  let installed = 0;
  for (let i = 0; i < n; i++) {
    const p = paths[i]!;
    if (p.asPathLength !== best) {
      out[i] = 0;
      continue;
    }
    const w = pathWeight(rule, missing, plain, p.bandwidthMbps ? receivedBytesPerSecond(p.bandwidthMbps) : 0, cum, max);
    out[i] = w;
    if (w > 0) installed++;
  }
  return installed;
}

/**
 * AS-path length of a leaf's path as a spine sees it: the leaf's AS and the server's, plus any
 * prepends. Only the shortest paths form the ECMP set (multipath-relax), so a prepended leaf drops
 * out of it entirely while another leaf advertises unprepended: prepending is all-or-nothing.
 */
export function leafPathLength(prepend: number): number {
  return 2 + prepend;
}

/**
 * Whether a route's multipaths get plain ECMP (weight 1 each): weighting off, a lone path (FRR
 * keeps no multipath info for it), nobody has a value, or FRR's default of giving up on the whole
 * route when any multipath lacks one. `inSet` paths in the ECMP set, `withBw` of them with a value.
 */
export function plainEcmp(model: WeightModel, missing: MissingBandwidth, inSet: number, withBw: number): boolean {
  return model === 'ecmp' || inSet <= 1 || withBw === 0 || (missing === 'ecmp-fallback' && withBw < inSet);
}

/**
 * One path's kernel weight within the ECMP set (0: not installed), `bw` its received value (0 for
 * none), `cum` and `max` over the set's values, `plain` from plainEcmp.
 */
export function pathWeight(rule: WeightRule, missing: MissingBandwidth, plain: boolean, bw: number, cum: number, max: number): number {
  if (plain) return 1;
  // A path without a value: skip-missing leaves it out; otherwise FRR's BGP_ZEBRA_DEFAULT_NHOP_WEIGHT,
  // which the 10.x scaling keeps at its floor of 1.
  if (bw === 0) return missing === 'skip-missing' ? 0 : 1;
  return ruleWeight(rule, bw, cum, max);
}

/**
 * One path's weight under a model, given the route's cumulative and largest bandwidth (bytes/s as
 * received): max(1, floor(bw * scale / reference)), FRR's integer division. Doubles are exact here
 * (bw * 65535 < 2^53) and a non-integer quotient never rounds up to the next integer.
 */
export function quantize(model: WeightModel, bw: number, cum: number, max: number): number {
  return ruleWeight(WEIGHT_RULES[model], bw, cum, max);
}

/** The same on a rule, for evaluators that look the rule up once per router. */
export function ruleWeight(rule: WeightRule, bw: number, cum: number, max: number): number {
  if (rule.kind === 'ecmp') return 1;
  return Math.max(1, Math.floor((bw * rule.scale) / (rule.kind === 'share-of-sum' ? cum : max)));
}

/** The weights scale of a model: frr8 is out of 100 (relative to the sum), FRR 10 out of 254/255/65535 of the largest. */
export function modelScale(model: WeightModel): { readonly scale: number; readonly relativeTo: 'sum' | 'max' } {
  const rule = WEIGHT_RULES[model];
  if (rule.kind === 'ecmp') return { scale: 1, relativeTo: 'max' };
  return { scale: rule.scale, relativeTo: rule.kind === 'share-of-sum' ? 'sum' : 'max' };
}

/**
 * The worst ratio of achieved to ideal share that quantization alone can cause for these ideal
 * fractions (sum 1): each weight lies in [max(1, S*r - 1), max(1, S*r)], so a path gets at most
 * its upper weight over the smallest possible total. Used to tell users whether an imbalance is
 * the weight model's resolution or something worse.
 */
export function quantizationBound(model: WeightModel, fractions: readonly number[]): number {
  if (model === 'ecmp' || fractions.length <= 1) return 1;
  const { scale, relativeTo } = modelScale(model);
  let fmax = 0;
  for (const f of fractions) fmax = Math.max(fmax, f);
  const ref = relativeTo === 'sum' ? 1 : fmax;
  let lowerTotal = 0;
  for (const f of fractions) lowerTotal += Math.max(1, (scale * f) / ref - 1);
  let worst = 1;
  for (const f of fractions) {
    if (f <= 0) continue;
    const upper = Math.max(1, (scale * f) / ref);
    worst = Math.max(worst, upper / lowerTotal / f);
  }
  return worst;
}
