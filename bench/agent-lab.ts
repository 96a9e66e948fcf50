/**
 * Leaf agent benchmarks on the real-FRR lab (root and FRR 8.4 required; own namespace prefix `agb-` and
 * run directory, so it never meets another lab). Results and method: bench/agent.md.
 *
 *   tsx bench/agent-lab.ts reaction [cycles]   server address removed -> spine kernel weights changed,
 *                                              ballast agent vs FRR-native num-multipaths, same run
 *   tsx bench/agent-lab.ts resources           agent CPU and RSS, idle and under churn, 1 and 200 prefixes
 *   tsx bench/agent-lab.ts flap                a server flapping every 200 ms for 10 s
 *   tsx bench/agent-lab.ts crash [cycles]      kill -9 of the agent: how long a returned server stays held
 *
 * `--frr 10.3` (after `ballast lab setup --frr 10.3`) runs the same on FRR 10.3; default 8.4.
 * With BALLAST_PACKAGE_ROOT=DIR (`dpkg-deb -x ballast-common_*.deb DIR`) the agents are the packaged ones.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const RUN_DIR = '/run/ballast-agb';
const NS = 'agb-';
const tmp = mkdtempSync(join(tmpdir(), 'ballast-agent-bench-'));
// BALLAST_PACKAGE_ROOT=DIR (ballast-common and ballast-leaf unpacked there with `dpkg-deb -x`): the
// lab, and so the agents it starts, run on the package's node and bundle instead of the sources
// through tsx, with the Node flags of the package's unit (its Environment=BALLAST_NODE_OPTIONS=...).
const pkgRoot = process.env.BALLAST_PACKAGE_ROOT;
const [NODE, BIN] = pkgRoot ? [join(pkgRoot, 'usr/lib/ballast/node'), join(pkgRoot, 'usr/lib/ballast/dist/main.js')] : [process.execPath, new URL('../bin/ballast.js', import.meta.url).pathname];
const unitOptions = (() => {
  const unit = pkgRoot ? join(pkgRoot, 'lib/systemd/system/ballast-agent.service') : '';
  return unit && existsSync(unit) ? (/^Environment="BALLAST_NODE_OPTIONS=([^"]*)"$/m.exec(readFileSync(unit, 'utf8'))?.[1] ?? '') : '';
})();
/** The unit's flags on an agent's command line, as /usr/bin/ballast puts them. */
const unitFlags = unitOptions.split(/\s+/).filter(Boolean);
// The agents the lab starts get the unit's flags (BALLAST_NODE_OPTIONS, on their command line) and
// inherit the lab's NODE_OPTIONS: the memory probe (SIGUSR2 writes what is resident, see
// mem-probe.cjs) and BALLAST_AGENT_NODE_OPTIONS for experiments (--cpu-prof).
const PROBE = new URL('./mem-probe.cjs', import.meta.url).pathname;
const nodeOptions = [`--require ${PROBE}`, process.env.BALLAST_AGENT_NODE_OPTIONS ?? ''].filter(Boolean).join(' ');
const env = { ...process.env, BALLAST_LAB_DIR: RUN_DIR, BALLAST_LAB_NS_PREFIX: NS, BALLAST_NODE_OPTIONS: unitOptions, NODE_OPTIONS: nodeOptions };

/** `--frr VERSION` anywhere on the command line; the other arguments stay positional. */
const argv = process.argv.slice(2);
const frrAt = argv.indexOf('--frr');
const FRR = frrAt >= 0 ? argv.splice(frrAt, 2)[1] ?? '8.4' : '8.4';
/** `--idle-only`: resources without the churn half (a quicker footprint run). */
const idleAt = argv.indexOf('--idle-only');
const IDLE_ONLY = idleAt >= 0 && argv.splice(idleAt, 1).length > 0;
/**
 * `--settle S`: seconds between the lab's start and the idle window (default 45; 5 before the fifth pass
 * of bench/agent.md). An agent that reads its prefixes in resync slices parses each slice once before its
 * read cache can hit (4 slices of 50: 20 s), and the leaf's paths carry `"stale":true` for about 30 s
 * after the lab's start, which changes every answer once when it clears: both are the start, not idle.
 */
