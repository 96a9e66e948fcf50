/**
 * What every end-to-end lab test needs: run `ballast lab ...` (or the whole CLI) against its own lab
 * instance (run directory and namespace prefix), and poll the kernels against the prediction.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { labUnavailable } from '../../src/lab/preflight.js';
import { chrootReady } from '../../src/lab/frr-setup.js';
import { chrootView, mountsUnder } from '../../src/lab/frr-versions.js';
import { alive } from '../../src/lab/processes.js';
import { readState } from '../../src/lab/state.js';
import { readWeights, viewLab } from '../../src/lab/status.js';

/**
 * Which FRR the lab tests run on: `BALLAST_TEST_FRR=8.4` (default, the host's), `10.3` (the chroot's,
 * `ballast lab setup --frr 10.3`) or `mixed` (10.3 spines, 8.4 leaves and servers: a rolling upgrade
 * half-way). The same tests run on each; what differs is passed through these helpers.
 */
export type TestFrr = '8.4' | '10.3' | 'mixed';
export const TEST_FRR: TestFrr = ((): TestFrr => {
  const v = process.env.BALLAST_TEST_FRR ?? '8.4';
  if (v !== '8.4' && v !== '10.3' && v !== 'mixed') throw new Error(`BALLAST_TEST_FRR=${v}: expected 8.4, 10.3 or mixed`);
  return v;
})();

/**
 * The lab directory and namespace prefix a test file uses on this pass: the file's own names on 8.4,
 * with a suffix per version on the others (`bat-` -> `batx-` on 10.3, `batm-` on mixed), so the passes
 * of one file can run side by side (test/run.mjs) without meeting.
 */
export function passLab(runDir: string, nsPrefix: string): { runDir: string; nsPrefix: string } {
  const suffix = { '8.4': '', '10.3': 'x', mixed: 'm' }[TEST_FRR];
  return suffix === '' ? { runDir, nsPrefix } : { runDir: `${runDir}-${suffix}`, nsPrefix: `${nsPrefix.slice(0, -1)}${suffix}-` };
}

/** The FRR version of a router of this role in the test's fabric. */
export function frrOf(role: 'spine' | 'leaf' | 'server'): '8.4' | '10.3' {
  return TEST_FRR === 'mixed' ? (role === 'spine' ? '10.3' : '8.4') : TEST_FRR;
}

/** FRR daemons per router: FRR 10 adds mgmtd. */
export function daemonsOf(role: 'spine' | 'leaf' | 'server'): number {
  return frrOf(role) === '10.3' ? 3 : 2;
}

/** `up` arguments that select the version (mixed: the fixture names it per spine, see testFixture). */
export const FRR_ARGS: readonly string[] = TEST_FRR === 'mixed' ? [] : ['--frr', TEST_FRR];

/**
 * The fixture as the test runs it: for `mixed`, a copy in `dir` whose spines say `frr: "10.3"` (the
 * leaves and servers run the host's 8.4). `edit` may change the text first (policies, prefixes).
 */
export function testFixture(file: string, dir: string, edit: (text: string) => string = (t) => t): string {
  let text = edit(readFileSync(file, 'utf8'));
  if (TEST_FRR === 'mixed') {
    const doc = parseDocument(text);
    const spines = doc.get('spines') as { items: { set(k: string, v: string): void }[] };
    for (const s of spines.items) s.set('frr', '10.3');
    text = doc.toString();
  }
  const out = join(dir, `${TEST_FRR}-${file.split('/').pop()}`);
  writeFileSync(out, text);
  return out;
}

