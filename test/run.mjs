// Runs every *.test.ts under test/ with Node's test runner (Node 20 expands no globs by itself).
// Files run one at a time: the lab tests own network namespaces and must not overlap.
// A full run then repeats the lab end-to-end tests on FRR 10.3 and on a mixed fabric.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);

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
const runTests = (args, env = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  }).status ?? 1;

let status = runTests(files);

// The lab end-to-end tests again on the other FRR versions we claim (docs/lab.md, "FRR versions"):
// FRR 10.3 from its chroot, and a fabric half-way through a rolling upgrade (10.3 spines, 8.4 leaves;
// the agents' heterogeneous run only, to keep the whole suite within CI's budget). Only on a full
// run, and only where the chroot is built (`ballast lab setup --frr 10.3`); CI requires it.
const VERSION_PASSES = [
  { frr: '10.3', args: ['test/lab/lab-agent.test.ts', 'test/lab/lab-ipv6.test.ts'] },
  { frr: 'mixed', args: ['--test-name-pattern=heterogeneous', 'test/lab/lab-agent.test.ts'] },
];
if (only.length === 0) {
  // Asked of the lab's own code (one source for where the chroot lives and when it is complete).
  const probe = "import('./src/lab/frr-setup.ts').then((m) => process.exit(m.chrootReady('10.3') ? 0 : 3))";
  const ready = process.getuid?.() === 0 && spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: root }).status === 0;
  if (ready) {
    for (const pass of VERSION_PASSES) {
      console.log(`# lab end-to-end tests on FRR ${pass.frr}`);
      status = runTests(pass.args, { BALLAST_TEST_FRR: pass.frr }) || status;
    }
  } else if (process.env.BALLAST_REQUIRE_FRR10 === '1') {
    console.error('FRR 10.3 lab passes required (BALLAST_REQUIRE_FRR10=1) but the chroot is not set up: run ballast lab setup --frr 10.3');
    status = 1;
  } else {
    console.log('# skipped: the lab tests on FRR 10.3 and mixed (needs root and `ballast lab setup --frr 10.3`)');
  }
}
process.exit(status);