const settleAt = argv.indexOf('--settle');
const SETTLE_S = settleAt >= 0 ? Number(argv.splice(settleAt, 2)[1]) : 45;
/** `--prefixes N`: resources at N managed prefixes only (default: 1, then 200). */
const prefixesAt = argv.indexOf('--prefixes');
const PREFIX_COUNTS = prefixesAt >= 0 ? [Number(argv.splice(prefixesAt, 2)[1])] : [1, 200];
/**
 * `--variants 'NAME=OPTIONS;...'` (with --idle-only): after the lab's own agent, leaf1's agent is
 * started again once per variant, with the unit's Node options plus OPTIONS, and measured idle the
 * same way. The word `no-metrics` in OPTIONS runs it without `api.metrics-port` (no prom-client).
 */
const variantsAt = argv.indexOf('--variants');
const VARIANTS = (variantsAt >= 0 ? (argv.splice(variantsAt, 2)[1] ?? '') : '').split(';').filter(Boolean).map((v) => {
  const [name, ...rest] = v.split('=');
  const words = rest.join('=').split(/\s+/).filter(Boolean);
  return { name: name!, options: words.filter((w) => w !== 'no-metrics').join(' '), metrics: !words.includes('no-metrics') };
});

function lab(...args: string[]): string {
  // Every lab this bench brings up runs on the chosen FRR.
  const withFrr = args[0] === 'up' ? [...args, '--frr', FRR] : args;
  return execFileSync(NODE, [BIN, 'lab', ...withFrr], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** lab-421 with another policy section and, optionally, other services (every server announces all). */
function fixture(name: string, policy: string, prefixes?: readonly string[]): string {
  let text = readFileSync(new URL('../fixtures/lab-421.yaml', import.meta.url), 'utf8').replace(/\npolicy:\n(?: .*\n?)*/, `\npolicy:\n${policy}`);
  if (prefixes) {
    text = text.replace(/, prefixes: \[[^\]]*\]/g, '').replace(/\nservices:\n(?:  - .*\n)*/, `\nservices:\n${prefixes.map((p) => `  - { prefix: ${p}, load: 1 }`).join('\n')}\n`);
  }
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** `[2026-11-26T03:30:40.343605] ...` -> epoch ms (ip prints local time; the lab host runs UTC). */
function stamp(line: string): number | null {
  const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\]/.exec(line);
  return m ? Date.parse(`${m[1]!.slice(0, 23)}Z`) + Number(`0.${m[1]!.slice(23) || '0'}`) : null;
}

interface Monitor {
  readonly lines: { t: number; text: string }[];
  stop(): void;
}
function monitor(ns: string, what: 'route' | 'address'): Monitor {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, 'ip', '-ts', 'monitor', what], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines: { t: number; text: string }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const t = stamp(text);
    if (t !== null) lines.push({ t, text });
  });
  return { lines, stop: () => child.kill('SIGTERM') };
}

const ip = (ns: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'ip', ...args]);
const P1 = '198.51.100.1';

