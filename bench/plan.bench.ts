/**
 * Capacity-planning benchmarks (issues 7 and 16). What a user runs, measured as whole processes:
 * `ballast plan FIXTURE --k 1 --json` (the production build, bin/ballast) over four fabric sizes
 * (64 spines x 64..512 leaves x 48 servers, 16 prefixes, as `ballast fixture generate ... --seed 7`
 * writes them), each run in a fresh process under /usr/bin/time for wall, CPU and peak RSS; the
 * phases of the same work measured in one fresh process; the naive baseline (rebuild the liveness and
 * recompute every share with the reference evaluatePrefix per scenario) at every size, with the
 * ratio; fixture loading (yaml library, fast reader, validation); N-2 grouped and ungrouped on 1 and
 * 2 threads. The machine is shared: every figure is a median with its spread.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { GENERATE_DEFAULTS, generateFixture } from '../src/fabric/generate.js';
import { parseFixture } from '../src/fabric/load.js';
import { STRATEGIES, type Fabric } from '../src/fabric/types.js';
import { indexFabric } from '../src/forwarding/fabric-index.js';
import { evaluatePrefix } from '../src/forwarding/shares.js';
import { SweepEngine } from '../src/plan/engine.js';
import { planSteps } from '../src/plan/plan.js';
import { parseYamlFast } from '../src/util/yaml-fast.js';
import { loadMetrics } from '../src/whatif/metrics.js';
import { scenarioLiveness, type Failure } from '../src/whatif/scenario.js';
import type { Benchmark } from './run.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/ballast');
/** The source runner (tsx), what tests and `npm start` use: its loader thread adds to every start. */
const binSources = join(root, 'bin/ballast.js');
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[], digits = 2) => `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;

/** The fixture a user would generate (seed 7, as in issue 16), written once per size. */
function fixtureFile(leaves: number): string {
  const dir = join(tmpdir(), 'ballast-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `gen-64x${leaves}x48-s7.yaml`);
  if (!existsSync(file)) writeFileSync(file, generateFixture({ ...GENERATE_DEFAULTS, spines: 64, leaves, serversPerLeaf: 48, prefixes: 16, seed: 7 }));
  return file;
}

function ensureBuild(): void {
  if (existsSync(join(root, 'dist/main.js')) && existsSync(join(root, 'dist/sweep-worker.js'))) return;
  const r = spawnSync(process.execPath, [join(root, 'deploy/build.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

interface Run {
  wall: number;
  cpu: number;
  rssMiB: number;
}

/** One whole `ballast` process under /usr/bin/time: wall and CPU seconds, peak RSS. */
function timed(args: string[], command = bin): Run {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, command, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const line = r.stderr.split('\n').find((l) => l.startsWith('TIME '));
  if (!line || (r.status !== 0 && r.status !== 1)) throw new Error(`ballast ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const [, wall, user, sys, rss] = line.split(' ').map(Number) as number[];
  return { wall: wall!, cpu: user! + sys!, rssMiB: Math.round(rss! / 1024) };
}

function repeat(args: string[], runs: number, command = bin): Record<string, number | string> {
  // The machine is shared: the 1-minute load average before each run, beside the figures.
  const loads: number[] = [];
  const all = Array.from({ length: runs }, () => {
    loads.push(loadavg()[0]!);
    return timed(args, command);
  });
  const walls = all.map((r) => r.wall);
  const cpus = all.map((r) => r.cpu);
  return { runs, wallMedianS: median(walls), wallRangeS: spread(walls), cpuMedianS: r3(median(cpus)), cpuRangeS: spread(cpus), peakRssMiB: Math.max(...all.map((r) => r.rssMiB)), loadRange: spread(loads, 1) };
}

/**
 * The phases of `ballast plan --k 1` in this (fresh) process, from the plan's own progress phases:
 * load (fast reader + validation), setup (index and engines, built once apart), sweep (without setup),
 * quantization sweeps, recommendation sweeps, JSON report.
 */
