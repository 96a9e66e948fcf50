/**
 * `ballast lab up --health`: in every server namespace, a small HTTP service on port 8080 and
 * `ballast health` checking it, so stopping the service takes the server out of its leaf's ECMP the
 * way production would. Kept apart from lab.ts: it only adds processes to an up lab, and `lab down`
 * removes them with everything else in the lab's namespaces.
 *
 * Files, per server, under RUN_DIR/health/SERVER/: health.yaml, run/health.sock (the checker's
 * runtime-dir), drain (its drain file), checker.log, web.log; RUN_DIR/health/state.json holds the PIDs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fabric } from '../fabric/types.js';
import { request, socketPath } from '../health/control.js';
import { LAB_METRICS_PORT } from './agents.js';
import type { HealthSnapshot } from '../health/snapshot.js';
import { BallastError } from '../util/errors.js';
import { ballastScript } from '../util/self.js';
import { NETNS_PREFIX } from './topology.js';
import { alive, cmdline, terminate } from './processes.js';
import type { LabState } from './state.js';

export const WEB_PORT = 8080;
/** Fast enough for demos and the failover bench: down after 3 x 0.5 s, back after 2 x 0.5 s. */
export const LAB_CHECK = { intervalSeconds: 0.5, timeoutSeconds: 0.4, rise: 2, fall: 3 } as const;
/** In the service's command line, so a PID is only ever signalled while it is still our service. */
const WEB_MARKER = 'ballast-lab-web';
const BIN = ballastScript();

// The service answers with its server's name, so a request to the anycast address shows who served it.
const WEB_CODE = `const [port, name] = process.argv.slice(-2);
require('node:http').createServer((q, r) => r.end('ok ' + name + '\\n')).listen(Number(port), '0.0.0.0');`;

export interface LabHealthServer {
  readonly server: string;
  readonly ns: string;
  readonly dir: string;
  checkerPid: number;
  webPid: number | null;
}

export interface LabHealthState {
  readonly servers: LabHealthServer[];
}

export const healthDir = (runDir: string): string => join(runDir, 'health');
const statePath = (runDir: string): string => join(healthDir(runDir), 'state.json');
export const serverSocket = (runDir: string, server: string): string => socketPath(join(healthDir(runDir), server, 'run'));

export function readLabHealth(runDir: string): LabHealthState | null {
  try {
    return JSON.parse(readFileSync(statePath(runDir), 'utf8')) as LabHealthState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BallastError('E_LAB', `Cannot read ${statePath(runDir)}: ${(err as Error).message}`);
  }
}

function writeLabHealth(runDir: string, state: LabHealthState): void {
  const tmp = `${statePath(runDir)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, statePath(runDir));
}

/** The checker's config for one lab server: its prefixes, one HTTP check against its own service. */
export function labHealthConfig(dir: string, prefixes: readonly string[]): string {
  return [
    `# Written by "ballast lab up --health".`,
    `interface: lo`,
    `on-exit: withdraw`,
    `runtime-dir: ${dir}/run`,
    `drain-file: ${dir}/drain`,
    `reconcile-seconds: 5`,
    // Each server namespace has its own loopback: the same port as the lab's agents and observers.
    `metrics-port: ${LAB_METRICS_PORT}`,
    `defaults: { interval-seconds: ${LAB_CHECK.intervalSeconds}, timeout-seconds: ${LAB_CHECK.timeoutSeconds}, rise: ${LAB_CHECK.rise}, fall: ${LAB_CHECK.fall} }`,
    `services:`,
    `  - name: web`,
    `    prefixes: [${prefixes.join(', ')}]`,
    `    checks:`,
    `      - { name: http, type: http, url: "http://127.0.0.1:${WEB_PORT}/", body-match: "^ok" }`,
    ``,
  ].join('\n');
}

