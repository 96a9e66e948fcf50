/**
 * `ballast observe -c FILE`: the read-only observer for spines, super-spines and border routers
 * (docs/observer.md). A command of its own rather than the agent with a role: it shares the agent's
 * config conventions, API and metrics, but none of its write path (route-maps, drains, state file),
 * so "never writes to FRR" holds by construction: the observer's code only ever sends `show` commands.
 */
import { Command } from '@commander-js/extra-typings';
import { pino } from 'pino';
import { newRegistry, serveMetrics, type MetricsServer } from '../api/metrics.js';
import { registerObserverMetrics } from '../api/observer-metrics.js';
import { startApiServer } from '../api/server.js';
import { parseListen } from '../api/listen.js';
import { startRouteMonitor } from '../frr/route-monitor.js';
import { frrRunner } from '../frr/frr-runner.js';
import { loadObserverConfig } from '../observer/config.js';
import { Observer, observerApi } from '../observer/observer.js';
import { run } from '../util/exec.js';

export const DEFAULT_OBSERVER_CONFIG = '/etc/ballast/observer.yaml';

export function addObserve(program: Command<[], {}, {}>): void {
  program
    .command('observe')
    .description("Read-only observer for a spine or border router: installed next hops and weights, received link-bandwidth, FRR version; serves the agent's API (GetState, Watch) and metrics")
    .option('-c, --config <file>', 'observer config (YAML)', DEFAULT_OBSERVER_CONFIG)
    .addHelpText('after', '\nExit status: 0 stopped cleanly, 2 bad config or usage.')
    .action(async (opts) => {
      await runObserver(opts.config);
    });
}

async function runObserver(file: string): Promise<void> {
  const config = loadObserverConfig(file);
  const logger = pino({ level: config.logLevel, base: { component: 'observer', node: config.node, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(1));
  const observer = new Observer(config, {
    logger,
    // Reads over the daemons' vty sockets (zebra's routes, bgpd's paths) unless `frr.reads: vtysh`.
    frr: frrRunner(config),
    ip: config.kernel ? async (args) => (await run('ip', args, { timeoutMs: config.timeoutMs, code: 'E_FRR_COMMAND' })).stdout : null,
  });
  const api = observerApi(observer);
  let metrics: MetricsServer | null = null;
  if (config.metricsPort !== null) {
    const registry = newRegistry('observer');
    registerObserverMetrics(registry, () => observer.state(), () => observer.lastReadAt);
    metrics = await serveMetrics(registry, config.metricsPort);
  }
  const apiServer = config.apiListen === null ? null : await startApiServer(api, parseListen(config.apiListen, config.tls));
  await observer.start();
  const monitor = config.routeMonitor ? startRouteMonitor((p) => observer.routeChanged(p), (m) => logger.warn({ event: 'route-monitor' }, m)) : null;
  if (apiServer) logger.info({ event: 'api', address: apiServer.address }, `API on ${apiServer.address}`);
  logger.info({ event: 'started', prefixes: config.prefixes.map((p) => p.text) }, 'observer started');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ event: 'signal', signal }, `received ${signal}`);
      monitor?.stop();
      Promise.all([observer.stop(), apiServer?.close(), metrics?.close()]).then(() => resolve(), () => resolve());
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
