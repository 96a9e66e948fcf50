/**
 * `ballast health -c FILE [--dry-run]` runs the server health checker (a daemon: pino JSON logs on
 * stdout, SIGHUP reloads, SIGTERM/SIGINT stop and withdraw unless on-exit is leave).
 * `ballast health status|drain|undrain` talk to it over its control socket (docs/health.md).
 */
import { Command } from '@commander-js/extra-typings';
import { pino } from 'pino';
import { DEFAULT_CONFIG_FILE, loadHealthConfig } from '../health/config.js';
import { request, socketPath, type ControlRequest } from '../health/control.js';
import { HealthDaemon } from '../health/daemon.js';
import { renderStatus } from '../health/render.js';
import type { HealthSnapshot } from '../health/snapshot.js';
import { BallastError, InputError, InputErrors } from '../util/errors.js';
import { newRegistry, registerHealthMetrics, serveMetrics, type MetricsServer } from '../api/metrics.js';
import { makeStyle } from '../util/style.js';
import { checkConfig } from './options.js';

function serveHealthMetrics(daemon: HealthDaemon, port: number): Promise<MetricsServer> {
  const registry = newRegistry('health');
  registerHealthMetrics(registry, () => daemon.snapshot());
  return serveMetrics(registry, port);
}

export function addHealth(program: Command<[], {}, {}>): void {
  const health = program
    .command('health')
    .description('Server health checker: announce the anycast addresses only while the local service passes its checks')
    .option('-c, --config <file>', 'health config (YAML)', DEFAULT_CONFIG_FILE)
    .option('--dry-run', 'run the checks and log what would change, change no address', false)
    .option('--check', 'validate the config file and exit, touching nothing (systemctl reload runs it first)', false)
    .addHelpText('after', '\nExit status: 0 stopped cleanly (or --check: valid), 2 bad config or usage.')
    .action(async (opts) => {
      if (opts.check) return checkConfig(opts.config, loadHealthConfig);
      await runDaemon(opts.config, opts.dryRun);
    });

  const control = (name: string, description: string) =>
    health
      .command(name)
      .description(description)
      .option('--socket <path>', 'control socket (default: from the config\'s runtime-dir)')
      .option('--json', 'print the state as JSON (schemaVersion 1)', false);

  // -c belongs to `health` itself and is read from there: `health status -c X` and `health -c X status` both work.
  const configOf = () => health.opts().config;
  control('status', 'Show every service and check as the running checker sees them').action(async (opts) => {
    print(await ask(configOf(), opts, { op: 'status' }), opts.json);
  });
  control('drain', 'Take the server (or one service) out of rotation without stopping the service')
    .option('--service <name>', 'drain only this service')
    .option('--reason <text>', 'why, shown in status and logs', 'drained by command')
    .action(async (opts) => {
      print(await ask(configOf(), opts, { op: 'drain', reason: opts.reason, ...(opts.service ? { service: opts.service } : {}) }), opts.json);
    });
  control('undrain', 'End a command drain; the service returns after rise fresh passes of every check')
    .option('--service <name>', 'undrain only this service')
    .action(async (opts) => {
      print(await ask(configOf(), opts, { op: 'undrain', ...(opts.service ? { service: opts.service } : {}) }), opts.json);
    });
}

function ask(config: string, opts: { socket?: string }, req: ControlRequest): Promise<HealthSnapshot> {
  const path = opts.socket ?? socketPath(loadHealthConfig(config).runtimeDir);
  return request<HealthSnapshot>(path, req);
}

function print(snap: HealthSnapshot, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(snap, null, 2)}\n` : `${renderStatus(snap, makeStyle())}\n`);
}

async function runDaemon(file: string, dryRun: boolean): Promise<void> {
  const config = loadHealthConfig(file);
  const logger = pino({ base: { component: 'health', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
  const daemon = new HealthDaemon(config, { logger, dryRun });
  await daemon.start();
  const metrics = config.metricsPort === null ? null : await serveHealthMetrics(daemon, config.metricsPort);
  if (metrics) logger.info({ event: 'metrics', port: metrics.port }, `metrics on http://127.0.0.1:${metrics.port}/metrics`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ event: 'signal', signal }, `received ${signal}`);
      process.off('SIGHUP', hup);
      Promise.all([daemon.stop(), metrics?.close()]).then(() => resolve(), (err: unknown) => {
        logger.error({ event: 'stop-error', err: String(err) }, 'error while stopping');
        resolve();
      });
    };
    const hup = () => {
      try {
        void daemon.reload(loadHealthConfig(file)).catch((err: unknown) => logger.error({ event: 'reload-refused', err: String(err) }, `reload refused: ${String(err)}`));
      } catch (err) {
        // A bad new config keeps the old one running.
        const message = err instanceof InputError || err instanceof InputErrors ? (err instanceof InputError ? err.format() : err.message) : err instanceof BallastError ? err.message : String(err);
        logger.error({ event: 'reload-refused', code: (err as BallastError).code, err: message }, `reload refused, keeping the running config: ${message}`);
      }
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', hup);
  });
}
