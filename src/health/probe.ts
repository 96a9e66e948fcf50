/**
 * Runs one check with a hard deadline. The deadline is enforced here, not trusted to each probe: at
 * the timeout the probe is aborted and the result is a failure, whatever the probe does afterwards.
 */
import type { CheckResult } from './machine.js';
import { probeCommand } from './probes/command.js';
import { probeHttp } from './probes/http.js';
import { probeTcp } from './probes/tcp.js';
import type { CheckConfig, Probe } from './types.js';

export interface Clock {
  /** Wall clock, ms since the epoch (timestamps in state and logs). */
  readonly now: () => number;
  /** Monotonic ms (durations). */
  readonly mono: () => number;
}

export const systemClock: Clock = { now: () => Date.now(), mono: () => performance.now() };

export type ProbeRunner = (probe: Probe, signal: AbortSignal) => Promise<string>;

export const runProbe: ProbeRunner = (probe, signal) => {
  switch (probe.type) {
    case 'tcp':
      return probeTcp(probe, signal);
    case 'http':
      return probeHttp(probe, signal);
    case 'command':
      return probeCommand(probe, signal);
  }
};

export async function runCheck(check: CheckConfig, clock: Clock = systemClock, runner: ProbeRunner = runProbe): Promise<CheckResult> {
  const at = clock.now();
  const started = clock.mono();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${check.timeoutMs} ms`));
      controller.abort();
    }, check.timeoutMs);
  });
  try {
    const detail = await Promise.race([runner(check.probe, controller.signal), deadline]);
    return { ok: true, at, durationMs: clock.mono() - started, detail };
  } catch (err) {
    return { ok: false, at, durationMs: clock.mono() - started, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
    // A probe that lost the race still holds its socket or child: abort it so nothing outlives the check.
    controller.abort();
  }
}