/** No chroot view of this lab left mounted (10.3 runs bind-mount /proc, /sys, /dev, /run, the run directory). */
export function viewMounts(runDir: string): string[] {
  return mountsUnder(chrootView(runDir, '10.3'));
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Traffic {
  readonly sent: number;
  readonly sendErrors: number;
  readonly prefixes: { readonly prefix: string; readonly received: number; readonly maxDiffPoints: number; readonly servers: { server: string; measured: number; predicted: number }[] }[];
}

export interface Comparison {
  readonly prefix: string;
  readonly router: string;
  readonly role?: 'spine' | 'leaf' | 'border' | 'superspine';
  readonly predicted: Record<string, number>;
  readonly kernel: Record<string, number>;
  readonly equal: boolean;
}

const LAB_CLI = new URL('./lab-cli.ts', import.meta.url).pathname;
const BIN = new URL('../../bin/ballast.js', import.meta.url).pathname;
/**
 * The bundle test/run.mjs builds from the sources before a run (dist/main.js, what the packages ship).
 * Through it a CLI call costs ~0.3 s of CPU instead of ~1.3 s through tsx, and the lab's agents and
 * observers start from it too (src/util/self.ts). Without it (a file run by hand), the sources via tsx.
 */
const BUNDLE = process.env.BALLAST_TEST_BUNDLE;

/** null when the lab can run here, else the test's skip reason. */
export async function labSkip(): Promise<string | false> {
  const unavailable = await labUnavailable();
  if (unavailable !== null) return `lab tests skipped: ${unavailable}`;
  if (TEST_FRR !== '8.4' && !chrootReady('10.3')) return 'lab tests on FRR 10.3 skipped: run "ballast lab setup --frr 10.3" first';
  return false;
}

export const fmt = (w: Record<string, number>): string => Object.entries(w).sort().map(([l, x]) => `${l}=${x}`).join(' ') || '-';

const UP_LOCK = '/run/ballast-test-up.lock';

/**
 * One lab `up` at a time across the test processes of a run (test/run.mjs runs lab files side by
 * side): starting a fabric is the CPU-heavy part (12-14 routers' daemons, sessions), the rest of a
 * lab test mostly waits. Measured: three ups at once at load 17 did not get their sessions up within
 * the 120 s a CLI call may take. A directory is the lock (mkdir is atomic); a holder that died is
 * recognised by its PID and its lock taken over.
 */
async function upTurn(): Promise<() => void> {
  for (;;) {
    try {
      mkdirSync(UP_LOCK);
      writeFileSync(`${UP_LOCK}/pid`, String(process.pid));
      return () => rmSync(UP_LOCK, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(`${UP_LOCK}/pid`, 'utf8'));
    } catch {
      /* being written or removed: look again */
    }
    if (holder > 0 && !alive(holder)) rmSync(UP_LOCK, { recursive: true, force: true });
    else await new Promise((r) => setTimeout(r, 250));
  }
}


export function labInstance(runDir: string, nsPrefix: string) {
  const env = { ...process.env, BALLAST_LAB_DIR: runDir, BALLAST_LAB_NS_PREFIX: nsPrefix, NO_COLOR: '1' };

  function run(argv: readonly string[], onStdout?: (text: string, kill: () => void) => void, onStderr?: (text: string, pid: number) => void): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'], env });
      let stdout = '';
      let stderr = '';
      // A bound for a stuck call, not a timing claim: an `up` of 14 FRR 10.3 routers beside another
      // lab took over 120 s at load 20 on the 2 cores.
      const timer = setTimeout(() => child.kill('SIGKILL'), argv.includes('up') ? 300_000 : 120_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        onStdout?.(stdout, () => child.kill('SIGINT'));
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        onStderr?.(stderr, child.pid!);
      });
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /**
   * `ballast lab ARGS` through the lab-only CLI; `onStderr` sees progress as it comes (to interrupt at
   * a step). An `up` waits for any other test's `up` to end first (see upTurn).
   */
  const lab = async (args: readonly string[], onStderr?: (text: string, pid: number) => void) => {
    const release = args[0] === 'up' ? await upTurn() : () => {};
    try {
      return await run([...(BUNDLE ? [BUNDLE] : ['--import', 'tsx', LAB_CLI]), 'lab', ...args], undefined, onStderr);
    } finally {
      release();
    }
  };
  /** Any `ballast` command through the real bin (or the bundle). */
  const ballast = (args: readonly string[], onStdout?: (text: string, kill: () => void) => void) => run([BUNDLE ?? BIN, ...args], onStdout);

  async function ok(args: readonly string[]): Promise<string> {
    const r = await lab(args);
    assert.equal(r.code, 0, `ballast lab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** What `ballast lab status --json` prints as `weights`, through the CLI (it exits 1 on a difference, which is data here). */
  async function statusWeights(): Promise<Comparison[]> {
    const r = await lab(['status', '--json']);
    assert.ok(r.code === 0 || r.code === 1, `ballast lab status exited ${r.code}: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { weights: Comparison[] }).weights;
  }

  /**
   * The kernels beside the lab's prediction: the same code as `lab status` (state file, prediction,
   * `ip -j route` per router), called in this process. A `status` process per poll cost ~1.4 s of CPU
   * and 3 s on the busy machine, which made every wait coarse and slowed the labs beside it.
   */
  async function weights(): Promise<Comparison[]> {
    const state = readState(runDir);
    assert.ok(state !== null, `no lab is up in ${runDir}`);
    const rec = (m: ReadonlyMap<string, number>): Record<string, number> => Object.fromEntries(m);
    return (await readWeights(viewLab(state))).map((w) => ({ ...w, predicted: rec(w.predicted), kernel: rec(w.kernel) }));
  }

  /** Poll until `done` holds for the kernels; returns the seconds it took, fails with the last view. */
  async function until(when: string, timeoutMs: number, done: (w: Comparison[]) => boolean = (w) => w.every((x) => x.equal)): Promise<number> {
    const t0 = performance.now();
    let last: Comparison[] = [];
    while (performance.now() - t0 < timeoutMs) {
      last = await weights();
      if (done(last)) return (performance.now() - t0) / 1000;
      await new Promise((r) => setTimeout(r, 200));
    }
    const view = last.map((w) => `${w.prefix} ${w.router}: kernel ${fmt(w.kernel)}, predicted ${fmt(w.predicted)}`);
    assert.fail(`${when}: not as expected after ${timeoutMs} ms: ${view.join('; ')}`);
  }

  /**
   * What a failed wait should show about these nodes: the agent's last log lines that are not periodic
   * reads (leaves), and FRR's view of the prefix (every node), through the node's own vtysh.
   */
  function diagnose(nodes: readonly string[], prefix: string): string {
    const out: string[] = [];
    for (const node of nodes) {
      const dir = `${runDir}/${nsPrefix}${node}`;
      try {
        const log = readFileSync(`${dir}/agent.log`, 'utf8').split('\n').filter((l) => l && !l.includes('"cause":"resync"') && !l.includes('"event":"resync"'));
        out.push(`${node} agent.log (last 12 lines but resyncs):`, ...log.slice(-12).map((l) => `  ${l.slice(0, 400)}`));
      } catch {
        /* not a leaf with an agent */
      }
      try {
        const text = execFileSync('ip', ['netns', 'exec', `${nsPrefix}${node}`, `${dir}/vtysh`, '--vty_socket', dir, '-c', `show bgp ipv4 unicast ${prefix}`], { encoding: 'utf8', timeout: 30_000 });
        out.push(`${node} show bgp ipv4 unicast ${prefix}:`, ...text.trimEnd().split('\n').map((l) => `  ${l}`));
      } catch (err) {
        out.push(`${node}: vtysh failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    return out.join('\n');
  }

  /** `up` on the test's FRR (BALLAST_TEST_FRR): the version arguments added. */
  const up = (args: readonly string[]) => ok(['up', ...args, ...FRR_ARGS]);

  /**
   * `lab traffic --flows 4000`: every prefix's measured split within 2 points of the prediction. A
   * listener starved of CPU on a busy machine drops datagrams, which skews the shares of what arrived:
   * measure once more then (the shares are judged, not the machine's load); 1 % loss is allowed.
   */
  async function trafficWithin2Points(label: string, t: { diagnostic(m: string): void }): Promise<void> {
    const measure = async (): Promise<Traffic> => JSON.parse(await ok(['traffic', '--flows', '4000', '--json'])) as Traffic;
    let traffic = await measure();
    if (traffic.prefixes.some((p) => p.received < 3960)) {
      t.diagnostic(`${label}: ${traffic.prefixes.map((p) => `${p.prefix} ${p.received}/4000`).join(', ')} received; measuring again`);
      traffic = await measure();
    }
    assert.equal(traffic.sendErrors, 0);
    for (const p of traffic.prefixes) {
      t.diagnostic(`${label} ${p.prefix}: ${p.received}/4000 received, ${p.servers.map((s) => `${s.server} ${(s.measured * 100).toFixed(1)}/${(s.predicted * 100).toFixed(1)}`).join(', ')}; largest difference ${p.maxDiffPoints.toFixed(2)} points`);
      assert.ok(p.received >= 3960, `${p.prefix}: only ${p.received}/4000 datagrams arrived`);
      assert.ok(p.maxDiffPoints <= 2, `${p.prefix}: measured shares ${p.maxDiffPoints.toFixed(2)} points from the prediction`);
    }
  }

  return { runDir, nsPrefix, env, lab, ballast, ok, up, weights, statusWeights, until, diagnose, trafficWithin2Points, converged: (when: string, timeoutMs: number) => until(when, timeoutMs) };
}
