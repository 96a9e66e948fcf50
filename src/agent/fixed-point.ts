/**
 * Prefixes at a fixed point, whose evaluation the agent may skip. An idle leaf re-reads every prefix
 * each resync and, at 200 prefixes, re-decided all 200 with nothing changed (bench/agent.md, fourth
 * pass). A decision depends on time only through damping, so skipping it needs the argument below;
 * test/agent/fixed-point.test.ts checks it as a property over random observations, states and times.
 *
 * A prefix is at a fixed point when evaluating its state S gave S back (deep-equal), with no deadline
 * pending (nextCheckAt null), nothing changed, released or re-held. Then evaluate at any later time
 * gives S and the same record again, as long as its other inputs are the same: in evaluate, time is
 * read only by initialDamping (S has a damping state, so not called), when FRR's own advertisement
 * differs from S's (then the state would differ from S), by damp() (called only while a returned server
 * waits beside an admitted one: then damp either holds with a deadline or releases, neither of which is
 * a fixed point) and when a new target is followed (the state would differ). The inputs that must be
 * unchanged: the route as read (the same parsed object: read-cache.ts hands back the last tick's
 * objects when FRR's answer is byte-identical), the reloadable configuration and the neighbor index
 * (the same objects: a reload or a new running configuration replaces them), the drained servers and
 * whether absent servers are held (restarts.ts: false during a bgpd restart's grace), and the state
 * itself (the same object: anything that changes a prefix's state, such as a bgpd restart dropping
 * the holds, stores a new one). While adopting, restarts.ts changes the state before evaluating: no skip.
 */
import { isDeepStrictEqual } from 'node:util';
import type { BgpPrefix } from '../frr/bgp-prefix.js';
import type { AgentReloadable } from './config.js';
import type { NeighborIndex } from './observation.js';
import type { PrefixState, StepResult } from './step.js';

/** What an evaluation depends on besides the state and the time. */
export interface EvaluationInputs {
  readonly route: BgpPrefix;
  readonly config: AgentReloadable;
  readonly neighbors: NeighborIndex;
  /** The drained server neighbors, as drainedKey() spells them. */
  readonly drained: string;
  readonly holdsAbsent: boolean;
}

/** The drained set as one comparable value. */
export const drainedKey = (drained: ReadonlySet<string>): string => [...drained].sort().join('\n');

/** Evaluating `prev` gave `r`: is `r.state` a fixed point (evaluating it again, at any later time, gives it and `r.record` back)? */
export function atFixedPoint(prev: PrefixState, r: StepResult): boolean {
  return r.state.nextCheckAt === null && !r.record.changed && r.released.length === 0 && r.reheld.length === 0 && isDeepStrictEqual(r.state, prev);
}

interface Settled {
  readonly inputs: EvaluationInputs;
  readonly state: PrefixState;
}

/** The prefixes at a fixed point, with the inputs that put them there. */
export class FixedPoints {
  private readonly settled = new Map<string, Settled>();

  /** Whether evaluating this prefix's state `found` on `inputs` would give `found` and its last record back. */
  holds(prefix: string, found: PrefixState, inputs: EvaluationInputs): boolean {
    const s = this.settled.get(prefix);
    if (s === undefined || s.state !== found) return false;
    const a = s.inputs;
    return a.route === inputs.route && a.config === inputs.config && a.neighbors === inputs.neighbors && a.holdsAbsent === inputs.holdsAbsent && a.drained === inputs.drained;
  }

  /** Evaluating `prev` on `inputs` gave `r`: remember the prefix if that is a fixed point, else forget it. */
  note(prefix: string, prev: PrefixState, r: StepResult, inputs: EvaluationInputs): void {
    if (atFixedPoint(prev, r)) this.settled.set(prefix, { inputs, state: r.state });
    else this.settled.delete(prefix);
  }
}
