/**
 * `ballast verify`: the fabric as the leaves' agents report it (the same snapshot `ballast snapshot`
 * writes), the spines' kernel weights the planner predicts for it, and what the observers saw the
 * spines install. Pure: GetState responses in, per prefix and router a comparison out.
 *
 * The prediction uses what the fabric intends: each spine's weight model follows its FRR version
 * (or --spine-weights), and its handling of paths without link-bandwidth is the one given to verify
 * (FRR's default unless told otherwise). A spine configured otherwise (`bgp bestpath bandwidth
 * ignore`, `skip-missing`, ...) is reported as a finding with its cause, and its weights are still
 * compared with the intended prediction, never with a model bent to match.
 */
import type { GetStateResponse } from '../gen/ballast/v1/agent.js';
import { parseFixture } from '../fabric/load.js';
import type { Fabric, MissingBandwidth, WeightModel } from '../fabric/types.js';
import { baseLiveness, indexFabric } from '../forwarding/fabric-index.js';
import { evaluatePrefix } from '../forwarding/shares.js';
import { snapshotFixture } from '../api/snapshot.js';
import { BallastError } from '../util/errors.js';
import { modelForFrrVersion } from './frr-model.js';

export interface VerifyOptions {
  /** Every spine's weight model; null: from each observer's FRR version. */
  readonly spineWeights: WeightModel | null;
  /** What the spines are meant to do with paths that carry no link-bandwidth. */
  readonly missingBandwidth: MissingBandwidth;
  /** Largest accepted |installed - predicted| per next hop, in weight units (0: exact). */
  readonly tolerance: number;
}

export interface RouterCheck {
  readonly prefix: string;
  readonly router: string;
  readonly frrVersion: string;
  readonly model: WeightModel;
  /** Leaf -> predicted kernel weight (installed next hops only). */
  readonly predicted: ReadonlyMap<string, number>;
  readonly installed: ReadonlyMap<string, number>;
  /** Leaf -> link-bandwidth the spine received from it, Mbps; absent when none. */
  readonly receivedMbps: ReadonlyMap<string, number>;
  readonly equal: boolean;
  /** Some leaf's damping holds a change of this prefix: a difference may be a transient. */
  readonly settling: boolean;
  /** Why it differs, as far as the observer shows (empty when equal). */
  readonly causes: readonly string[];
}

export interface Finding {
  readonly router: string;
  /** Stable: bestpath-bandwidth-ignore, bestpath-bandwidth-skip-missing, ..., frr-version-unknown, no-observer. */
  readonly cause: string;
  readonly detail: string;
}

export interface Verification {
  readonly checks: readonly RouterCheck[];
  readonly findings: readonly Finding[];
  readonly warnings: readonly string[];
  /** All compared routers equal (settling ones included: a difference there is a finding only once it outlasts damping). */
  readonly equal: boolean;
}

const INTENDED: Record<MissingBandwidth, string> = { 'ecmp-fallback': 'default', 'skip-missing': 'skip-missing', 'default-weight-for-missing': 'default-weight-for-missing' };

function bestpathFinding(router: string, setting: string, intended: MissingBandwidth): Finding | null {
  if (setting === '' || setting === INTENDED[intended]) return null;
  if (setting === 'ignore') return { router, cause: 'bestpath-bandwidth-ignore', detail: `${router} is configured \`bgp bestpath bandwidth ignore\`: it ignores link-bandwidth and splits equally over its leaves` };
  const what = setting === 'default' ? 'FRR\'s default (plain ECMP when any path lacks link-bandwidth)' : `\`bgp bestpath bandwidth ${setting}\``;
  return { router, cause: `bestpath-bandwidth-${setting}`, detail: `${router} runs ${what}, the fabric intends ${intended} (--missing-bandwidth)` };
}

/**
 * The agents' states as a fabric, through the same snapshot `ballast snapshot` writes. Kept for the
 * last states seen: a --watch round whose agents did not change skips the YAML round trip, which is
 * most of a round's cost on a large fabric (bench/verify.md).
 */
let lastLive: { key: string; live: Fabric; snapshotWarnings: string[] } | null = null;
function liveFabric(agents: readonly GetStateResponse[], missingBandwidth: MissingBandwidth): { live: Fabric; snapshotWarnings: string[] } {
  const key = JSON.stringify([missingBandwidth, agents]);
  if (lastLive?.key === key) return lastLive;
  const snapshot = snapshotFixture(agents, { spineWeights: 'frr8', missingBandwidth, load: new Map(), unit: 'units', name: 'verify' });
  lastLive = { key, live: parseFixture(snapshot.yaml, '<live agents>'), snapshotWarnings: snapshot.warnings };
  return lastLive;
}

