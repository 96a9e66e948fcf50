/**
 * `ballast plan FIXTURE [--k N] [--strategy S,...] [--json] [--html FILE]`: the N-k capacity plan.
 * The edge around the pure planner: it owns the clock (progress after a second), Ctrl-C (stop
 * cleanly, report the partial coverage) and the streams (data on stdout, progress on stderr).
 */
import { thousands } from '../util/format.js';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, Option } from '@commander-js/extra-typings';
import { loadFixture } from '../fabric/load.js';
import { defaultStrategies, FLEET_STRATEGIES, STRATEGIES } from '../fabric/types.js';
import { planSteps, type PlanReport } from '../plan/plan.js';
import { renderPlanHtml } from '../plan/report-html.js';
import { renderPlanText } from '../plan/report-text.js';
import type { Progress } from '../plan/sweep.js';
import { BallastError, quote } from '../util/errors.js';
import { EXIT_OK, EXIT_OVERLOAD } from './run.js';
import { makeStyle } from '../util/style.js';
import { sweepPool } from './sweep-pool.js';
import { parseStrategies, toJson } from './options.js';

/** Give the event loop a turn this often, so Ctrl-C and the progress timer get through. */
const YIELD_EVERY_MS = 50;
/**
 * Progress starts once the work has taken this long. BALLAST_PROGRESS_AFTER_MS changes it for the tests:
 * a 4 MiB fixture loads in under a second on a quiet machine, so its load would show no progress at all.
 */
const PROGRESS_AFTER_MS = Number(process.env.BALLAST_PROGRESS_AFTER_MS ?? 1000);
const PROGRESS_EVERY_MS = 250;
/** The shell's convention for a process ended by SIGINT. */
const EXIT_INTERRUPTED = 130;

