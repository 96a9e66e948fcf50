/**
 * What `lab status`, `fail`, `heal` and `traffic` report: the running lab read back and set beside the
 * forwarding model's prediction for its current state (which servers are failed).
 */
import { loadFixture } from '../fabric/load.js';
import type { Fabric } from '../fabric/types.js';
import { findRoute } from './kernel-route.js';
import { readRouterRoutes, readSessions, waitFor, type LabSession } from './observe.js';
import { NETNS_PREFIX, labTopology, type LabTopology } from './topology.js';
import { compareWeights, predictLab, type PrefixPrediction, type WeightComparison } from './predict.js';
import type { LabState } from './state.js';
import { labFrrVersion } from './frr-versions.js';
import type { TrafficCounts } from './traffic.js';

export interface LabView {
  readonly state: LabState;
  readonly fabric: Fabric;
  readonly topology: LabTopology;
  readonly predictions: PrefixPrediction[];
}

/** Rebuild the topology and prediction from the state file: both are pure functions of fixture and state. */
export function viewLab(state: LabState): LabView {
  const fabric = loadFixture(state.fixture);
  const labFrr = state.frr === undefined ? undefined : labFrrVersion(state.frr);
  return { state, fabric, topology: labTopology(fabric, state.leafPolicy, state.runDir, state.nsPrefix ?? NETNS_PREFIX, labFrr, state.client), predictions: predictLab(fabric, state.leafPolicy, state.failed, labFrr, state.failedLinks ?? [], state.client) };
}

export async function readWeights(view: LabView): Promise<WeightComparison[]> {
  return compareWeights(view.predictions, await readRouterRoutes(view.topology.nodes, view.topology.families), findRoute);
}

export interface LabStatus {
  readonly sessions: LabSession[];
  readonly weights: WeightComparison[];
}

export async function labStatus(view: LabView): Promise<LabStatus> {
  const [sessions, weights] = await Promise.all([readSessions(view.topology.nodes, view.state.runDir), readWeights(view)]);
  return { sessions, weights };
}

/** Wait until every spine and leaf kernel holds the predicted weights; returns seconds waited. */
export async function waitConverged(view: LabView, timeoutMs: number): Promise<number> {
  const started = performance.now();
  await waitFor(async () => ((await readWeights(view)).every((w) => w.equal) ? true : null), timeoutMs, 'the spine and leaf kernels to hold the predicted weights');
  return (performance.now() - started) / 1000;
}

export interface ServerShare {
  readonly server: string;
  readonly received: number;
  readonly measured: number;
  readonly predicted: number;
}

export interface PrefixTraffic {
  readonly prefix: string;
  readonly received: number;
  readonly servers: ServerShare[];
  /** Largest |measured - predicted| over the prefix's servers, in percentage points. */
  readonly maxDiffPoints: number;
}

/** Measured shares (of what arrived) beside predicted ones, per prefix and server. */
export function compareTraffic(predictions: readonly PrefixPrediction[], counts: TrafficCounts): PrefixTraffic[] {
  return predictions.map((p) => {
    const got = counts.received.get(p.prefix) ?? new Map<string, number>();
    const received = [...got.values()].reduce((a, b) => a + b, 0);
    const servers = [...p.serverShare].map(([server, predicted]) => {
      const n = got.get(server) ?? 0;
      return { server, received: n, measured: received > 0 ? n / received : 0, predicted };
    });
    const maxDiffPoints = Math.max(0, ...servers.map((s) => Math.abs(s.measured - s.predicted) * 100));
    return { prefix: p.prefix, received, servers, maxDiffPoints };
  });
}