/** Remove a server's address; the latency runs from the kernel's address event to spine1's first route event for P1. */
async function timedFailure(server: string, spine: Monitor, addr: Monitor): Promise<number> {
  const from = addr.lines.length;
  const fromRoute = spine.lines.length;
  ip(`${NS}${server}`, 'addr', 'del', `${P1}/32`, 'dev', 'lo');
  for (let i = 0; i < 100; i++) {
    await sleep(20);
    const del = addr.lines.slice(from).find((l) => l.text.includes('Deleted') && l.text.includes(`${P1}/32`));
    const route = spine.lines.slice(fromRoute).find((l) => new RegExp(`\\] ${P1.replaceAll('.', '\\.')} `).test(l.text));
    if (del && route) return route.t - del.t;
  }
  throw new Error(`no spine route event within 2 s after ${server} failed`);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const fmt = (xs: number[]) => `n=${xs.length} p50 ${(pct(xs, 50) / 1000).toFixed(3)} s, p95 ${(pct(xs, 95) / 1000).toFixed(3)} s, max ${(Math.max(...xs) / 1000).toFixed(3)} s`;

async function reaction(cycles: number): Promise<void> {
  const results: Record<string, number[]> = {};
  for (const policy of ['ballast', 'num-multipaths'] as const) {
    lab('up', fixture('reaction', '  mode: link-bandwidth\n  mbps-per-unit: 100\n  damping: { hold-down-seconds: 1, min-interval-seconds: 0.5 }\n'), '--leaf-policy', policy);
    await sleep(2000);
    const spine = monitor(`${NS}spine1`, 'route');
    const a11 = monitor(`${NS}srv11`, 'address');
    const a12 = monitor(`${NS}srv12`, 'address');
    await sleep(300);
    const first: number[] = [];
    const second: number[] = [];
    try {
      for (let c = 0; c < cycles; c++) {
        first.push(await timedFailure('srv11', spine, a11)); // leaf1 at full capacity before
        await sleep(1500);
        second.push(await timedFailure('srv12', spine, a12)); // leaf1 already below full
        await sleep(1000);
        ip(`${NS}srv12`, 'addr', 'add', `${P1}/32`, 'dev', 'lo');
        ip(`${NS}srv11`, 'addr', 'add', `${P1}/32`, 'dev', 'lo');
        await sleep(3500); // hold-down 1 s + settle
      }
    } finally {
      spine.stop();
      a11.stop();
      a12.stop();
      lab('down');
    }
    results[`${policy} first failure (leaf at full capacity)`] = first;
    results[`${policy} second failure (leaf below full)`] = second;
    results[`${policy} all`] = [...first, ...second];
  }
  for (const [k, v] of Object.entries(results)) console.log(`${k}: ${fmt(v)}  [${v.map((x) => Math.round(x)).join(' ')}]`);
}

function agentPid(leaf: string): number {
  const state = JSON.parse(readFileSync(`${RUN_DIR}/state.json`, 'utf8')) as { daemons: { ns: string; daemon: string; pid: number }[] };
  return state.daemons.find((d) => d.ns === `${NS}${leaf}` && d.daemon === 'agent')!.pid;
}
function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}
/** CPU of the children the process has waited for (vtysh, one-shot ip): utime + stime of the reaped ones. */
function childTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[13]) + Number(f[14]);
}
/**
 * CPU of the children still running (the kernel check's long-lived `ip -batch`, the route monitor), per
 * PID: they are never reaped, so childTicks misses them.
 */
function liveChildTicks(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let kids: string;
    try {
      kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const k of kids.split(' ').filter(Boolean).map(Number)) {
      try {
        out.set(k, cpuTicks(k) + childTicks(k));
      } catch {
        // ended meanwhile: its CPU is in childTicks once reaped
      }
    }
  }
  return out;
}
function liveDelta(before: Map<number, number>, after: Map<number, number>): number {
  let d = 0;
  for (const [k, t] of after) d += t - (before.get(k) ?? 0);
  return d;
}
function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}
async function measure(pid: number, seconds: number, during?: () => Promise<void>): Promise<{ cpu: number; rss: number; children: number; load: string }> {
  const tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const c0 = cpuTicks(pid);
  const k0 = childTicks(pid);
  const l0 = liveChildTicks(pid);
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  let rss = rssMiB(pid);
  const deadline = t0 + seconds * 1000;
  const work = during ? during() : Promise.resolve();
  while (performance.now() < deadline) {
    await sleep(500);
    rss = Math.max(rss, rssMiB(pid));
  }
  await work;
  const wall = (performance.now() - t0) / 1000;
  const load = `${load0.toFixed(1)}-${loadavg()[0]!.toFixed(1)}`;
  const children = childTicks(pid) - k0 + liveDelta(l0, liveChildTicks(pid));
  return { cpu: ((cpuTicks(pid) - c0) / tick / wall) * 100, rss, children: (children / tick / wall) * 100, load };
}

/** leaf1's agent started again with other Node options (and without metrics): kill the running one first. */
async function restartLeaf1(pid: number, options: string, metrics: boolean): Promise<number> {
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await sleep(100);
  const dir = `${RUN_DIR}/${NS}leaf1`;
  const config = join(dir, metrics ? 'agent.yaml' : 'agent-no-metrics.yaml');
  if (!metrics) writeFileSync(config, readFileSync(join(dir, 'agent.yaml'), 'utf8').replace(/^\s*metrics-port:.*\n/m, ''));
  const log = join(dir, 'agent.log');
  const from = readFileSync(log, 'utf8').length;
  const fd = openSync(log, 'a');
  const childEnv = { ...env, NODE_OPTIONS: [options, `--require ${PROBE}`].filter(Boolean).join(' ') };
  const child = spawn('ip', ['netns', 'exec', `${NS}leaf1`, NODE, ...unitFlags, BIN, 'agent', '-c', config], { detached: true, stdio: ['ignore', fd, fd], env: childEnv });
  closeSync(fd);
  child.unref();
  for (let i = 0; i < 300 && !readFileSync(log, 'utf8').slice(from).includes('"event":"started"'); i++) await sleep(100);
  return child.pid!;
}

