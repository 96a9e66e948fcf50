/**
 * A small fuzzing harness over fast-check: every case runs the target, and its outcome is counted as
 * accepted, rejected (an error the target is allowed to raise: a BallastError with a stable code, and
 * for user files a position) or crashed (anything else). A case that takes longer than `HANG_MS` counts
 * as a hang (synchronous targets by CPU time, async ones by wall time); synchronous code cannot be
 * interrupted, so the test's own timeout is the last resort.
 * The counts are printed as a diagnostic line so CI logs show them:
 *   fuzz frr bgp-prefix: cases 10000, accepted 4123, rejected 5877, crashes 0, hangs 0, slowest 3.1 ms, seed 12345
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TestContext } from 'node:test';
import { BallastError } from '../../src/util/errors.js';

/** Cases per target unless BALLAST_FUZZ_RUNS says otherwise (the issue asks for at least 10,000). */
export const RUNS = Number(process.env.BALLAST_FUZZ_RUNS ?? 10_000);
export const HANG_MS = 1000;

export interface FuzzCounts {
  cases: number;
  accepted: number;
  rejected: number;
  crashes: number;
  hangs: number;
  slowestMs: number;
  codes: Map<string, number>;
  firstCrash: { input: unknown; error: unknown } | null;
}

/** One case's outcome: an accepted input, a rejection's code, or a crash with its error. */
type Outcome = { kind: 'accepted' } | { kind: 'rejected'; code: string } | { kind: 'crash'; error: unknown };

function newCounts(): FuzzCounts {
  return { cases: 0, accepted: 0, rejected: 0, crashes: 0, hangs: 0, slowestMs: 0, codes: new Map(), firstCrash: null };
}

function tally(counts: FuzzCounts, input: unknown, outcome: Outcome, ms: number, busyMs = ms): void {
  counts.cases++;
  if (outcome.kind === 'accepted') counts.accepted++;
  else if (outcome.kind === 'rejected') {
    counts.rejected++;
    counts.codes.set(outcome.code, (counts.codes.get(outcome.code) ?? 0) + 1);
  } else {
    counts.crashes++;
    counts.firstCrash ??= { input, error: outcome.error };
  }
  counts.slowestMs = Math.max(counts.slowestMs, ms);
  if (busyMs > HANG_MS) counts.hangs++;
}

/** CPU this process spent since `from` (a `process.cpuUsage()`), in ms. */
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

const seedOf = (): number => Number(process.env.BALLAST_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** `check` returns nothing for an accepted input, or throws; `isRejection` decides whether a throw is allowed. */
export function fuzz<T>(
  t: TestContext,
  name: string,
  arbitrary: fc.Arbitrary<T>,
  check: (input: T) => void,
  options: { runs?: number; isRejection?: (err: unknown, input: T) => string | null } = {},
): FuzzCounts {
  const isRejection = options.isRejection ?? codedRejection;
  const seed = seedOf();
  const counts = newCounts();
  fc.assert(
    fc.property(arbitrary, (input) => {
      const start = performance.now();
      const cpu = process.cpuUsage();
      let outcome: Outcome = { kind: 'accepted' };
      try {
        check(input);
      } catch (err) {
        const code = isRejection(err, input);
        outcome = code === null ? { kind: 'crash', error: err } : { kind: 'rejected', code };
      }
      // A synchronous case's hang is judged by the CPU it burned, not its wall time: at load 17 on the
      // 2 cores a 1-line parse once took 1.2 s of wall, waiting for a core.
      tally(counts, input, outcome, performance.now() - start, cpuMsSince(cpu));
    }),
    { numRuns: options.runs ?? RUNS, seed },
  );
  report(t, name, counts, seed);
  return counts;
}

/** The same for async targets (the gRPC handlers): `check` resolves to null (accepted) or a rejection's code. */
export async function fuzzAsync<T>(
  t: TestContext,
  name: string,
  arbitrary: fc.Arbitrary<T>,
  check: (input: T) => Promise<string | null>,
  options: { runs?: number } = {},
): Promise<FuzzCounts> {
  const seed = seedOf();
  const counts = newCounts();
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      const start = performance.now();
      let outcome: Outcome;
      try {
        const code = await check(input);
        outcome = code === null ? { kind: 'accepted' } : { kind: 'rejected', code };
      } catch (err) {
        outcome = { kind: 'crash', error: err };
      }
      tally(counts, input, outcome, performance.now() - start);
    }),
    { numRuns: options.runs ?? RUNS, seed },
  );
  report(t, name, counts, seed);
  return counts;
}

function report(t: TestContext, name: string, c: FuzzCounts, seed: number): void {
  const codes = [...c.codes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  const line = `fuzz ${name}: cases ${c.cases}, accepted ${c.accepted}, rejected ${c.rejected}, crashes ${c.crashes}, hangs ${c.hangs}, slowest ${c.slowestMs.toFixed(1)} ms, seed ${seed}${codes ? ` (${codes})` : ''}`;
  t.diagnostic(line);
  if (c.firstCrash) {
    const e = c.firstCrash.error;
    const shown = JSON.stringify(c.firstCrash.input)?.slice(0, 400);
    assert.fail(`${line}\nfirst crash: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\ninput: ${shown}`);
  }
  assert.equal(c.hangs, 0, line);
}

/** The FRR parsers may only ever raise E_FRR_PARSE. */
export function frrParseRejection(err: unknown): string | null {
  return err instanceof BallastError && err.code === 'E_FRR_PARSE' ? err.code : null;
}

/** Any BallastError with a stable code. */
export function codedRejection(err: unknown): string | null {
  return err instanceof BallastError && /^E_[A-Z_]+$/.test(err.code) ? err.code : null;
}
