/**
 * Whether FRR is there: the agent's rules for waiting at start and for backing off after a failed
 * apply (noticing that FRR restarted is restarts.ts). Pure except for the injected reads; the loop in
 * agent.ts calls these.
 *
 * - At start, FRR may not be up yet (a supervisor starting both): the agent waits, polling with a
 *   growing delay, and serves its API and metrics meanwhile. Only a configuration that contradicts
 *   FRR (E_AGENT_OWNERSHIP) or an unreadable state file stops it, since waiting would not help.
 * - A failed apply is never repeated blindly: FRR is re-read, the commands re-planned, and the next
 *   attempt waits 1, 2, 4 ... up to 30 s.
 */
import type { Logger } from 'pino';
import { BallastError } from '../util/errors.js';

export type AgentPhase = 'waiting-for-frr' | 'running' | 'stopped';

const WAIT_MIN_MS = 500;
const WAIT_MAX_MS = 5_000;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/** An error that means "FRR is not (yet) answering" rather than "FRR contradicts the configuration". */
export function frrUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'E_FRR_COMMAND' || code === 'E_FRR_PARSE';
}

/** The next delay while waiting for FRR at start. */
export function nextWaitMs(previous: number): number {
  return previous <= 0 ? WAIT_MIN_MS : Math.min(WAIT_MAX_MS, previous * 2);
}

/**
 * `read` until FRR answers, logging `waiting-for-frr` with the reason and the next delay. Resolves
 * null when `stopped()` turns true (`sleeping` receives a function that ends the current wait).
 */
export async function waitForFrr<T>(read: () => Promise<T>, logger: Logger, stopped: () => boolean, sleeping: (wake: () => void) => void): Promise<T | null> {
  for (let wait = 0; ; ) {
    if (stopped()) return null;
    try {
      return await read();
    } catch (err) {
      if (!frrUnavailable(err)) throw err;
      wait = nextWaitMs(wait);
      const message = (err as Error).message;
      logger.warn({ event: 'waiting-for-frr', code: (err as BallastError).code, err: message, retryInMs: wait }, `waiting for FRR (bgpd): ${message}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        sleeping(() => (clearTimeout(t), resolve()));
      });
    }
  }
}

/** The wait before the next apply after `failures` failed ones in a row (0: none). */
export function applyBackoffMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (failures - 1));
}

/** Failed applies in a row and when the next may run. */
export class ApplyBackoff {
  private failures = 0;
  private notBefore = 0;
  ready(now: number): boolean {
    return now >= this.notBefore;
  }
  /** Count a failure; returns the wait before the next attempt. */
  failed(now: number): { attempt: number; waitMs: number } {
    this.failures++;
    const waitMs = applyBackoffMs(this.failures);
    this.notBefore = now + waitMs;
    return { attempt: this.failures, waitMs };
  }
  succeeded(): void {
    this.failures = 0;
    this.notBefore = 0;
  }
}
