/**
 * One apply, the agent's only write to FRR: plan the commands that bring FRR from what was just read
 * to what is desired, run them (or print them on a dry run), read bgpd's configuration back and verify
 * it. A failed write is never repeated blindly: it counts toward the back-off, and the view becomes
 * unknown (null), so the next attempt re-plans from a fresh read. The loop in agent.ts calls this
 * from its serialized queue, so nothing else touches FRR meanwhile.
 */
import type { Logger } from 'pino';
import { applyCommands, differences, extractOwned, viewAfter, type DesiredConfig, type OwnedNames, type OwnedView } from '../frr/ballast-route-map.js';
import type { AddressFamily } from '../frr/running-config.js';
import type { AgentConfig } from './config.js';
import { applyTimeoutMs, readRunning, type FrrRunner } from './frr-io.js';
import type { ApplyBackoff } from './frr-liveness.js';
import type { AgentCounters } from './notices.js';
import { keptLists, serverNeighbors } from './ownership.js';

export interface ApplyRequest {
  readonly config: AgentConfig;
  readonly names: OwnedNames;
  /** What FRR holds, as last read (or as a dry run pretends to have applied). */
  readonly view: OwnedView;
  readonly desired: DesiredConfig;
  /** Server paths to re-evaluate with `clear ... soft in`, per family. */
  readonly release: ReadonlyMap<string, ReadonlySet<AddressFamily>>;
  /** What asked for it (logged). */
  readonly cause: string;
}

export interface ApplyDeps {
  readonly frr: FrrRunner;
  readonly logger: Logger;
  readonly now: () => number;
  readonly dryRun?: ((commands: readonly string[]) => void) | undefined;
  readonly backoff: ApplyBackoff;
  readonly counters: AgentCounters;
  /** Counts and logs a failed FRR call (the agent's one place for that). */
  readonly failure: (err: unknown, during: string) => void;
}

export interface ApplyOutcome {
  /** What FRR holds now; null when unknown (re-read before the next write). */
  readonly view: OwnedView | null;
  /** The requested releases reached FRR (they may be forgotten). */
  readonly released: boolean;
}

/** Bring FRR to `desired` if it differs; read back and verify. Waits out the back-off of an earlier failure. */
export async function applyAndVerify(req: ApplyRequest, deps: ApplyDeps): Promise<ApplyOutcome> {
  const unchanged: ApplyOutcome = { view: req.view, released: false };
  // After a failed apply: wait out the back-off (the next tick re-plans against a fresh read).
  if (!deps.backoff.ready(deps.now())) return unchanged;
  const keep = keptLists(req.config);
  const { commands, slot } = applyCommands(req.view, req.names, req.desired, keep, req.release);
  if (commands.length === 0) return unchanged;
  if (deps.dryRun) {
    deps.dryRun(commands);
    return { view: viewAfter(req.view, req.names, req.desired, slot, keep), released: true };
  }
  const t0 = deps.now();
  try {
    await deps.frr(commands, applyTimeoutMs(req.config.static.timeoutMs, commands.length));
  } catch (err) {
    const { attempt, waitMs } = deps.backoff.failed(deps.now());
    deps.failure(err, `apply (attempt ${attempt}; the next one re-plans from a fresh read in ${waitMs} ms)`);
    return { view: null, released: false };
  }
  deps.backoff.succeeded();
  deps.counters.applies++;
  const applied = deps.now();
  let view: OwnedView;
  try {
    view = extractOwned(await readRunning(deps.frr), req.names, serverNeighbors(req.config.reloadable));
  } catch (err) {
    deps.failure(err, 'read-back');
    return { view: null, released: true };
  }
  const diff = differences(view, req.names, req.desired);
  if (diff.length > 0) {
    deps.counters.verifyFailures++;
    deps.logger.error({ event: 'verify-failed', cause: req.cause, differences: diff }, 'FRR does not hold what was applied; retrying at the next tick');
    return { view: null, released: true };
  }
  deps.logger.info({ event: 'applied', cause: req.cause, slot, commands: commands.length, applyMs: applied - t0, verifiedMs: deps.now() - t0 }, `applied and verified route-map ${req.names.base}-${slot}`);
  return { view, released: true };
}
