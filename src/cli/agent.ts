/**
 * `ballast agent -c FILE [--dry-run]`: the leaf agent daemon (docs/agent.md). pino JSON logs on stdout
 * (on stderr in a dry run, where stdout carries the vtysh commands it would run); SIGHUP reloads and
 * keeps the old config if the new one is bad; SIGTERM/SIGINT stop and leave FRR's last good
 * configuration in place.
 */
import { Command } from '@commander-js/extra-typings';
import { pino } from 'pino';
import { Agent } from '../agent/agent.js';
import type { FrrRunner } from '../agent/frr-io.js';
import { fileDrainStore } from '../agent/drain-store.js';
import { agentApi } from '../api/agent-adapter.js';
import type { MetricsServer } from '../api/metrics.js';
import { startApiServer } from '../api/server.js';
import { parseListen } from '../api/listen.js';
import { loadAgentConfig } from '../agent/config.js';
import { followRanges } from '../agent/ranges.js';
import { startRouteMonitor } from '../frr/route-monitor.js';
import { frrRunner } from '../frr/frr-runner.js';
import { checkConfig } from './options.js';
import { skeletonFrrConf, skeletonNvue } from '../agent/skeleton.js';
import type { DaemonPids } from '../agent/restarts.js';
import { ipKernelReader } from '../agent/frr-faults.js';
import { heapCompactor } from '../util/heap.js';
import { takeEarlySignals } from './early-signals.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BallastError, InputError, InputErrors } from '../util/errors.js';

export const DEFAULT_AGENT_CONFIG = '/etc/ballast/agent.yaml';


/** The pid files FRR writes beside its vty sockets (`-i DIR/bgpd.pid` in the lab, /var/run/frr/ for the system FRR). */
function pidReader(vtyDir: string | null): () => DaemonPids {
  const dir = vtyDir ?? '/var/run/frr';
  const pid = (daemon: string): number | null => {
    try {
      const n = Number(readFileSync(join(dir, `${daemon}.pid`), 'utf8').trim());
      return Number.isSafeInteger(n) && n > 0 ? n : null;
    } catch {
      return null;
    }
  };
  return () => ({ bgpd: pid('bgpd'), zebra: pid('zebra') });
}

export function addAgent(program: Command<[], {}, {}>): void {
  const agent = program
    .command('agent')
    .description('Leaf agent: advertise each anycast prefix with the live capacity behind this leaf (link-bandwidth / prepend through FRR)')
    .option('-c, --config <file>', 'agent config (YAML)', DEFAULT_AGENT_CONFIG)
    .option('--dry-run', 'observe FRR and print the vtysh commands it would run; change nothing', false)
    .option('--check', 'validate the config file and exit, touching nothing (systemctl reload runs it first)', false)
    .addHelpText('after', '\nExit status: 0 stopped cleanly (or --check: valid), 2 bad config, usage, or FRR not as configured.')
    .action(async (opts) => {
      if (opts.check) return checkConfig(opts.config, loadAgentConfig);
      await runAgent(opts.config, opts.dryRun);
    });
  // -c belongs to `agent` itself and is read from there: `agent nvue-snippet -c X` and `agent -c X nvue-snippet` both work.
  agent
    .command('nvue-snippet')
    .description("Print the agent's static skeleton (owned route-maps, prefix-lists, catch-all entries, bindings) as NVUE commands, or as an frr.conf snippet, so a configuration manager keeps it and the agent only edits values (docs/cumulus.md)")
    .option('--frr-conf', 'print frr.conf lines (for frr-reload.py or an NVUE frr.conf snippet) instead of nv commands', false)
    .action((opts) => {
      const config = loadAgentConfig(agent.opts().config);
      process.stdout.write(opts.frrConf ? skeletonFrrConf(config) : skeletonNvue(config));
    });
}