/** Start a process inside a namespace, detached, output to a log file. `ip netns exec` execs in place: the PID is the program's. */
function spawnIn(ns: string, argv: readonly string[], log: string): number {
  const fd = openSync(log, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (child.pid === undefined) throw new BallastError('E_LAB', `Cannot start ${argv[0]} in ${ns}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

function startWeb(entry: LabHealthServer): number {
  return spawnIn(entry.ns, [process.execPath, '-e', WEB_CODE, WEB_MARKER, String(WEB_PORT), entry.server], join(entry.dir, 'web.log'));
}

/**
 * Start service and checker in every server namespace and wait (bounded) until every server whose
 * fixture state is up is announced by its checker. Failed servers get a checker but no service.
 */
export async function startLabHealth(lab: LabState, fabric: Fabric, log: (line: string) => void = () => {}, timeoutMs = 20_000): Promise<LabHealthState> {
  mkdirSync(healthDir(lab.runDir), { recursive: true, mode: 0o755 });
  const state: LabHealthState = { servers: [] };
  for (const server of fabric.servers) {
    const dir = join(healthDir(lab.runDir), server.name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const config = join(dir, 'health.yaml');
    writeFileSync(config, labHealthConfig(dir, server.prefixes));
    const entry: LabHealthServer = { server: server.name, ns: `${lab.nsPrefix ?? NETNS_PREFIX}${server.name}`, dir, checkerPid: 0, webPid: null };
    if (!lab.failed.includes(server.name)) entry.webPid = startWeb(entry);
    entry.checkerPid = spawnIn(entry.ns, [process.execPath, BIN, 'health', '-c', config], join(dir, 'checker.log'));
    state.servers.push(entry);
    writeLabHealth(lab.runDir, state);
  }
  log(`started ${state.servers.length} health checkers (check every ${LAB_CHECK.intervalSeconds} s, rise ${LAB_CHECK.rise}, fall ${LAB_CHECK.fall})`);
  const expected = state.servers.filter((s) => s.webPid !== null);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snaps = await Promise.all(expected.map((s) => labHealthSnapshot(lab.runDir, s.server).catch(() => null)));
    if (snaps.every((s) => s?.services.every((x) => x.inRotation === true))) break;
    if (Date.now() > deadline) {
      const late = expected.filter((_, i) => !snaps[i]?.services.every((x) => x.inRotation === true)).map((s) => s.server);
      throw new BallastError('E_LAB_TIMEOUT', `Health checkers did not announce ${late.join(', ')} within ${timeoutMs / 1000} s; see ${healthDir(lab.runDir)}/SERVER/checker.log`);
    }
    await sleep(100);
  }
  return state;
}

export function labHealthSnapshot(runDir: string, server: string): Promise<HealthSnapshot> {
  return request<HealthSnapshot>(serverSocket(runDir, server), { op: 'status' }, 3000);
}

function entryOf(runDir: string, server: string): { state: LabHealthState; entry: LabHealthServer } {
  const state = readLabHealth(runDir);
  if (!state) throw new BallastError('E_LAB', 'The lab runs no health checkers: start it with "ballast lab up --health"');
  const entry = state.servers.find((s) => s.server === server);
  if (!entry) throw new BallastError('E_USAGE', `No server ${JSON.stringify(server)} in the lab; servers: ${state.servers.map((s) => s.server).join(', ')}`);
  return { state, entry };
}

/** Stop (false) or start (true) a server's HTTP service; the checker notices on its own. */
export async function setLabService(runDir: string, server: string, running: boolean): Promise<{ changed: boolean; pid: number | null }> {
  const { state, entry } = entryOf(runDir, server);
  const ours = entry.webPid !== null && alive(entry.webPid) && (cmdline(entry.webPid)?.includes(WEB_MARKER) ?? false);
  if (running === ours) return { changed: false, pid: ours ? entry.webPid : null };
  if (running) {
    entry.webPid = startWeb(entry);
  } else {
    await terminate([entry.webPid!], 2000);
    entry.webPid = null;
  }
  writeLabHealth(runDir, state);
  return { changed: true, pid: entry.webPid };
}