export function addPlan(program: Command<[], {}, {}>): void {
  program
    .command('plan')
    .description('Capacity plan: every scenario of up to k failed servers, leaves, spines and (on fabrics small enough) leaf-spine links; safe load, worst scenarios, quantization and recommendations per strategy')
    .argument('<fixture>', 'fabric fixture (YAML)')
    .addOption(new Option('--k <n>', 'most simultaneous failures per scenario').argParser(whole('k', 0)).default(1))
    .option('--strategy <list>', `strategies, comma-separated: the whole fabric on ${STRATEGIES.join(', ')}, or configured (each leaf its fixture strategy:) (default: all three, and configured when a leaf sets strategy:)`)
    .addOption(new Option('--budget <n>', 'most scenario evaluations (equivalent servers share one); past it, larger failure sets are searched, not enumerated').argParser(whole('budget', 1)).default(2_000_000))
    .addOption(new Option('--beam <n>', 'worst scenarios per strategy extended by one more failure when searching').argParser(whole('beam', 1)).default(16))
    .addOption(new Option('--worst <n>', 'worst scenarios listed per strategy').argParser(whole('worst', 1)).default(5))
    .option('--no-recommend', 'skip the recommendations (each re-runs part of the sweep)')
    .option('--no-symmetry', 'evaluate every scenario, even where interchangeable servers (same leaf, capacity and prefixes) give the same result')
    .option('--json', 'machine-readable output (schemaVersion 1)', false)
    .option('--html <file>', 'also write a self-contained HTML report to this file')
    .addOption(new Option('--jobs <n>', 'threads for the sweep (the report is the same for any number); default the core count').argParser(whole('jobs', 1)).default(availableParallelism()))
    .option('--progress', 'show progress on stderr even when it is not a terminal', false)
    .addHelpText('after', '\nExit status: 0 no covered scenario overloads a server at the configured load under ballast (or the first\n--strategy), 1 some does, 2 bad input, 130 stopped by Ctrl-C (the partial report is still printed).')
    .action(async (fixture, opts) => {
      // An explicit --strategy is checked before the load; the default needs the fixture (configured when a leaf sets strategy:).
      const asked = opts.strategy === undefined ? undefined : parseStrategies(opts.strategy, FLEET_STRATEGIES);
      // Progress from the start: a large fixture's load alone can take over a second. It is
      // synchronous, so Ctrl-C during it ends the process at once (no handler yet, nothing covered).
      const progress = progressPrinter(opts.progress);
      let fabric;
      try {
        fabric = loadFixture(fixture, (phase, done, planned) => progress.update({ phase, done, planned }));
      } catch (err) {
        progress.done();
        throw err;
      }
      const strategies = asked ?? defaultStrategies(fabric);
      let stop = false;
      const onSigint = () => {
        // A second Ctrl-C while the partial report is being written ends the process the usual way.
        if (stop) process.exit(130);
        stop = true;
      };
      process.on('SIGINT', onSigint);
      let report: PlanReport;
      try {
        report = await drive(planSteps(fabric, {
          fixture,
          k: opts.k,
          strategies,
          budget: opts.budget,
          beamWidth: opts.beam,
          keepWorst: opts.worst,
          recommend: opts.recommend,
          symmetry: opts.symmetry,
          shouldStop: () => stop,
          ...(opts.jobs > 1 ? { parallel: sweepPool(fabric, strategies, opts.symmetry, opts.jobs) } : {}),
        }), progress);
      } finally {
        progress.done();
        process.off('SIGINT', onSigint);
      }
      if (report.coverage.interrupted) process.stderr.write(`ballast: interrupted: ${thousands(report.coverage.evaluated)} of ${thousands(report.coverage.total)} scenarios covered; the report below is partial\n`);
      if (opts.html) {
        try {
          writeFileSync(opts.html, renderPlanHtml(report, fabric));
        } catch (err) {
          throw new BallastError('E_FILE_WRITE', `Cannot write the HTML report to ${quote(opts.html)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
      }
      process.stdout.write(opts.json ? toJson(report) : `${renderPlanText(report, makeStyle())}\n`);
      // An overload found is definite; otherwise an interrupted run must not pass for a clean one.
      process.exitCode = report.overloaded ? EXIT_OVERLOAD : report.coverage.interrupted ? EXIT_INTERRUPTED : EXIT_OK;
    });
}

/** Run the plan's steps, yielding to the event loop every few tens of milliseconds. */
async function drive<T>(steps: Generator<Progress, T>, progress: ProgressPrinter): Promise<T> {
  let last = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    progress.update(step.value);
    // Worker threads at work: wait for them (a tick, or their end) with the event loop free.
    if (step.value.wait) {
      await step.value.wait;
      last = performance.now();
      continue;
    }
    const now = performance.now();
    if (now - last >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}

interface ProgressPrinter {
  update(p: Progress): void;
  done(): void;
}

/** Progress on stderr once the work has taken a second, when stderr is a terminal or --progress asks. */
function progressPrinter(forced: boolean): ProgressPrinter {
  const tty = process.stderr.isTTY === true;
  if (!tty && !forced) return { update() {}, done() {} };
  const start = performance.now();
  let lastPrint = 0;
  let printed = false;
  let phase = '';
  let phaseStart = start;
  let phaseDone = 0;
  return {
    update(p) {
      const now = performance.now();
      // Rate and time left over the current phase (phases differ a lot in cost per scenario).
      if (p.phase !== phase || p.done < phaseDone) {
        phase = p.phase;
        phaseStart = now;
        phaseDone = p.done;
      }
      if (now - start < PROGRESS_AFTER_MS || now - lastPrint < PROGRESS_EVERY_MS) return;
      lastPrint = now;
      printed = true;
      const pct = p.planned > 0 ? ` (${Math.min(100, Math.floor((p.done / p.planned) * 100))}%)` : '';
      const secs = (now - phaseStart) / 1000;
      const rate = secs > 0.2 ? (p.done - phaseDone) / secs : 0;
      const eta = rate > 0 && p.planned > p.done ? `, ETA ${formatSeconds((p.planned - p.done) / rate)}` : '';
      const speed = rate > 0 ? `, ${thousands(Math.round(rate))}/s${eta}` : '';
      const line = `plan: ${p.phase} ${thousands(p.done)}/${thousands(p.planned)}${pct} ${((now - start) / 1000).toFixed(1)}s${speed}`;
      process.stderr.write(tty ? `\r\u001b[2K${line}` : `${line}\n`);
    },
    done() {
      if (printed && tty) process.stderr.write('\r\u001b[2K');
    },
  };
}

function whole(name: string, min: number) {
  return (text: string): number => {
    const v = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < min) throw new BallastError('E_USAGE', `Cannot use --${name} ${quote(text)}: expected a whole number of at least ${min}`);
    return v;
  };
}

function formatSeconds(seconds: number): string {
  const s = Math.ceil(seconds);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
