// Runs every *.test.ts under test/ with Node's test runner (Node 20 expands no globs by itself), one
// process per file, and prints each file's output as a block when it ends, then every
// file's wall time. A full run also repeats the lab end-to-end tests on FRR 10.3 and on a mixed fabric.
//
// Files run side by side, one of each kind at a time by default: with two of each (4 files on 2 cores)
// CI ran at load 11-17 and wait bounds failed in three runs of three; 1 + 1 is what has held. Once the
// non-lab files are done, two lab files run at a time (still two processes: see the pools below).
// - files that touch no namespace: BALLAST_TEST_JOBS at a time (default 1);
// - lab files (they create namespaces or start FRR, found by what they import or call):
//   BALLAST_TEST_LAB_JOBS at a time (default 1). Each lab file owns its lab directory and namespace
//   prefix, and each version pass suffixes them (test/lab/harness.ts, passLab), so two lab files, or
//   one file's 8.4 and 10.3 passes, never meet. The tests of one file stay in one process, in order.
// `node test/run.mjs SUBSTRING...` runs the matching files only (8.4 pass, no version passes).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const jobs = (name, dflt) => Math.max(1, Number(process.env[name] ?? dflt) || dflt);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = walk(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

// A file that creates namespaces or starts FRR: it uses the lab harness, the lab's own up, or makes
// namespaces itself. Such files run in the lab pool (which the shared lab lock is about).
const LAB_MARKERS = /'\.\.\/lab\/harness\.js'|\blabUp\(|createNetns\(|'netns', 'add'/;
function isLab(file) {
  const text = readFileSync(join(root, file), 'utf8');
  return LAB_MARKERS.test(text) || (file.startsWith('test/lab/') && text.includes("'./harness.js'"));
}

// The lab end-to-end tests again on the other FRR versions we claim (docs/lab.md, "FRR versions"):
// FRR 10.3 from its chroot, and a fabric half-way through a rolling upgrade (10.3 spines, 8.4 leaves).
// Only on a full run, and only where the chroot is built (`ballast lab setup --frr 10.3`); CI requires it.
// lab-api runs only its drain there (the rest of it, status, watch, metrics, does not depend on the
// version): about 40-60 s per pass instead of 80-110.
const DRAIN_ONLY = ['--test-name-pattern=drain'];
const VERSION_PASSES = [
  { frr: '10.3', files: ['test/lab/lab-agent.test.ts', 'test/lab/lab-ipv6.test.ts'] },
  { frr: '10.3', files: ['test/lab/lab-api.test.ts'], args: DRAIN_ONLY },
  // The fault CI set (BALLAST_FAULTS, default ci): 86 s by hand on the quiet machine.
  { frr: '10.3', files: ['test/faults/lab-faults.test.ts'] },
  { frr: 'mixed', files: ['test/lab/lab-agent.test.ts'] },
  { frr: 'mixed', files: ['test/lab/lab-api.test.ts'], args: DRAIN_ONLY },
];

// Longest first, so the pools do not end on one long file (measured on the 2-core machine, seconds;
// an unknown file counts as short).
const EXPECTED_S = {
  'test/lab/lab-agent.test.ts@10.3': 240,
  'test/lab/lab-agent.test.ts': 200,
  'test/faults/lab-faults.test.ts': 135,
  'test/faults/lab-faults.test.ts@10.3': 110,
  'test/lab/lab-agent.test.ts@mixed': 200,
  'test/lab/lab-verify.test.ts': 90,
  'test/lab/lab.test.ts': 90,
  'test/lab/lab-api.test.ts@10.3': 60,
  'test/lab/lab-api.test.ts@mixed': 60,
  'test/lab/lab-pods.test.ts': 45,
};
const expected = (t) => EXPECTED_S[t.frr === '8.4' ? t.file : `${t.file}@${t.frr}`] ?? (t.lab ? 40 : 5);

const tasks = files.map((file) => ({ file, frr: '8.4', args: [], lab: isLab(file) }));
let status = 0;
if (only.length === 0) {
  // Asked of the lab's own code (one source for where the chroot lives and when it is complete).
  const probe = "import('./src/lab/frr-setup.ts').then((m) => process.exit(m.chrootReady('10.3') ? 0 : 3))";
  const ready = process.getuid?.() === 0 && spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: root }).status === 0;
  if (ready) {
    for (const pass of VERSION_PASSES) for (const file of pass.files) tasks.push({ file, frr: pass.frr, args: pass.args ?? [], lab: true });
  } else if (process.env.BALLAST_REQUIRE_FRR10 === '1') {
    console.error('FRR 10.3 lab passes required (BALLAST_REQUIRE_FRR10=1) but the chroot is not set up: run ballast lab setup --frr 10.3');
    status = 1;
  } else {
    console.log('# skipped: the lab tests on FRR 10.3 and mixed (needs root and `ballast lab setup --frr 10.3`)');
  }
}

