/**
 * FRR's weight models, named by what users know: their FRR version. A model is a name (what a
 * fixture's `weights:` override says) and a small data rule (what evaluators compute with, without
 * calling a function per path). Pure.
 *
 * Worked out from FRR's source (tags frr-7.4 .. frr-10.7.0); see docs/fixtures.md "FRR versions":
 * - 7.4-9.1: bgpd `bgp_zebra_use_nhop_weighted()` (bgpd/bgp_zebra.c) sends zebra
 *   `(uint32_t)((uint64_t)bw * 100 / cum_bw)`, integer division (floor) of the path's link-bandwidth
 *   in bytes/s by the multipath sum. zebra passes it through; a weight of 0 is sent to the kernel as
 *   no weight (`if (nexthop->weight) rtnh_hops = weight - 1`, zebra/rt_netlink.c), i.e. weight 1.
 * - 10.0 on: bgpd sends the raw link-bandwidth; zebra's `zapi_read_nexthops()` (zebra/zapi_msg.c)
 *   scales it: `MAX(1, weight * zrouter.nexthop_weight_scale_value / max_weight)`, integer division,
 *   max over the route's next hops (skipped when no weight exceeds 1). The scale is set in
 *   `zebra_router_init()` (zebra/zebra_router.c): 255 in 10.0-10.1, 254 from 10.2 to 10.4 (commit
 *   db87ab3d86), 255 again from 10.5 (commit 9bf55de0a6), 65535 with zebra's `--nexthop-weight-16-bit`
 *   (new in 10.5). The kernel holds exactly that weight (zebra writes weight - 1, the kernel adds 1).
 */

/**
 * How a router turns the link-bandwidth of its multipaths into kernel next-hop weights.
 * - `frr8`: FRR 7.4-9.1, w = max(1, floor(bw*100/sum)).
 * - `frr10`: FRR 10.0-10.1 and >= 10.5, w = max(1, floor(bw*255/max)).
 * - `frr10-254`: FRR 10.2-10.4, w = max(1, floor(bw*254/max)).
 * - `frr10-16bit`: FRR >= 10.5 with zebra's --nexthop-weight-16-bit, w = max(1, floor(bw*65535/max)).
 * - `ecmp`: link-bandwidth ignored (`bgp bestpath bandwidth ignore`, or a platform without UCMP).
 */
export const WEIGHT_MODELS = ['frr8', 'frr10', 'frr10-254', 'frr10-16bit', 'ecmp'] as const;
export type WeightModel = (typeof WEIGHT_MODELS)[number];

/**
 * A model as data: weight = max(1, floor(bw * scale / reference)), reference the sum of the
 * multipaths' values (`share-of-sum`) or the largest one (`share-of-max`); `ecmp` installs 1 each.
 */
export type WeightRule =
  | { readonly kind: 'ecmp' }
  | { readonly kind: 'share-of-sum'; readonly scale: 100 }
  | { readonly kind: 'share-of-max'; readonly scale: 255 | 254 | 65535 };

export const WEIGHT_RULES: { readonly [M in WeightModel]: WeightRule } = {
  frr8: { kind: 'share-of-sum', scale: 100 },
  frr10: { kind: 'share-of-max', scale: 255 },
  'frr10-254': { kind: 'share-of-max', scale: 254 },
  'frr10-16bit': { kind: 'share-of-max', scale: 65535 },
  ecmp: { kind: 'ecmp' },
};

import { BallastError } from '../util/errors.js';

/** A router's FRR version as the fixture gave it (`"10.0.3"`); `text` is kept for messages and the lab. */
export interface FrrVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch?: number;
  readonly text: string;
}

/**
 * The FRR release lines whose weight rule ballast knows, oldest first. `to` is inclusive; an open
 * end (10.5 on) is an assumption checked against FRR's source up to 10.7.0. Before 7.4 FRR did not
 * weight by link-bandwidth at all; FRR 11 may change the rule again, so both are input errors
 * (an explicit `weights:` remains possible).
 */
