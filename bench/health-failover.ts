/**
 * Health-check failover in the lab, measured end to end: stop one server's HTTP service, time until
 * (1) its checker removes the anycast address, (2) its leaf's kernel route drops it from ECMP,
 * (3) a spine's kernel weights change; then start the service and time the way back.
 *
 *   sudo npx tsx bench/health-failover.ts [--runs 12] [--server srv11] [--out bench/health-failover.md]
 *
 * Brings up its own lab (fixtures/lab-421.yaml, num-multipaths leaves, `--health`) in
 * /run/ballast-lab-hc-bench, namespaces hc-*, and removes it at the end. Times come from `ip monitor`
 * event arrival (performance.now), not polling, so they are not quantized by a poll interval.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { loadFixture } from '../src/fabric/load.js';
import { LAB_CHECK, setLabService, startLabHealth } from '../src/lab/health.js';
import { labDown, labUp } from '../src/lab/lab.js';
import { listNetns } from '../src/lab/netns.js';

const run = promisify(execFile);
const FIXTURE = 'fixtures/lab-421.yaml';
const RUN_DIR = '/run/ballast-lab-hc-bench';
const PREFIX = '198.51.100.1';
/** Namespaces hc-*: beside, not instead of, a demo lab (bl-*). */
const NETNS_PREFIX = 'hc-';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const RUNS = Math.max(1, Math.min(100, Number(arg('runs', '12'))));
/** num-multipaths (FRR native on the leaves) or ballast (an agent on every leaf: the full chain). */
const POLICY = arg('leaf-policy', 'num-multipaths') as 'num-multipaths' | 'ballast';
/** With ballast, the agents' hold-down for returning servers (seconds): it delays the way back on purpose. */
const HOLD_DOWN = Number(arg('hold-down', '2'));
const SERVER = arg('server', 'srv11');
const OUT = arg('out', '');

