/**
 * Recommendations, each backed by re-running the sweep on a changed fabric rather than by a rule of
 * thumb: the prepend threshold that maximises the safe load where spines ignore link-bandwidth, the
 * leaf where one more server raises the safe load most, and leaves whose uplinks would saturate once
 * the spines weight their ECMP by capacity.
 */
import type { Fabric, FleetStrategy, Server } from '../fabric/types.js';
import { withAddedServer, withFabric, type FabricIndex } from '../forwarding/fabric-index.js';
import { ScenarioState } from './scenario-state.js';
import { seedAddedServerItems } from './elements.js';
import { SweepEngine } from './engine.js';
import { sweepSteps, type Progress, type SweepResult } from './sweep.js';

export interface PrependAdvice {
  readonly kind: 'prepend-threshold';
  /** Spines that install plain ECMP whatever the leaves advertise. */
  readonly spines: string[];
  readonly current: { readonly mode: string; readonly belowFraction: number; readonly safeLoadFactor: number; readonly overloadedScenarios: number };
  readonly candidates: { readonly belowFraction: number; readonly safeLoadFactor: number; readonly overloadedScenarios: number }[];
  readonly best: { readonly belowFraction: number; readonly safeLoadFactor: number; readonly overloadedScenarios: number };
}

export interface CapacityAdvice {
  readonly kind: 'add-capacity';
  readonly leaf: string;
  readonly addedCapacity: number;
  readonly safeLoadFactor: number;
  /** New safe load over the current one (1 = no gain). */
  readonly gain: number;
}

export interface UplinkAdvice {
  readonly kind: 'uplink';
  readonly leaf: string;
  readonly uplinkCapacity: number;
  /** Highest traffic into the leaf over the checked scenarios, and where. */
  readonly maxLoad: number;
  readonly utilization: number;
  readonly scenario: string[];
}

export interface RecommendOptions {
  readonly k: number;
  /** The fabric's index when the caller has one (saves rebuilding it for policy variants). */
  readonly index?: FabricIndex;
  readonly budget: number;
  readonly deciding: FleetStrategy;
  /** Leaves to try adding capacity to (the saturating ones first). */
  readonly capacityCandidates: readonly string[];
  /** Extra scenarios for the uplink check (element names), beyond base and single leaf/spine failures. */
  readonly uplinkScenarios: readonly (readonly string[])[];
  readonly shouldStop?: () => boolean;
  /**
   * The capacity baseline's factor when the caller has already run that very sweep (the deciding
   * strategy, this fabric, k and budget, as quickSweep runs it); otherwise it is swept here.
   */
  readonly baseFactor?: number;
}

/** A variant with the same elements as the fabric (only the policy differs) reuses the fabric's index. */
function sameElements(variant: Fabric, o: RecommendOptions): Fabric | FabricIndex {
  return o.index ? withFabric(o.index, variant) : variant;
}

/** Sweep the deciding strategy only, within the budget, and summarise. */
function* quickSweep(subject: Fabric | FabricIndex, strategy: FleetStrategy, o: RecommendOptions, phase: string): Generator<Progress, { factor: number; overloaded: number; result: SweepResult }> {
  const engine = new SweepEngine(subject, [strategy], o.k);
  const result = yield* sweepSteps(engine, { k: o.k, budget: o.budget, beamWidth: 4, keepWorst: 1, ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}) }, phase);
  const out = result.strategies[0]!;
  return { factor: out.worst[0]?.factor ?? Infinity, overloaded: out.overloadedScenarios, result };
}

export function* prependAdvice(fabric: Fabric, o: RecommendOptions): Generator<Progress, PrependAdvice | null> {
  const ecmpSpines = fabric.spines.filter((s) => s.weights === 'ecmp').map((s) => s.name);
  if (ecmpSpines.length === 0) return null;
  const mode = fabric.policy.mode === 'link-bandwidth' ? 'link-bandwidth+prepend' : fabric.policy.mode;
  const fractions = [0.25, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9];
  const candidates: PrependAdvice['candidates'] = [];
  for (const belowFraction of fractions) {
    const variant: Fabric = { ...fabric, policy: { ...fabric.policy, mode, prependBelowFraction: belowFraction } };
    const r = yield* quickSweep(sameElements(variant, o), 'ballast', o, `prepend below ${belowFraction}`);
    candidates.push({ belowFraction, safeLoadFactor: r.factor, overloadedScenarios: r.overloaded });
  }
  const now = yield* quickSweep(sameElements(fabric, o), 'ballast', o, 'prepend: current policy');
  const current = { mode: fabric.policy.mode, belowFraction: fabric.policy.mode === 'link-bandwidth' ? 0 : fabric.policy.prependBelowFraction, safeLoadFactor: now.factor, overloadedScenarios: now.overloaded };
  let best = { belowFraction: current.belowFraction, safeLoadFactor: current.safeLoadFactor, overloadedScenarios: current.overloadedScenarios };
  for (const c of candidates) {
    if (c.safeLoadFactor > best.safeLoadFactor + 1e-12 || (Math.abs(c.safeLoadFactor - best.safeLoadFactor) <= 1e-12 && c.overloadedScenarios < best.overloadedScenarios)) best = c;
  }
  return { kind: 'prepend-threshold', spines: ecmpSpines, current, candidates, best };
}