export const FRR_WEIGHT_LINES: readonly {
  readonly from: readonly [number, number];
  readonly to: readonly [number, number];
  readonly model: WeightModel;
  /** The model with zebra's --nexthop-weight-16-bit, on lines that have the option. */
  readonly model16?: WeightModel;
}[] = [
  { from: [7, 4], to: [9, 1], model: 'frr8' },
  { from: [10, 0], to: [10, 1], model: 'frr10' },
  { from: [10, 2], to: [10, 4], model: 'frr10-254' },
  { from: [10, 5], to: [10, Number.POSITIVE_INFINITY], model: 'frr10', model16: 'frr10-16bit' },
];

/** The versions the known lines cover, for messages. */
export const KNOWN_FRR_VERSIONS = '7.4 to 9.1, or 10.x from 10.0';

const VERSION_RE = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?(?:[-+~][0-9A-Za-z.+~-]*)?$/;

/**
 * Parse `MAJOR.MINOR[.PATCH]`, optionally followed by a packaging suffix (`10.3-3+deb13u1`,
 * `10.0.3-cl5.15`) that does not change FRR's weights. Returns a reason when the text is not one.
 */
export function parseFrrVersion(text: string): FrrVersion | { readonly problem: string } {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return { problem: 'expected an FRR version such as "8.4.4", "10.0.3" or "10.3"' };
  const version: FrrVersion = { major: Number(m[1]), minor: Number(m[2]), ...(m[3] === undefined ? {} : { patch: Number(m[3]) }), text: text.trim() };
  return version;
}

/** The release line of a version, or undefined when ballast knows no weight rule for it. */
export function frrWeightLine(v: Pick<FrrVersion, 'major' | 'minor'>): (typeof FRR_WEIGHT_LINES)[number] | undefined {
  const at = (x: readonly [number, number]) => v.major - x[0] || v.minor - x[1];
  return FRR_WEIGHT_LINES.find((l) => at(l.from) >= 0 && at(l.to) <= 0);
}

/**
 * The weight model of a router running this FRR version (the receiving router's version decides:
 * a spine's for its ECMP toward the leaves, a leaf's toward its servers). Throws a plain Error with
 * E_FRR_VERSION for an unknown version or a 16-bit flag on a version without the option; loaders
 * turn it into a positioned input error.
 */
export function weightModelFor(version: Pick<FrrVersion, 'major' | 'minor'>, nexthopWeight16Bit = false): WeightModel {
  const line = frrWeightLine(version);
  const shown = `${version.major}.${version.minor}`;
  if (!line) {
    const why = version.major > 10 ? 'newer than the FRR releases ballast knows (source checked up to 10.7)' : version.major < 7 || (version.major === 7 && version.minor < 4) ? 'older than 7.4, where FRR began to weight ECMP by link-bandwidth' : 'not an FRR release line';
    throw new BallastError('E_FRR_VERSION', `FRR ${shown} is ${why}: expected ${KNOWN_FRR_VERSIONS}, or set weights: explicitly`);
  }
  if (!nexthopWeight16Bit) return line.model;
  if (!line.model16) throw new BallastError('E_FRR_VERSION', `FRR ${shown} has no --nexthop-weight-16-bit (new in FRR 10.5): expected FRR 10.5 or later with it`);
  return line.model16;
}

/** The FRR versions a model stands for, in words (reports and advice speak in versions). */
export function modelVersions(model: WeightModel): string {
  switch (model) {
    case 'frr8':
      return 'FRR 7.4-9.1';
    case 'frr10':
      return 'FRR 10.0-10.1 or >= 10.5';
    case 'frr10-254':
      return 'FRR 10.2-10.4';
    case 'frr10-16bit':
      return 'FRR >= 10.5 16-bit';
    case 'ecmp':
      return 'link-bandwidth ignored';
  }
}
