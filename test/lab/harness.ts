/**
 * What every end-to-end lab test needs: run `ballast lab ...` (or the whole CLI) against its own lab
 * instance (run directory and namespace prefix), and poll the kernels against the prediction.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { labUnavailable } from '../../src/lab/preflight.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Comparison {
  readonly prefix: string;
  readonly router: string;
  readonly role?: 'spine' | 'leaf';
  readonly predicted: Record<string, number>;
  readonly kernel: Record<string, number>;
  readonly equal: boolean;
}

const LAB_CLI = new URL('./lab-cli.ts', import.meta.url).pathname;
const BIN = new URL('../../bin/ballast.js', import.meta.url).pathname;

/** null when the lab can run here, else the test's skip reason. */
export async function labSkip(): Promise<string | false> {
  const unavailable = await labUnavailable();
  return unavailable === null ? false : `lab tests skipped: ${unavailable}`;
}

export const fmt = (w: Record<string, number>): string => Object.entries(w).sort().map(([l, x]) => `${l}=${x}`).join(' ') || '-';

export function labInstance(runDir: string, nsPrefix: string) {
  const env = { ...process.env, BALLAST_LAB_DIR: runDir, BALLAST_LAB_NS_PREFIX: nsPrefix, NO_COLOR: '1' };

  function run(argv: readonly string[], onStdout?: (text: string, kill: () => void) => void, onStderr?: (text: string, pid: number) => void): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'], env });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
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

  /** `ballast lab ARGS` through the lab-only CLI; `onStderr` sees progress as it comes (to interrupt at a step). */
  const lab = (args: readonly string[], onStderr?: (text: string, pid: number) => void) => run(['--import', 'tsx', LAB_CLI, 'lab', ...args], undefined, onStderr);
  /** Any `ballast` command through the real bin. */
  const ballast = (args: readonly string[], onStdout?: (text: string, kill: () => void) => void) => run([BIN, ...args], onStdout);

  async function ok(args: readonly string[]): Promise<string> {
    const r = await lab(args);
    assert.equal(r.code, 0, `ballast lab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** The kernels beside the lab's prediction; `status` exits 1 when they differ, which is data here. */
  async function weights(): Promise<Comparison[]> {
    const r = await lab(['status', '--json']);
    assert.ok(r.code === 0 || r.code === 1, `ballast lab status exited ${r.code}: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { weights: Comparison[] }).weights;
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

  return { env, lab, ballast, ok, weights, until, converged: (when: string, timeoutMs: number) => until(when, timeoutMs) };
}
