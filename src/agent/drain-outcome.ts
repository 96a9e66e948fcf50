/**
 * Whether FRR carries a drain or undrain once its apply has run, so the API never says "drained"
 * about a leaf whose FRR was not changed. The drain is kept in the state file either way (and
 * applied by the next tick that succeeds); only the answer differs: E_FRR_DRAIN_PENDING when the
 * read or the write failed, timed out, did not verify, or was put off by the apply back-off.
 */
import { differences, type DesiredConfig, type OwnedNames, type OwnedView } from '../frr/ballast-route-map.js';
import { BallastError } from '../util/errors.js';

export interface DrainApplyFacts {
  /** What FRR holds as last read or verified; null when unknown (an FRR call failed). */
  readonly view: OwnedView | null;
  readonly names: OwnedNames;
  /** What the agent wants FRR to hold now (with the drain); null while no prefix has an entry. */
  readonly desired: DesiredConfig | null;
  /** FRR failures counted during this drain's apply (any one may have left a prefix unapplied). */
  readonly failures: number;
  /** The apply back-off was waiting when the drain came (the write was put off, not tried). */
  readonly backedOff: boolean;
}

/** Why FRR does not carry the drain, or null when it does. Pure. */
export function drainNotCarried(f: DrainApplyFacts): string | null {
  if (f.failures > 0) return `${f.failures} FRR call${f.failures === 1 ? '' : 's'} failed or timed out (see the agent's frr-error log)`;
  if (f.view === null) return 'what FRR holds is unknown (FRR has not answered yet)';
  // No prefix has anything to advertise yet: nothing is written, and there is nothing to hold.
  if (f.desired === null) return null;
  const diff = differences(f.view, f.names, f.desired);
  if (diff.length === 0) return null;
  if (f.backedOff) return 'the write was put off by the apply back-off after an earlier FRR failure';
  return `FRR does not hold it: ${diff.slice(0, 3).join('; ')}`;
}

/** The error a drain (reason given) or undrain answers with when FRR does not carry it yet. */
export function drainPendingError(what: string, undrain: boolean, why: string): BallastError {
  return new BallastError('E_FRR_DRAIN_PENDING', `${undrain ? 'Undrain' : 'Drain'} of ${what} is saved in the state file but FRR does not carry it yet: ${why}; the agent retries at its next tick`);
}
