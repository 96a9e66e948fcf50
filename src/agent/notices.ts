/** What the agent tells its listeners (the API's Watch, the metrics) and its log about a decision. */
import { describeAdvertisement } from '../policy/advertisement.js';
import type { DecisionRecord } from './step.js';

export type AgentNotice =
  | { readonly kind: 'decision'; readonly at: number; readonly cause: string; readonly record: DecisionRecord }
  | { readonly kind: 'observation'; readonly at: number; readonly prefix: string; readonly healthyServers: readonly string[]; readonly liveCapacity: number }
  | { readonly kind: 'drift'; readonly at: number; readonly differences: readonly string[] };

/** What the agent counts (logged on stop, exported as metrics). */
export interface AgentCounters {
  decisions: number;
  changes: number;
  applies: number;
  drift: number;
  frrErrors: number;
  verifyFailures: number;
  /** bgpd or zebra came back with another PID: a fresh adoption followed. */
  frrRestarts: number;
}

/** The structured fields and the human line of one decision's log entry. */
export function decisionLog(r: DecisionRecord, cause: string): { fields: Record<string, unknown>; message: string } {
  const fields = {
    event: 'decision',
    cause,
    prefix: r.prefix,
    healthyServers: r.healthyServers,
    heldServers: r.heldServers,
    liveCapacity: r.liveCapacity,
    configuredCapacity: r.configuredCapacity,
    old: r.old === null ? null : describeAdvertisement(r.old),
    new: describeAdvertisement(r.new),
    target: describeAdvertisement(r.target),
    reason: r.reason,
    hold: r.hold,
    render: r.render,
  };
  const change = `${r.old === null ? 'start' : describeAdvertisement(r.old)} -> ${describeAdvertisement(r.new)}`;
  const steady = `${describeAdvertisement(r.new)}${r.hold !== 'none' ? ` (${r.hold}, wants ${describeAdvertisement(r.target)})` : ''}`;
  return { fields, message: `${r.prefix}: ${r.changed ? change : steady}` };
}

/** The agent's listeners. A listener that throws is dropped, never the agent's work. */
export class Listeners<T> {
  private readonly set = new Set<(n: T) => void>();

  /** Returns the unsubscribe function. */
  add(listener: (n: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  notify(n: T): void {
    for (const l of this.set) {
      try {
        l(n);
      } catch {
        this.set.delete(l);
      }
    }
  }
}