// Bounds per file (seconds), far above what any file takes: BALLAST_TEST_FILE_LIMIT_S, ..._LAB_...
const FILE_LIMIT_S = jobs('BALLAST_TEST_FILE_LIMIT_S', 600);
const LAB_FILE_LIMIT_S = jobs('BALLAST_TEST_LAB_FILE_LIMIT_S', 1500);

/** One file in its own process; its output is printed in one block when it ends. */
function runTask(t) {
  const label = t.frr === '8.4' ? t.file : `${t.file} on FRR ${t.frr}`;
  const started = performance.now();
  return new Promise((resolve) => {
    // The file runs its tests in its own process (no `--test` parent: one process per file, not two).
    const child = spawn(process.execPath, ['--import', 'tsx', '--test-reporter=spec', ...t.args, t.file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(t.frr === '8.4' ? {} : { BALLAST_TEST_FRR: t.frr }), FORCE_COLOR: '0' },
    });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    // A file that never ends (a test that left a server open: seen once, 31 min at load 20) fails
    // with what it printed instead of holding the run.
    const limit = t.lab ? LAB_FILE_LIMIT_S : FILE_LIMIT_S;
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), limit * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const ok = code === 0;
      const why = timedOut ? `, killed after ${limit} s` : '';
      process.stdout.write(`\n# ${ok ? 'ok' : 'FAILED'} ${label} (${seconds.toFixed(1)} s${why})\n${Buffer.concat(out).toString()}`);
      resolve({ label, seconds, ok, code: code ?? signal });
    });
  });
}

/**
 * Run tasks `n` at a time, longest expected first; once `widen` resolves, `more` further lanes join
 * (the lab pool's tail, when the other pool has ended and its CPU is free).
 */
async function pool(list, n, widen = null, more = 0) {
  const queue = [...list].sort((a, b) => expected(b) - expected(a));
  const results = [];
  const lane = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) results.push(await runTask(t));
  };
  const lanes = Array.from({ length: Math.min(n, queue.length) }, lane);
  if (widen && more > 0) lanes.push(widen.then(() => Promise.all(Array.from({ length: Math.min(more, queue.length) }, lane))));
  await Promise.all(lanes);
  return results;
}

// The lab tests drive the CLI through the bundle (test/lab/harness.ts): built here from the sources
// as they are, so it is never stale (~1 s).
const built = spawnSync(process.execPath, ['deploy/build.mjs'], { cwd: root, encoding: 'utf8' });
if (built.status !== 0) {
  console.error(`deploy/build.mjs failed:\n${built.stdout}${built.stderr}`);
  process.exit(1);
}
process.env.BALLAST_TEST_BUNDLE = join(root, 'dist/main.js');

const t0 = performance.now();
// When the files that touch no namespace have all run, the lab pool's tail runs one more file at a
// time (BALLAST_TEST_LAB_TAIL_JOBS extra lanes, default 1): two lab files on the 2 cores, as many
// processes as the 1 + 1 before. The lab pool is the run's critical path (lab files took ~1190 s of
// a 1220 s run, the others 545 s, in one CI run of stop 19's code).
const others = pool(tasks.filter((t) => !t.lab), jobs('BALLAST_TEST_JOBS', 1));
const tailJobs = Math.max(0, Number(process.env.BALLAST_TEST_LAB_TAIL_JOBS ?? 1) || 0);
const results = (
  await Promise.all([
    others,
    pool(tasks.filter((t) => t.lab), jobs('BALLAST_TEST_LAB_JOBS', 1), others, tailJobs),
  ])
).flat();
const wall = (performance.now() - t0) / 1000;

console.log('\n# wall time per test file (s)');
for (const r of [...results].sort((a, b) => b.seconds - a.seconds)) console.log(`# ${r.seconds.toFixed(1).padStart(7)}  ${r.ok ? '' : 'FAILED '}${r.label}`);
const failed = results.filter((r) => !r.ok);
console.log(`# ${results.length} files, ${failed.length} failed, ${wall.toFixed(1)} s in all`);
for (const r of failed) console.log(`# FAILED ${r.label} (exit ${r.code})`);
process.exit(failed.length > 0 ? 1 : status);