/** One more server (the leaf's largest capacity, its prefixes) on each candidate leaf, best gain first. */
export function* capacityAdvice(fabric: Fabric, o: RecommendOptions): Generator<Progress, { baseFactor: number; advice: CapacityAdvice[] }> {
  const out: CapacityAdvice[] = [];
  // The baseline with the same (possibly reduced) search, so gains compare like with like.
  const base = o.baseFactor ?? (yield* quickSweep(sameElements(fabric, o), o.deciding, o, 'capacity: baseline')).factor;
  const names = new Set([...fabric.spines, ...fabric.leaves, ...fabric.servers].map((x) => x.name));
  for (const leafName of o.capacityCandidates) {
    if (o.shouldStop?.()) break;
    const onLeaf = fabric.servers.filter((s) => s.leaf === leafName);
    if (onLeaf.length === 0) continue;
    let name = `planned-${leafName}`;
    for (let i = 2; names.has(name); i++) name = `planned-${leafName}-${i}`;
    const capacity = Math.max(...onLeaf.map((s) => s.capacity));
    const prefixes = [...new Set(onLeaf.flatMap((s) => s.prefixes))];
    const added: Server = { name, leaf: leafName, asn: onLeaf[0]!.asn, capacity, prefixes, state: 'up' };
    // From the fabric's index when there is one: re-indexing 24,576 servers per candidate cost more
    // than the candidate's sweep (withAddedServer gives the same index).
    // Its interchangeable groups too (the base's, the new server joining its own).
    const variant = o.index ? withAddedServer(withFabric(o.index, fabric), added) : { ...fabric, servers: [...fabric.servers, added] };
    if (o.index && 'fabric' in variant) seedAddedServerItems(o.index, variant, true);
    const r = yield* quickSweep(variant, o.deciding, o, `capacity: one more server behind ${leafName}`);
    out.push({ kind: 'add-capacity', leaf: leafName, addedCapacity: capacity, safeLoadFactor: r.factor, gain: base > 0 ? r.factor / base : Infinity });
  }
  return { baseFactor: base, advice: out.sort((a, b) => b.gain - a.gain) };
}

/**
 * Traffic into each leaf with an uplink capacity, under the deciding strategy at the offered loads:
 * the fixture's state, every single leaf or spine failure, and the given scenarios (the worst ones).
 */
export function uplinkAdvice(fabric: Fabric, o: RecommendOptions): { checked: number; advice: UplinkAdvice[]; leaves: { leaf: string; uplinkCapacity: number; maxLoad: number; scenario: string[] }[] } {
  const withUplink = fabric.leaves.map((l, i) => ({ l, i })).filter(({ l }) => l.uplinkCapacity !== undefined);
  if (withUplink.length === 0) return { checked: 0, advice: [], leaves: [] };
  const engine = new SweepEngine(o.index ?? fabric, [o.deciding], Math.max(1, ...o.uplinkScenarios.map((s) => s.length)));
  const byName = new Map<string, number>();
  for (let e = 0; e < engine.state.elementCount; e++) byName.set(engine.elementName(e), e);
  const scenarios: number[][] = [[]];
  for (let e = 0; e < fabric.spines.length + fabric.leaves.length; e++) scenarios.push([e]);
  for (const names of o.uplinkScenarios) scenarios.push(names.map((n) => byName.get(n)!).filter((e) => e !== undefined));
  const nLeaves = fabric.leaves.length;
  const share = new Float64Array(nLeaves);
  const cap = new Float64Array(nLeaves);
  const load = new Float64Array(nLeaves);
  const maxLoad = new Float64Array(nLeaves);
  const maxAt: number[][] = Array.from({ length: nLeaves }, () => []);
  const sc: ScenarioState = engine.state;
  for (const elements of scenarios) {
    sc.apply(elements, elements.length);
    load.fill(0);
    for (let p = 0; p < engine.nPrefixes; p++) {
      engine.leafShares(0, p, share, cap);
      const offered = engine.offeredLoad[p]!;
      for (let l = 0; l < nLeaves; l++) load[l]! += offered * share[l]!;
    }
    sc.clear();
    for (const { i } of withUplink) {
      if (load[i]! > maxLoad[i]!) {
        maxLoad[i] = load[i]!;
        maxAt[i] = elements;
      }
    }
  }
  const leaves = withUplink.map(({ l, i }) => ({ leaf: l.name, uplinkCapacity: l.uplinkCapacity!, maxLoad: maxLoad[i]!, scenario: maxAt[i]!.map((e) => engine.elementName(e)) }));
  const advice: UplinkAdvice[] = leaves
    .filter((x) => x.maxLoad > x.uplinkCapacity * (1 + 1e-9))
    .map((x): UplinkAdvice => ({ kind: 'uplink', ...x, utilization: x.maxLoad / x.uplinkCapacity }))
    .sort((a, b) => b.utilization - a.utilization);
  return { checked: scenarios.length, advice, leaves };
}