/** What is resident in the agent: the kernel's anonymous / file-backed split and V8's heap spaces (mem-probe.cjs). */
function residentText(pid: number): string {
  const file = `/tmp/ballast-mem-${pid}.json`;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 40 && !existsSync(file); i++) execFileSync('sleep', ['0.05']);
  if (!existsSync(file)) return 'no memory probe answer';
  const m = JSON.parse(readFileSync(file, 'utf8')) as { memoryUsage: Record<string, number>; kernel: Record<string, number>; heapSpaces: { name: string; physical: number; used: number }[]; code: Record<string, number> };
  rmSync(file);
  const mib = (b: number) => (b / 1048576).toFixed(1);
  const spaces = m.heapSpaces.filter((s) => s.physical > 0).map((s) => `${s.name.replace('_space', '')} ${mib(s.physical)}/${mib(s.used)}`).join(', ');
  return `RSS ${mib(m.kernel.VmRSS! * 1024)} MiB = anon ${mib(m.kernel.RssAnon! * 1024)} + file ${mib(m.kernel.RssFile! * 1024)}; V8 heap total ${mib(m.memoryUsage.heapTotal!)} used ${mib(m.memoryUsage.heapUsed!)} (physical/used per space: ${spaces}); external ${mib(m.memoryUsage.external!)}, array buffers ${mib(m.memoryUsage.arrayBuffers!)}; bytecode+metadata ${mib(m.code.bytecode_and_metadata_size!)}`;
}

