/** A scripted AgentApi for the API layer's tests: state in memory, events pushed by the test. */
import type { AgentNotice } from '../../src/agent/notices.js';
import type { DecisionRecord } from '../../src/agent/step.js';
import type { AgentApi, AgentStateView, DrainView, PrefixWhatIfView } from '../../src/api/agent-api.js';
import type { LeafPolicy } from '../../src/fabric/types.js';
import { BallastError } from '../../src/util/errors.js';

export const POLICY: LeafPolicy = {
  mode: 'link-bandwidth',
  mbpsPerUnit: 100,
  mbpsPerUnitDerived: false,
  weightServers: true,
  prependBelowFraction: 0,
  prependBelowServers: 0,
  prependLength: 2,
  damping: { holdDownSeconds: 10, minIntervalSeconds: 1, minChangeFraction: 0 },
};

export class FakeAgent implements AgentApi {
  readonly listeners = new Set<(e: AgentNotice) => void>();
  drained = new Map<string, string>();
  leafDrained = false;
  servers = ['srv11', 'srv12'];

  state(): AgentStateView {
    return {
      leaf: 'leaf1',
      asn: 65201,
      mbpsPerUnit: 100,
      dryRun: false,
      startedAt: 1_700_000_000_000,
      leafDrained: this.leafDrained,
      leafDrainReason: '',
      frrErrorsTotal: 0,
      driftTotal: 1,
      spines: ['spine1', 'spine2'],
      policy: POLICY,
      prefixes: [
        {
          prefix: '198.51.100.1/32',
          healthyCount: 2,
          configuredCount: 2,
          liveCapacity: 20,
          configuredCapacity: 20,
          current: { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 },
          target: { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 },
          hold: 'none',
          nextCheckAt: null,
          raiseSince: null,
          lastChangeAt: 1_700_000_001_000,
          lastReason: 'live-capacity',
          driftTotal: 1,
          servers: this.servers.map((name) => ({ name, neighbor: name, capacity: 10, healthy: true, drained: this.drained.has(name), drainReason: this.drained.get(name) ?? '', asn: 65300 })),
        },
      ],
    };
  }

  subscribe(listener: (e: AgentNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: AgentNotice): void {
    for (const l of this.listeners) l(e);
  }

  /** When set, drains and undrains fail with it (as the real agent's do when its state file cannot be written, or FRR does not carry them). */
  drainRefusal: BallastError | null = null;

  async drain(server: string | null, reason: string): Promise<DrainView> {
    if (this.drainRefusal) throw this.drainRefusal;
    if (server === null) this.leafDrained = true;
    else if (!this.servers.includes(server)) throw new BallastError('E_API_UNKNOWN_SERVER', `No server "${server}" on this leaf`);
    else this.drained.set(server, reason);
    return { drained: [...this.drained.keys()], leafDrained: this.leafDrained };
  }

  async undrain(server: string | null): Promise<DrainView> {
    if (this.drainRefusal) throw this.drainRefusal;
    if (server === null) this.leafDrained = false;
    else this.drained.delete(server);
    return { drained: [...this.drained.keys()], leafDrained: this.leafDrained };
  }

  whatIf(fail: readonly string[]): PrefixWhatIfView[] {
    const left = this.servers.filter((s) => !fail.includes(s)).length;
    return [{ prefix: '198.51.100.1/32', current: { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 }, predicted: left ? { kind: 'advertise', bandwidthMbps: left * 1000, prepend: 0 } : { kind: 'withdraw' }, reason: left ? 'live-capacity' : 'no-healthy-servers', healthyCount: left, liveCapacity: left * 10 }];
  }
}

/** A decision notice as the agent sends it; the fields a test does not name take quiet defaults. */
export function decisionNotice(r: Partial<DecisionRecord> & Pick<DecisionRecord, 'prefix' | 'new'>, at = Date.now()): AgentNotice {
  const record: DecisionRecord = { healthyServers: [], heldServers: [], liveCapacity: 0, configuredCapacity: 0, old: null, target: r.new, reason: 'live-capacity', hold: 'none', changed: true, render: 'explicit', ...r };
  return { kind: 'decision', at, cause: 'test', record };
}