async function runAgent(file: string, dryRun: boolean): Promise<void> {
  const base = loadAgentConfig(file);
  const logger = pino(
    { level: base.reloadable.logLevel, base: { component: 'agent', leaf: base.static.leaf, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination(dryRun ? 2 : 1),
  );
  const s = base.static;
  // bgpd only: its own configuration, and writes that fail whole when bgpd is down (see vtysh.ts).
  // Reads over bgpd's vty socket unless `frr.reads: vtysh` (frr-runner.ts).
  const rawFrr: FrrRunner = frrRunner(s, 'bgpd');
  // Swapped for a timed runner once the metrics exist (they need the agent to read from).
  let frr = rawFrr;
  // Covering ranges: the host routes inside them the servers announce, found before the agent starts.
  let agentRef: Agent | null = null;
  const ranges = await followRanges(base, {
    frr: (commands) => frr(commands),
    apply: async (next) => void (await agentRef?.reload(next)),
    warn: (o, m) => logger.warn(o, m),
    info: (o, m) => logger.info(o, m),
  });
  const config = ranges.current();
  const kernel = ipKernelReader(s.timeoutMs);
  const agent = new Agent(config, {
    logger,
    frr: (commands, timeoutMs) => frr(commands, timeoutMs),
    drainStore: fileDrainStore(s.stateFile),
    daemonPids: pidReader(s.vtyDir),
    kernel,
    compact: heapCompactor(),
    ...(dryRun ? { dryRun: (commands: readonly string[]) => process.stdout.write(`vtysh${s.vtyDir ? ` --vty_socket ${s.vtyDir}` : ''} -d bgpd ${commands.map((c) => `-c '${c}'`).join(' ')}\n`) } : {}),
  });
  agentRef = agent;
  const api = agentApi(agent, { dryRun });
  let metricsServer: MetricsServer | null = null;
  if (s.metricsPort !== null) {
    // prom-client only where metrics are asked for (about 1 MiB resident, bench/agent.md).
    const { newRegistry, registerAgentMetrics, serveMetrics } = await import('../api/metrics.js');
    const registry = newRegistry('agent');
    frr = registerAgentMetrics(registry, api).timeVtysh(rawFrr);
    metricsServer = await serveMetrics(registry, s.metricsPort);
  }
  // The API comes up before the agent touches FRR: a socket already in use or a TLS mistake stops us first.
  const apiServer = s.apiListen === null ? null : await startApiServer(api, parseListen(s.apiListen, s.tlsCert && s.tlsKey && s.tlsClientCa ? { cert: s.tlsCert, key: s.tlsKey, clientCa: s.tlsClientCa } : null));
  // While FRR is not there the agent waits (waiting-for-frr) with its API and metrics up; a signal
  // meanwhile stops the wait. What waiting cannot mend (a foreign route-map on the peer-group, an
  // unreadable state file) ends the process at once, non-zero, so a supervisor sees it.
  const stopDuringStart = () => void agent.stop();
  process.on('SIGTERM', stopDuringStart).on('SIGINT', stopDuringStart);
  // Signals held since the process started (early-signals.ts); SIGHUP stays held until the agent is up.
  const early = takeEarlySignals(false);
  if (early.includes('SIGTERM') || early.includes('SIGINT')) void agent.stop();
  try {
    await agent.start();
  } catch (err) {
    const code = err instanceof BallastError ? err.code : 'E_INTERNAL';
    logger.fatal({ event: 'fatal', code, err: err instanceof Error ? err.message : String(err) }, `cannot manage FRR: ${err instanceof Error ? err.message : String(err)}`);
    await Promise.all([apiServer?.close(), metricsServer?.close()]);
    logger.flush();
    process.exit(err instanceof BallastError ? 2 : 70);
  }
  process.off('SIGTERM', stopDuringStart).off('SIGINT', stopDuringStart);
  if (agent.phase === 'stopped') {
    await Promise.all([apiServer?.close(), metricsServer?.close()]);
    logger.info({ event: 'stopped', before: 'adoption' }, 'stopped while waiting for FRR');
    return;
  }
  if (apiServer) logger.info({ event: 'api', address: apiServer.address }, `API on ${apiServer.address}`);
  if (metricsServer) logger.info({ event: 'metrics', port: metricsServer.port }, `metrics on http://127.0.0.1:${metricsServer.port}/metrics`);
  const monitor = s.routeMonitor ? startRouteMonitor((p) => {
        ranges.routeChanged(p);
        agent.routeChanged(p);
      }, (m) => logger.warn({ event: 'route-monitor' }, m)) : null;
  logger.info({ event: 'started', dryRun, prefixes: config.reloadable.prefixes.length }, 'agent started');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ event: 'signal', signal }, `received ${signal}`);
      process.off('SIGHUP', hup);
      monitor?.stop();
      ranges.stop();
      Promise.all([agent.stop(), apiServer?.close(), metricsServer?.close()]).finally(() => kernel.close()).then(() => resolve(), (err: unknown) => {
        logger.error({ event: 'stop-error', err: String(err) }, 'error while stopping');
        resolve();
      });
    };
    const hup = () => {
      try {
        void ranges.setBase(loadAgentConfig(file));
      } catch (err) {
        // A bad new config keeps the old one running.
        const message = err instanceof InputError ? err.format() : err instanceof InputErrors || err instanceof BallastError ? err.message : String(err);
        logger.error({ event: 'reload-refused', code: (err as BallastError).code, err: message }, `reload refused, keeping the running config: ${message}`);
      }
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', hup);
    // A SIGHUP that arrived before the agent was up: the file may have changed since it was read.
    if (takeEarlySignals(true).includes('SIGHUP')) hup();
  });
}