async function resources(): Promise<void> {
  for (const n of PREFIX_COUNTS) {
    const prefixes = Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}/32`);
    lab('up', fixture(`res${n}`, '  mode: link-bandwidth\n  mbps-per-unit: 100\n  damping: { hold-down-seconds: 2 }\n', prefixes), '--leaf-policy', 'ballast');
    try {
      await sleep(SETTLE_S * 1000);
      const pid = agentPid('leaf1');
      const idle = await measure(pid, 30);
      console.log(`${n} prefixes, idle: ${residentText(pid)}`);
      if (IDLE_ONLY) {
        console.log(`${n} prefixes: idle CPU ${idle.cpu.toFixed(2)} % (children ${idle.children.toFixed(2)} %), RSS ${idle.rss.toFixed(1)} MiB, load ${idle.load} (node flags: ${unitOptions || 'none'}; NODE_OPTIONS: ${nodeOptions})`);
        let current = pid;
        try {
          for (const v of VARIANTS) {
            current = await restartLeaf1(current, v.options, v.metrics);
            await sleep(8000);
            const m = await measure(current, 30);
            console.log(`${n} prefixes, variant ${v.name} (${v.options || 'unit options only'}${v.metrics ? '' : ', no metrics'}): idle CPU ${m.cpu.toFixed(2)} % (children ${m.children.toFixed(2)} %), peak RSS ${m.rss.toFixed(1)} MiB, load ${m.load}; ${residentText(current)}`);
          }
        } finally {
          if (current !== pid) process.kill(current, 'SIGTERM');
        }
        continue;
      }
      // Churn: srv11 loses and regains all its addresses every second, so every prefix of leaf1 changes.
      const churnStart = performance.now();
      const churn = await measure(pid, 30, async () => {
        for (let i = 0; i < 30; i++) {
          const op = i % 2 === 0 ? 'del' : 'add';
          // One `ip -batch` per second: 200 `ip netns exec` processes took 5-8 s at load 5-7 (measured
          // 2026-12-02 on FRR 10.3), so the churn ran at a sixth of its rate and outlasted the run.
          execFileSync('ip', ['-n', `${NS}srv11`, '-batch', '-'], { input: prefixes.map((p) => `addr ${op} ${p} dev lo\n`).join('') });
          await sleep(1000);
        }
      });
      const log = readFileSync(`${RUN_DIR}/${NS}leaf1/agent.log`, 'utf8');
      const applyMs = [...log.matchAll(/"event":"applied".*?"applyMs":(\d+)/g)].map((m) => Number(m[1]));
      const reads = log.split('\n').filter((l) => l.includes('"event":"applied"')).length;
      console.log(
        `${n} prefixes: idle CPU ${idle.cpu.toFixed(2)} % (load ${idle.load}), RSS ${idle.rss.toFixed(0)} MiB; churn CPU ${churn.cpu.toFixed(2)} % (load ${churn.load}, ${((performance.now() - churnStart) / 1000).toFixed(0)} s), peak RSS ${churn.rss.toFixed(0)} MiB; ` +
          `applies ${reads} (first ${applyMs[0]} ms, then median ${pct(applyMs.slice(1), 50)} ms, max ${Math.max(...applyMs.slice(1))} ms), frr errors ${(log.match(/"event":"frr-error"/g) ?? []).length}`,
      );
    } finally {
      lab('down');
    }
  }
}

async function flap(): Promise<void> {
  for (const policy of ['ballast', 'num-multipaths'] as const) {
    lab('up', fixture('flap', '  mode: link-bandwidth\n  mbps-per-unit: 100\n  damping: { hold-down-seconds: 10, min-interval-seconds: 1 }\n'), '--leaf-policy', policy);
    try {
      await sleep(2000);
      const spine = monitor(`${NS}spine1`, 'route');
      await sleep(300);
      const t0 = Date.now();
      let up = true;
      while (Date.now() - t0 < 10_000) {
        ip(`${NS}srv11`, 'addr', up ? 'del' : 'add', `${P1}/32`, 'dev', 'lo');
        up = !up;
        await sleep(200);
      }
      if (!up) ip(`${NS}srv11`, 'addr', 'add', `${P1}/32`, 'dev', 'lo');
      const during = spine.lines.filter((l) => l.text.includes(`] ${P1} `)).length;
      await sleep(13_000);
      spine.stop();
      const total = spine.lines.filter((l) => l.text.includes(`] ${P1} `)).length;
      const weights = execFileSync('ip', ['netns', 'exec', `${NS}spine1`, 'ip', 'route', 'show', P1], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      let agent = '';
      if (policy === 'ballast') {
        const pid = agentPid('leaf1');
        const log = readFileSync(`${RUN_DIR}/${NS}leaf1/agent.log`, 'utf8');
        const alive = (() => {
          try {
            process.kill(pid, 0);
            return true;
          } catch {
            return false;
          }
        })();
        agent = `; agent alive ${alive}, applies ${(log.match(/"event":"applied"/g) ?? []).length - 1} (after start), decisions ${(log.match(/"event":"decision"/g) ?? []).length}`;
      }
      console.log(`${policy}: spine1 route changes for ${P1}: ${during} during 10 s of flapping (50 toggles), ${total} until 13 s after${agent}; final: ${weights}`);
    } finally {
      lab('down');
    }
  }
}

/**
 * How long a server stays held after the agent is killed (kill -9) under the unit. systemd is not
 * PID 1 here, so its Restart=always is emulated: the agent is started again, as the lab started it,
 * RestartSec (read from the package's unit, else 2 s) after the kill. srv11 leaves (the agent
 * pre-marks its return with a hold), the agent is killed, srv11 returns while no agent runs (FRR's
 * hold entry keeps it out), then: when the restarted agent logged `adopted`, its releasing `applied`
 * and `started` (its own clock, from the spawn), when the hold entry left FRR's running config, and
 * when spine1's kernel route was again what it was before srv11 left (srv11 back in the traffic).
 */
async function crash(cycles: number): Promise<void> {
  const unit = pkgRoot ? join(pkgRoot, 'lib/systemd/system/ballast-agent.service') : '';
  const restartSec = Number((unit && existsSync(unit) ? /^RestartSec=(\d+(?:\.\d+)?)$/m.exec(readFileSync(unit, 'utf8'))?.[1] : undefined) ?? 2);
  lab('up', fixture('crash', '  mode: link-bandwidth\n  mbps-per-unit: 100\n  damping: { hold-down-seconds: 10 }\n'), '--leaf-policy', 'ballast');
  const dir = `${RUN_DIR}/${NS}leaf1`;
  // The lab's per-node vtysh wrapper speaks the node's FRR version (the host's vtysh is 8.4).
  const vtysh = existsSync(`${dir}/vtysh`) ? `${dir}/vtysh` : 'vtysh';
  const running = () => execFileSync(vtysh, ['--vty_socket', dir, '-c', 'show running-config'], { encoding: 'utf8' });
  const held = () => /route-map BALLAST-IN-srv11 permit \d+\n(?: .*\n)*? set local-preference 50/.test(running());
  const spineRoute = () => execFileSync('ip', ['-n', `${NS}spine1`, 'route', 'show', P1], { encoding: 'utf8' }).replace(/\s+/g, ' ').trim();
  const until = async (what: string, ok: () => boolean, ms = 30_000) => {
    const t0 = performance.now();
    while (!ok()) {
      if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
      await sleep(50);
    }
    return performance.now();
  };
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rows: number[][] = [];
  let pid = agentPid('leaf1');
  try {
    await sleep(3000);
    for (let c = 0; c < cycles; c++) {
      const whole = spineRoute();
      ip(`${NS}srv11`, 'addr', 'del', `${P1}/32`, 'dev', 'lo');
      await until('srv11 held', held);
      await until('spine1 without srv11', () => spineRoute() !== whole);
      process.kill(pid, 'SIGKILL');
      const killed = performance.now();
      ip(`${NS}srv11`, 'addr', 'add', `${P1}/32`, 'dev', 'lo');
      await sleep(restartSec * 1000);
      const log = `${dir}/agent.log`;
      const before = readFileSync(log, 'utf8').length;
      // The agent's output goes to its log as under the lab (appended).
      const fd = openSync(log, 'a');
      const spawnedAt = Date.now();
      const restarted = performance.now();
      const child = spawn('ip', ['netns', 'exec', `${NS}leaf1`, NODE, ...unitFlags, BIN, 'agent', '-c', `${dir}/agent.yaml`], { detached: true, stdio: ['ignore', fd, fd], env });
      closeSync(fd);
      child.unref();
      pid = child.pid!;
      let released = 0;
      const back = await until('spine1 with srv11 again', () => {
        if (!released && !held()) released = performance.now();
        return released > 0 && spineRoute() === whole;
      });
      await until('restarted agent started', () => readFileSync(log, 'utf8').slice(before).includes('"event":"started"'));
      const lines = readFileSync(log, 'utf8').slice(before).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event?: string; time: string });
      const at = (event: string) => {
        const l = lines.find((x) => x.event === event);
        return l ? Date.parse(l.time) - spawnedAt : NaN;
      };
      const row = [back - killed, restartSec * 1000, at('adopted'), at('applied'), at('started'), released - restarted, back - restarted];
      rows.push(row);
      console.log(`cycle ${c + 1}: srv11 back in spine1's kernel ${s(row[0]!)} after the kill = RestartSec ${s(row[1]!)} + ${s(row[6]!)} from the spawn (adopted ${s(row[2]!)}, applied ${s(row[3]!)}, started ${s(row[4]!)}, hold gone from FRR ${s(row[5]!)})`);
      await sleep(2000);
    }
    const median = (i: number) => [...rows.map((r) => r[i]!)].sort((a, b) => a - b)[Math.floor(rows.length / 2)]!;
    console.log(`median of ${rows.length}: ${s(median(0))} after the kill; from the spawn: adopted ${s(median(2))}, applied ${s(median(3))}, started ${s(median(4))}, hold gone ${s(median(5))}, spine1 ${s(median(6))}; load ${loadavg()[0]!.toFixed(1)}`);
  } finally {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await sleep(1000);
    lab('down');
  }
}

try {
  const [what, arg] = argv;
  console.log(`FRR ${FRR}`);
  if (what === 'reaction') await reaction(Number(arg ?? 10));
  else if (what === 'resources') await resources();
  else if (what === 'flap') await flap();
  else if (what === 'crash') await crash(Number(arg ?? 3));
  else console.error('usage: tsx bench/agent-lab.ts reaction [cycles] | resources [--idle-only] | flap | crash [cycles]');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