export function verifyFabric(states: readonly GetStateResponse[], options: VerifyOptions): Verification {
  const agents = states.filter((s) => s.role !== 'observer');
  const observers = states.filter((s) => s.role === 'observer');
  if (agents.length === 0) throw new BallastError('E_USAGE', 'Cannot verify without a leaf: name the leaves\' agents with --agent');
  if (observers.length === 0) throw new BallastError('E_USAGE', 'Cannot verify without an observer: name the spines\' observers with --agent (ballast observe)');
  const { live, snapshotWarnings } = liveFabric(agents, options.missingBandwidth);
  const warnings: string[] = [...snapshotWarnings];
  const byNode = new Map(observers.map((o) => [o.node, o]));
  const findings: Finding[] = [];
  const models = new Map<string, WeightModel>();
  for (const spine of live.spines) {
    const o = byNode.get(spine.name);
    if (!o) {
      findings.push({ router: spine.name, cause: 'no-observer', detail: `${spine.name} has no observer among --agent: its weights are not verified` });
      continue;
    }
    const v = modelForFrrVersion(o.frrVersion);
    const model = options.spineWeights ?? v.model;
    if (model === null) {
      findings.push({ router: spine.name, cause: 'frr-version-unknown', detail: `${spine.name}: ${v.note}; give the model with --spine-weights` });
      continue;
    }
    if (v.note && options.spineWeights === null) warnings.push(`${spine.name}: ${v.note}`);
    models.set(spine.name, model);
    const f = bestpathFinding(spine.name, o.bestpathBandwidth, options.missingBandwidth);
    if (f) findings.push(f);
  }
  for (const o of observers) if (!live.spines.some((s) => s.name === o.node)) warnings.push(`observer ${o.node} is not a spine any leaf peers with; not modelled`);
  const fabric: Fabric = { ...live, spines: live.spines.map((s) => ({ ...s, weights: models.get(s.name) ?? s.weights, missingBandwidth: options.missingBandwidth })) };
  const index = indexFabric(fabric);
  const liveness = baseLiveness(index);
  const settlingPrefixes = new Set(agents.flatMap((a) => a.prefixes.filter((p) => p.damping && p.damping.hold !== 'none').map((p) => p.prefix)));
  const checks: RouterCheck[] = [];
  index.prefixes.forEach((p, pi) => {
    const forwarding = evaluatePrefix(index, pi, 'ballast', liveness);
    fabric.spines.forEach((spine, s) => {
      const model = models.get(spine.name);
      const o = byNode.get(spine.name);
      if (!model || !o) return;
      const predicted = new Map<string, number>();
      [...index.spineLeaves[s]!].forEach((l, k) => {
        const w = forwarding.spineWeights[s]![k]!;
        if (w > 0) predicted.set(fabric.leaves[l]!.name, w);
      });
      const seen = o.prefixes.find((x) => x.prefix === p.service.prefix.text);
      const installed = new Map<string, number>();
      for (const h of seen?.installed ?? []) installed.set(h.peer, (installed.get(h.peer) ?? 0) + (h.kernelWeight ?? h.weight));
      const receivedMbps = new Map<string, number>();
      for (const r of seen?.received ?? []) if (r.bandwidthBytesPerSecond !== undefined) receivedMbps.set(r.peer, r.bandwidthBytesPerSecond / 125000);
      const equal = installed.size === predicted.size && [...predicted].every(([leaf, w]) => installed.has(leaf) && Math.abs(installed.get(leaf)! - w) <= options.tolerance);
      const causes = equal ? [] : explain(spine.name, findings, predicted, installed, seen?.received ?? []);
      checks.push({ prefix: p.service.prefix.text, router: spine.name, frrVersion: o.frrVersion, model, predicted, installed, receivedMbps, equal, settling: settlingPrefixes.has(p.service.prefix.text), causes });
    });
  });
  return { checks, findings, warnings, equal: checks.every((c) => c.equal) };
}

/** What the observer shows about a difference: a finding on the router, paths without a value, missing next hops. */
function explain(router: string, findings: readonly Finding[], predicted: ReadonlyMap<string, number>, installed: ReadonlyMap<string, number>, received: GetStateResponse['prefixes'][number]['received']): string[] {
  const causes = findings.filter((f) => f.router === router && f.cause.startsWith('bestpath-')).map((f) => f.detail);
  const noValue = received.filter((r) => r.multipath && r.bandwidthBytesPerSecond === undefined).map((r) => r.peer);
  if (noValue.length) causes.push(`${router} receives no link-bandwidth on the path${noValue.length > 1 ? 's' : ''} from ${noValue.join(', ')}`);
  const absent = [...predicted.keys()].filter((l) => !installed.has(l));
  if (absent.length) causes.push(`${router} has no next hop toward ${absent.join(', ')}`);
  const extra = [...installed.keys()].filter((l) => !predicted.has(l));
  if (extra.length) causes.push(`${router} forwards to ${extra.join(', ')}, which the prediction does not`);
  if (causes.length === 0) causes.push(`${router} weights its next hops otherwise than its weight model predicts`);
  return causes;
}