function phases(file: string): Record<string, number> {
  // Wall and CPU per phase: on a shared machine wall waits for a core, CPU (this process's user +
  // system, GC threads included) is the steadier figure.
  const c = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = performance.now();
  const c0 = c();
  const fabric = parseFixture(readFileSync(file, 'utf8'), file);
  const t1 = performance.now();
  const c1 = c();
  // The index and engines the main sweep builds first (planSteps builds its own again below).
  new SweepEngine(fabric, STRATEGIES, 1);
  const setup = performance.now() - t1;
  const setupCpu = c() - c1;
  const spent = new Map<string, number>();
  const spentCpu = new Map<string, number>();
  let last = performance.now();
  let lastCpu = c();
  const steps = planSteps(fabric, { fixture: file, k: 1, strategies: [...STRATEGIES], budget: 2_000_000, beamWidth: 16, keepWorst: 5, recommend: true });
  let report;
  for (;;) {
    const step = steps.next();
    const now = performance.now();
    const cpu = c();
    if (step.done) {
      report = step.value;
      break;
    }
    const kind = step.value.phase === 'scenarios' ? 'sweep' : step.value.phase.startsWith('quantization') ? 'quantization' : 'recommendations';
    spent.set(kind, (spent.get(kind) ?? 0) + now - last);
    spentCpu.set(kind, (spentCpu.get(kind) ?? 0) + cpu - lastCpu);
    last = now;
    lastCpu = cpu;
  }
  const t2 = performance.now();
  const c2 = c();
  const json = JSON.stringify(report);
  const t3 = performance.now();
  const c3 = c();
  return {
    loadMs: r1(t1 - t0),
    setupMs: r1(setup),
    sweepMs: r1(Math.max(0, (spent.get('sweep') ?? 0) - setup)),
    quantizationMs: r1(spent.get('quantization') ?? 0),
    recommendationsMs: r1((spent.get('recommendations') ?? 0) + (t2 - last)),
    reportMs: r1(t3 - t2),
    loadCpuMs: r1(c1 - c0),
    setupCpuMs: r1(setupCpu),
    sweepCpuMs: r1(Math.max(0, (spentCpu.get('sweep') ?? 0) - setupCpu)),
    quantizationCpuMs: r1(spentCpu.get('quantization') ?? 0),
    recommendationsCpuMs: r1((spentCpu.get('recommendations') ?? 0) + (c2 - lastCpu)),
    reportCpuMs: r1(c3 - c2),
    phasesCpuMs: r1(c()),
    reportMiB: r1(json.length / 1048576),
  };
}

/** The naive way, per scenario: liveness rebuilt, every prefix and strategy by the reference evaluatePrefix. */
function naivePerScenarioMs(fabric: Fabric, samples: number): number {
  const index = indexFabric(fabric);
  const capacity = index.prefixes.map((p) => Float64Array.from(p.servers, (s) => index.serverCapacity[s]!));
  const sample: Failure[] = [];
  for (let i = 0; i < 2; i++) sample.push({ kind: 'spine', name: fabric.spines[i * 31]!.name, index: i * 31 });
  for (let i = 0; i < 2; i++) {
    const l = Math.floor((i * fabric.leaves.length) / 2);
    sample.push({ kind: 'leaf', name: fabric.leaves[l]!.name, index: l });
  }
  for (let i = 0; sample.length < samples; i++) {
    const s = (i * 1637) % fabric.servers.length;
    sample.push({ kind: 'server', name: fabric.servers[s]!.name, index: s });
  }
  // Once to warm the JIT (the naive code gets the chance the fast path gets in its sweeps), then timed.
  const once = () => {
    for (const f of sample) {
      const live = scenarioLiveness(index, [f]);
      for (const strategy of STRATEGIES) {
        index.prefixes.forEach((p, pi) => {
          const fwd = evaluatePrefix(index, pi, strategy, live);
          loadMetrics(fwd.serverShare, capacity[pi]!, fwd.serverLive, p.service.load);
        });
      }
    }
  };
  once();
  const t0 = performance.now();
  once();
  return (performance.now() - t0) / sample.length;
}

const size = (leaves: number): Benchmark => ({
  name: `plan-e2e-64x${leaves}x48`,
  description: `whole process: ballast plan --k 1 --json on 64 spines x ${leaves} leaves x 48 servers, 16 prefixes (median of 5 fresh processes), its phases, and the naive baseline`,
  run() {
    ensureBuild();
    const file = fixtureFile(leaves);
    // The machine is shared: the 1-minute load average before and after, beside the figures.
    const loadBefore = r1(loadavg()[0]!);
    const e2e = repeat(['plan', file, '--k', '1', '--json'], 5);
    // The largest size through the source runner too (bin/ballast.js, tsx), 3 runs.
    const sources = leaves === 512 ? Object.fromEntries(Object.entries(repeat(['plan', file, '--k', '1', '--json'], 3, binSources)).map(([k, v]) => [`sources${k[0]!.toUpperCase()}${k.slice(1)}`, v])) : {};
    const ph = phases(file);
    const fabric = parseFixture(readFileSync(file, 'utf8'), file);
    const scenarios = 1 + fabric.spines.length + fabric.leaves.length + fabric.servers.length;
    const naiveMs = naivePerScenarioMs(fabric, 10);
    const naiveN1S = (naiveMs * scenarios) / 1000;
    return {
      servers: fabric.servers.length,
      scenarios,
      fixtureMiB: r1(readFileSync(file).length / 1048576),
      ...e2e,
      ...sources,
      ...ph,
      naiveMsPerScenario: r1(naiveMs),
      naiveN1Seconds: Math.round(naiveN1S),
      naiveOverE2e: Math.round(naiveN1S / (e2e.wallMedianS as number)),
      load1: `${loadBefore}-${r1(loadavg()[0]!)}`,
    };
  },
});

