/**
 * `ballast verify --agent LEAF ... --agent SPINE-OBSERVER ...`: do the spines install the weights the
 * planner predicts for the fabric the agents report? Exit 0 all as predicted, 1 a difference that
 * outlasted --settle (printed as a diff with its cause), 2 usage or an agent that cannot be reached.
 * `--watch` keeps checking, prints transitions and serves `ballast_prediction_mismatch` on
 * --metrics-port.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { connectAgent, type AgentClient } from '../api/client.js';
import { newRegistry, serveMetrics } from '../api/metrics.js';
import { registerVerifyMetrics, type VerifyMetricsView } from '../api/observer-metrics.js';
import { MISSING_BANDWIDTH, WEIGHT_MODELS } from '../fabric/types.js';
import { BallastError } from '../util/errors.js';
import { makeStyle } from '../util/style.js';
import { renderVerification, transitions, verificationJson } from '../verify/render.js';
import { verifyFabric, type Verification, type VerifyOptions } from '../verify/verify.js';
import { toJson } from './options.js';

const collect = (v: string, prev: string[]) => [...prev, v];
const seconds = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new BallastError('E_USAGE', `${name} is ${JSON.stringify(v)}, expected a number of seconds >= 0`);
  return n;
};

async function round(clients: readonly AgentClient[], options: VerifyOptions): Promise<Verification> {
  return verifyFabric(await Promise.all(clients.map((c) => c.getState())), options);
}

export function addVerify(program: Command<[], {}, {}>): void {
  program
    .command('verify')
    .description("Compare the spines' installed weights (from their observers) with what the planner predicts for the fabric the leaves' agents report")
    .option('--agent <target>', 'a leaf agent or a spine observer (unix:///path.sock); repeat for every leaf and spine', collect, [] as string[])
    .addOption(new Option('--spine-weights <model>', "every spine's weight model (default: from each observer's FRR version)").choices(WEIGHT_MODELS))
    .addOption(new Option('--missing-bandwidth <rule>', 'what the spines are meant to do with paths without link-bandwidth').choices(MISSING_BANDWIDTH).default('ecmp-fallback' as const))
    .option('--tolerance <weight>', 'accepted difference per next hop, in weight units', seconds('--tolerance'), 0)
    .option('--settle <seconds>', 're-check a difference for this long before calling it one (transients)', seconds('--settle'), 5)
    .option('--watch', 'keep checking; print transitions until interrupted', false)
    .option('--interval <seconds>', 'seconds between rounds with --watch', seconds('--interval'), 1)
    .option('--metrics-port <port>', 'with --watch: serve ballast_prediction_mismatch on 127.0.0.1:PORT/metrics', (v) => Number(v))
    .option('--json', 'machine-readable output', false)
    .addHelpText('after', '\nExit status: 0 every route as predicted, 1 a difference (after --settle), 2 usage or an agent unreachable.')
    .action(async (opts) => {
      if (opts.agent.length === 0) throw new BallastError('E_USAGE', 'Name the agents to verify with --agent (the leaves\' agents and the spines\' observers)');
      const options: VerifyOptions = { spineWeights: opts.spineWeights ?? null, missingBandwidth: opts.missingBandwidth, tolerance: opts.tolerance };
      const clients = opts.agent.map((t) => connectAgent(t));
      const style = makeStyle();
      try {
        if (opts.watch) {
          await watch(clients, options, opts.interval, opts.metricsPort ?? null, opts.json);
          return;
        }
        const deadline = Date.now() + opts.settle * 1000;
        let v = await round(clients, options);
        while (!v.equal && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 500));
          v = await round(clients, options);
        }
        process.stdout.write(opts.json ? toJson(verificationJson(v)) : `${renderVerification(v, style)}\n`);
        if (!v.equal) process.exitCode = 1;
      } finally {
        for (const c of clients) c.close();
      }
    });
}

async function watch(clients: readonly AgentClient[], options: VerifyOptions, intervalS: number, metricsPort: number | null, json: boolean): Promise<void> {
  let last: Verification | null = null;
  const runs = { equal: 0, mismatch: 0, error: 0 };
  const view: { -readonly [K in keyof VerifyMetricsView]: VerifyMetricsView[K] } = { comparisons: [], findings: [], lastRunAt: null, runs };
  let server = null;
  if (metricsPort !== null) {
    const registry = newRegistry('verify');
    registerVerifyMetrics(registry, () => view);
    server = await serveMetrics(registry, metricsPort);
    process.stderr.write(`ballast verify: metrics on http://127.0.0.1:${server.port}/metrics\n`);
  }
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  while (!stopped) {
    try {
      const v = await round(clients, options);
      runs[v.equal ? 'equal' : 'mismatch']++;
      view.comparisons = v.checks.map((c) => ({ prefix: c.prefix, router: c.router, mismatch: !c.equal, predicted: c.predicted }));
      view.findings = v.findings;
      view.lastRunAt = Date.now();
      const now = new Date();
      const lines = transitions(last, v, now);
      if (!json) for (const l of lines) process.stdout.write(`${l}\n`);
      else {
        // One JSON object per route whose result changed, as the text lines.
        const changed = verificationJson(v).checks.filter((c) => lines.some((l) => l.includes(` ${c.prefix} ${c.router}:`)));
        for (const c of changed) process.stdout.write(`${JSON.stringify({ time: now.toISOString(), ...c })}\n`);
      }
      if (last === null || JSON.stringify(last.findings) !== JSON.stringify(v.findings)) for (const f of v.findings) process.stderr.write(`ballast verify: finding: ${f.detail} [${f.cause}]\n`);
      last = v;
    } catch (err) {
      runs.error++;
      process.stderr.write(`ballast verify: ${(err as Error).message}\n`);
    }
    await new Promise((r) => setTimeout(r, intervalS * 1000));
  }
  await server?.close();
}
