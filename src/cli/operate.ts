/**
 * Operator commands that talk to running agents over their gRPC API: `ballast status`, `watch`,
 * `drain`, `undrain` and `snapshot`. Each takes `--agent` once per agent (a unix socket by default).
 */
import { Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { connectAgent, type AgentClient, type ClientTls } from '../api/client.js';
import type { DrainResponse } from '../gen/ballast/v1/agent.js';
import { renderEvent, renderWhatIf, renderStatus } from '../api/render.js';
import { snapshotFixture } from '../api/snapshot.js';
import { DEFAULT_SOCKET } from '../api/listen.js';
import { MISSING_BANDWIDTH, WEIGHT_MODELS } from '../fabric/types.js';
import { BallastError, quote } from '../util/errors.js';
import { makeStyle } from '../util/style.js';
import { toJson } from './options.js';
import { EXIT_DRAIN_PENDING } from './run.js';

interface Conn {
  agent: string[];
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Adds the connection options; the one cast tells the typings what these four options add. */
function withConnection<Args extends unknown[], Opts extends OptionValues>(cmd: Command<Args, Opts, {}>): Command<Args, Opts & Conn, {}> {
  return cmd
    .option('--agent <target>', `agent API: unix:///path.sock or host:port (repeat for several; default unix://${DEFAULT_SOCKET})`, collect, [] as string[])
    .option('--tls-ca <file>', "CA of the agent's TLS certificate (TCP)")
    .option('--tls-cert <file>', 'client certificate (TCP, mutual TLS)')
    .option('--tls-key <file>', 'client key (TCP, mutual TLS)') as unknown as Command<Args, Opts & Conn, {}>;
}

function clients(opts: Conn): AgentClient[] {
  const targets = opts.agent.length ? opts.agent : [`unix://${DEFAULT_SOCKET}`];
  const tls: ClientTls | null = opts.tlsCa && opts.tlsCert && opts.tlsKey ? { ca: opts.tlsCa, cert: opts.tlsCert, key: opts.tlsKey } : null;
  return targets.map((t) => connectAgent(t, tls));
}

async function each<R>(opts: Conn, fn: (c: AgentClient) => Promise<R>): Promise<R[]> {
  const cs = clients(opts);
  try {
    return await Promise.all(cs.map(fn));
  } finally {
    for (const c of cs) c.close();
  }
}

/**
 * Drain or undrain on every agent, one line each. An agent that saved it but could not bring FRR to it
 * (E_FRR_DRAIN_PENDING) is said so on stderr, and the exit is 4 (docs/api.md), never a plain "drained";
 * any other failure is thrown as usual (exit 2) after the agents that answered are printed.
 */
async function drainEach(opts: Conn, call: (c: AgentClient) => Promise<DrainResponse>, line: (x: DrainResponse) => string): Promise<void> {
  // Every agent's answer is awaited (none rejects here), so one failure does not hide the others'.
  const results = await each(opts, (c) => call(c).then((value) => ({ status: 'fulfilled', value }) as const, (reason: unknown) => ({ status: 'rejected', reason }) as const));
  let other: unknown = null;
  for (const r of results) {
    if (r.status === 'fulfilled') process.stdout.write(`${line(r.value)}\n`);
    else if (r.reason instanceof BallastError && r.reason.code === 'E_FRR_DRAIN_PENDING') {
      process.stderr.write(`ballast: NOT YET IN FRR: ${r.reason.message} [${r.reason.code}]\n`);
      process.exitCode = EXIT_DRAIN_PENDING;
    } else other ??= r.reason;
  }
  if (other !== null) throw other;
}

export function addOperate(program: Command<[], {}, {}>): void {
  withConnection(program.command('status'))
    .description('What every agent believes: per prefix healthy servers, capacity, advertisement, damping, last change')
    .option('--what-if-fail <servers>', 'also show what each leaf would advertise if these servers failed now (comma-separated)')
    .option('--json', 'machine-readable output', false)
    .action(async (opts) => {
      const fail = (opts.whatIfFail ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const results = await each(opts, async (c) => ({ target: c.target, state: await c.getState(), whatIf: fail.length ? await c.whatIf(fail) : null }));
      if (opts.json) {
        process.stdout.write(toJson({ schemaVersion: 1, agents: results }));
        return;
      }
      const style = makeStyle();
      process.stdout.write(`${results.map((r) => [renderStatus(r.target, r.state, style), ...(r.whatIf ? [renderWhatIf(r.target, r.state.leaf, r.whatIf, fail)] : [])].join('\n\n')).join('\n\n')}\n`);
    });

  withConnection(program.command('watch'))
    .description('Stream decisions, observations and drift from the agents until interrupted')
    .option('--prefix <prefix>', 'only this prefix (repeatable)', collect, [] as string[])
    .option('--json', 'one JSON object per line', false)
    .action(async (opts) => {
      const cs = clients(opts);
      const leaves = await Promise.all(cs.map(async (c) => { const s = await c.getState(); return s.node || s.leaf; }));
      const streams = cs.map((c, i) =>
        c.watch(opts.prefix, (e) => process.stdout.write(opts.json ? `${JSON.stringify({ leaf: leaves[i], ...e })}\n` : `${renderEvent(leaves[i]!, e)}\n`)),
      );
      const stop = () => streams.forEach((s) => s.stop());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await Promise.all(streams.map((s) => s.done));
      } finally {
        cs.forEach((c) => c.close());
      }
    });

  withConnection(program.command('drain'))
    .description('Take a server, or the whole leaf (no SERVER), out of rotation; persisted across agent restarts')
    .argument('[server]', 'server name; omit to drain the whole leaf')
    .requiredOption('--reason <text>', 'why (shown in status and logs)')
    .action(async (server, opts) => {
      await drainEach(opts, (c) => c.drain(server ?? null, opts.reason), (x) => `drained: ${x.leafDrained ? 'whole leaf' : x.drained.join(', ') || 'none'}`);
    });

  withConnection(program.command('undrain'))
    .description('Bring a drained server (or the leaf) back through the normal decision and its hold-down')
    .argument('[server]', 'server name; omit to undrain the whole leaf')
    .action(async (server, opts) => {
      await drainEach(opts, (c) => c.undrain(server ?? null), (x) => `still drained: ${x.leafDrained ? 'whole leaf' : x.drained.join(', ') || 'none'}`);
    });

  withConnection(program.command('snapshot'))
    .description('Write the live state of the agents as a planner fixture (YAML on stdout)')
    .addOption(new Option('--spine-weights <model>', "how every spine weights link-bandwidth (default: each spine's FRR version, from its observer)").choices(WEIGHT_MODELS))
    .option('--spine-frr <version>', 'FRR version of spines whose observer is not among the --agent targets (default 8.4, with a warning)')
    .addOption(new Option('--missing-bandwidth <rule>', 'what the spines do with paths without a value').choices(MISSING_BANDWIDTH).default('ecmp-fallback' as const))
    .option('--load <prefix=load>', 'offered load of a prefix (repeatable)', collect, [] as string[])
    .option('--unit <label>', 'unit of capacity and load', 'units')
    .option('--name <name>', 'fixture name', 'snapshot')
    .action(async (opts) => {
      const states = await each(opts, (c) => c.getState());
      const load = new Map<string, number>();
      for (const item of opts.load) {
        const [prefix, value] = item.split('=');
        const v = Number(value);
        if (!prefix || value === undefined || !Number.isFinite(v) || v < 0) throw new BallastError('E_USAGE', `Cannot use --load ${quote(item)}: expected PREFIX=LOAD, e.g. 198.51.100.1/32=50`);
        load.set(prefix, v);
      }
      const snap = snapshotFixture(states, { ...(opts.spineWeights ? { spineWeights: opts.spineWeights } : {}), ...(opts.spineFrr ? { spineFrr: opts.spineFrr } : {}), missingBandwidth: opts.missingBandwidth, load, unit: opts.unit, name: opts.name });
      for (const w of snap.warnings) process.stderr.write(`ballast: warning: ${w}\n`);
      process.stdout.write(snap.yaml);
    });
}