/** The sweep's rate for `seconds`, then Ctrl-C: for N-2 without grouping, far too long to wait for. */
function rateFor(file: string, jobs: number, seconds: number): Promise<{ done: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'plan', file, '--k', '2', '--no-symmetry', '--budget', '400000000', '--no-recommend', '--json', '--progress', '--jobs', String(jobs)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let start = 0;
    let startDone = 0;
    let lastDone = 0;
    let lastAt = 0;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const m of d.toString().matchAll(/plan: scenarios ([\d,]+)\//g)) {
        const done = Number(m[1]!.replace(/,/g, ''));
        const now = performance.now();
        // Count from the first progress line: thread start-up and engine builds are not the rate.
        if (start === 0) {
          start = now;
          startDone = done;
        }
        lastDone = done;
        lastAt = now;
      }
    });
    setTimeout(() => child.kill('SIGINT'), seconds * 1000);
    child.on('exit', () => (lastAt > start ? resolve({ done: lastDone - startDone, seconds: (lastAt - start) / 1000 }) : reject(new Error(stderr.slice(-300)))));
  });
}

export const benchmarks: Benchmark[] = [
  size(64),
  size(128),
  size(256),
  size(512),
  {
    name: 'plan-load-64x512x48',
    description: 'fixture loading on the 24,576-server fixture (1.0 MiB YAML), median of 5: the yaml library, the fast reader, and the whole parseFixture (reader + validation)',
    run() {
      const text = readFileSync(fixtureFile(512), 'utf8');
      // CPU time (this process, GC threads included) next to wall: on a shared machine wall waits for a core.
      const time = (fn: () => unknown) => {
        const runs = Array.from({ length: 5 }, () => {
          const c = process.cpuUsage();
          const t = performance.now();
          fn();
          const u = process.cpuUsage(c);
          return { wall: performance.now() - t, cpu: (u.user + u.system) / 1000 };
        });
        return { wall: r1(median(runs.map((r) => r.wall))), cpu: r1(median(runs.map((r) => r.cpu))), cpuRange: spread(runs.map((r) => r.cpu), 0) };
      };
      const lib = time(() => parseDocument(text, { uniqueKeys: true, strict: true }));
      const fast = time(() => parseYamlFast(text));
      const load = time(() => parseFixture(text, 'big.yaml'));
      return {
        yamlLibraryCpuMs: lib.cpu, yamlLibraryCpuRangeMs: lib.cpuRange, yamlLibraryWallMs: lib.wall,
        fastReaderCpuMs: fast.cpu, fastReaderCpuRangeMs: fast.cpuRange, fastReaderWallMs: fast.wall,
        parseFixtureCpuMs: load.cpu, parseFixtureCpuRangeMs: load.cpuRange, parseFixtureWallMs: load.wall,
        validationCpuMs: r1(load.cpu - fast.cpu),
      };
    },
  },
  {
    name: 'plan-n2-grouped-64x512x48',
    description: 'whole process: ballast plan --k 2 --json (316 million scenarios, interchangeable servers grouped), 1 and 2 threads, median of 3',
    run() {
      ensureBuild();
      const file = fixtureFile(512);
      const prefix = (p: string, r: Record<string, number | string>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [`${p}${k[0]!.toUpperCase()}${k.slice(1)}`, v]));
      return { ...prefix('jobs1', repeat(['plan', file, '--k', '2', '--json', '--jobs', '1'], 3)), ...prefix('jobs2', repeat(['plan', file, '--k', '2', '--json', '--jobs', '2'], 3)) };
    },
  },
  {
    name: 'plan-n2-ungrouped-64x512x48',
    description: 'N-2 without grouping (every pair of distinct servers, leaves, spines: 316 million evaluations): the sweep rate over 30 s on 1 and 2 threads, and the full run extrapolated',
    async run() {
      ensureBuild();
      const file = fixtureFile(512);
      const total = 316_324_129;
      const one = await rateFor(file, 1, 30);
      const two = await rateFor(file, 2, 30);
      const rate1 = one.done / one.seconds;
      const rate2 = two.done / two.seconds;
      return { scenarios: total, jobs1PerSecond: Math.round(rate1), jobs2PerSecond: Math.round(rate2), jobs1FullMinutes: r1(total / rate1 / 60), jobs2FullMinutes: r1(total / rate2 / 60), speedUp: r3(rate2 / rate1) };
    },
  },
];