/** Lines of `ip -n NS monitor KIND` with their arrival times. */
class Monitor {
  private readonly child: ChildProcess;
  readonly lines: { t: number; text: string }[] = [];
  private wake: (() => void) | null = null;
  constructor(ns: string, kind: 'address' | 'route') {
    this.child = spawn('ip', ['-n', ns, 'monitor', kind], { stdio: ['ignore', 'pipe', 'ignore'] });
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      this.lines.push({ t: performance.now(), text });
      this.wake?.();
    });
  }
  /** Arrival time of the first line after `since` matching `filter` for which `check` then holds. */
  async waitFor(since: number, filter: RegExp, check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    let i = this.lines.findIndex((l) => l.t >= since);
    if (i < 0) i = this.lines.length;
    while (performance.now() < deadline) {
      while (i < this.lines.length) {
        const line = this.lines[i++]!;
        if (filter.test(line.text) && (await check())) return line.t;
      }
      await Promise.race([new Promise<void>((r) => (this.wake = r)), sleep(50)]);
      this.wake = null;
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
  stop(): void {
    if (this.child.pid !== undefined && this.child.exitCode === null) process.kill(this.child.pid, 'SIGTERM');
  }
}

async function routeJson(ns: string): Promise<{ nexthops?: { dev: string; weight?: number }[] }[]> {
  const { stdout } = await run('ip', ['-n', ns, '-j', 'route', 'show', `${PREFIX}/32`]);
  return JSON.parse(stdout || '[]') as { nexthops?: { dev: string; weight?: number }[] }[];
}
const nexthopCount = async (ns: string): Promise<number> => (await routeJson(ns))[0]?.nexthops?.length ?? 0;
const weights = async (ns: string): Promise<string> =>
  ((await routeJson(ns))[0]?.nexthops ?? [])
    .map((h) => `${h.dev}=${h.weight ?? 1}`)
    .sort()
    .join(' ');

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

async function main(): Promise<void> {
  if ((await listNetns()).includes(`${NETNS_PREFIX}spine1`)) throw new Error(`a lab with namespace prefix ${NETNS_PREFIX} is up (${RUN_DIR}?): remove it first`);
  // With agents, a copy of the fixture whose hold-down is HOLD_DOWN, so a run does not wait 10 s.
  const fixture = POLICY === 'ballast' ? withHoldDown(FIXTURE, HOLD_DOWN) : FIXTURE;
  const fabric = loadFixture(fixture);
  const server = fabric.servers.find((s) => s.name === SERVER);
  if (!server) throw new Error(`no server ${SERVER} in ${FIXTURE}`);
  const leaf = `${NETNS_PREFIX}${server.leaf}`;
  const spine = `${NETNS_PREFIX}${fabric.spines[0]!.name}`;
  const srvNs = `${NETNS_PREFIX}${server.name}`;
  const healthyCount = fabric.servers.filter((s) => s.leaf === server.leaf && s.prefixes.includes(`${PREFIX}/32`)).length;

  process.stderr.write(`bringing up the lab with --health in ${RUN_DIR}\n`);
  const up = await labUp({ fixture, leafPolicy: POLICY, runDir: RUN_DIR, nsPrefix: NETNS_PREFIX, log: (l) => process.stderr.write(`  ${l}\n`) });
  const monitors: Monitor[] = [];
  try {
    await startLabHealth(up.state, fabric, (l) => process.stderr.write(`  ${l}\n`));
    const addr = new Monitor(srvNs, 'address');
    const leafRoutes = new Monitor(leaf, 'route');
    const spineRoutes = new Monitor(spine, 'route');
    monitors.push(addr, leafRoutes, spineRoutes);
    await sleep(500);
    const baseline = await weights(spine);
    if ((await nexthopCount(leaf)) !== healthyCount) throw new Error(`${leaf} does not start with ${healthyCount} next hops`);
    const route = new RegExp(`^(Deleted )?${PREFIX.replaceAll('.', '\\.')} `);
    const removed = new RegExp(`^Deleted .* inet ${PREFIX.replaceAll('.', '\\.')}/32 `);
    const added = new RegExp(`^(?!Deleted).* inet ${PREFIX.replaceAll('.', '\\.')}/32 `);
    const rows: { down: [number, number, number]; up: [number, number, number] }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await setLabService(RUN_DIR, server.name, false);
      const a = await addr.waitFor(t0, removed, async () => true, 10_000, 'the address to be removed');
      const l = await leafRoutes.waitFor(t0, route, async () => (await nexthopCount(leaf)) === healthyCount - 1, 10_000, 'the leaf to drop the server');
      const s = await spineRoutes.waitFor(t0, route, async () => (await weights(spine)) !== baseline, 10_000, 'the spine weights to change');
      // The start would otherwise always come a fixed time after the failing probe: vary its phase too.
      await sleep((i * 173) % 500);
      const t1 = performance.now();
      await setLabService(RUN_DIR, server.name, true);
      const a2 = await addr.waitFor(t1, added, async () => true, 10_000, 'the address to come back');
      const back = 10_000 + (POLICY === 'ballast' ? HOLD_DOWN * 1000 : 0);
      const l2 = await leafRoutes.waitFor(t1, route, async () => (await nexthopCount(leaf)) === healthyCount, back, 'the leaf to take the server back');
      const s2 = await spineRoutes.waitFor(t1, route, async () => (await weights(spine)) === baseline, back, 'the spine weights to return');
      rows.push({ down: [a - t0, l - t0, s - t0], up: [a2 - t1, l2 - t1, s2 - t1] });
      process.stderr.write(`  run ${i + 1}/${RUNS}: down ${rows.at(-1)!.down.map((x) => (x / 1000).toFixed(3)).join(' / ')} s, up ${rows.at(-1)!.up.map((x) => (x / 1000).toFixed(3)).join(' / ')} s\n`);
      // Let the fabric settle, and move the failure's phase against the check timer.
      await sleep(800 + ((i * 137) % 500));
    }
    const fmt = (xs: number[]) => [percentile(xs, 50), percentile(xs, 95), Math.min(...xs), Math.max(...xs)].map((x) => (x / 1000).toFixed(3));
    const stages = ['address removed on the server', `${server.leaf} kernel ECMP updated`, `${fabric.spines[0]!.name} kernel weights updated`];
    const upStages = ['address restored', `${server.leaf} kernel ECMP restored`, `${fabric.spines[0]!.name} kernel weights restored`];
    const table = [
      `| from service ${'stop'} to ... | p50 s | p95 s | min s | max s |`,
      '|---|---|---|---|---|',
      ...stages.map((name, k) => `| ${name} | ${fmt(rows.map((r) => r.down[k]!)).join(' | ')} |`),
      `| **from service start to ...** | | | | |`,
      ...upStages.map((name, k) => `| ${name} | ${fmt(rows.map((r) => r.up[k]!)).join(' | ')} |`),
    ].join('\n');
    const { interval, fall, rise } = { interval: LAB_CHECK.intervalSeconds, fall: LAB_CHECK.fall, rise: LAB_CHECK.rise };
    const report = [
      `${RUNS} runs, server ${server.name} on ${server.leaf} (${healthyCount} servers for ${PREFIX}/32), leaf policy ${POLICY}${POLICY === 'ballast' ? ` (an agent per leaf, hold-down ${HOLD_DOWN} s)` : ''},`,
      `check http every ${interval} s, timeout ${LAB_CHECK.timeoutSeconds} s, fall ${fall}, rise ${rise}: expected address removal`,
      `within fall x interval = ${(fall * interval).toFixed(2)} s of the stop (the first failed probe comes 0-${interval} s after it,`,
      `the fall-th ${(fall - 1) * interval} s later), return within rise x interval = ${(rise * interval).toFixed(2)} s + service start-up.`,
      '',
      table,
      '',
    ].join('\n');
    process.stdout.write(report);
    if (OUT) writeFileSync(OUT, report);
  } finally {
    for (const m of monitors) m.stop();
    process.stderr.write('removing the lab\n');
    await labDown(RUN_DIR);
  }
}

function withHoldDown(file: string, seconds: number): string {
  const out = join(mkdtempSync(join(tmpdir(), 'ballast-hc-bench-')), 'fixture.yaml');
  writeFileSync(out, readFileSync(file, 'utf8').replace(/\npolicy:\n(?: .*\n?)*/, `\npolicy:\n  mode: link-bandwidth\n  mbps-per-unit: 100\n  damping: { hold-down-seconds: ${seconds} }\n`));
  return out;
}

await main();
