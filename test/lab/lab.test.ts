// End-to-end: the real `ballast lab` CLI on real FRR 8.4 in network namespaces. Needs root and FRR;
// skips with the reason otherwise. One `up` per leaf policy serves several checks, to keep CI short.
// The tests' lab has its own directory and namespace prefix, so a demo lab may stay up meanwhile.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listNetns } from '../../src/lab/netns.js';
import { daemonsOf, FRR_ARGS, frrOf, fmt, labInstance, labSkip, testFixture, viewMounts, type Comparison, passLab } from './harness.js';
import { alive, FRR_TMP_DIR } from '../../src/lab/processes.js';

const skip = await labSkip();
const tmp = mkdtempSync(join(tmpdir(), 'ballast-lab-t-'));
const FIXTURE = testFixture('fixtures/lab-421.yaml', tmp);
// num-multipaths behind leaf1/2/3: 4/2/1 paths (and 2/1 for the second prefix), weighted by the spines' FRR.
const NUM_MULTIPATHS = frrOf('spine') === '8.4'
  ? { p1: { leaf1: 57, leaf2: 28, leaf3: 14 }, p2: { leaf1: 66, leaf2: 33 } }
  : { p1: { leaf1: 254, leaf2: 127, leaf3: 63 }, p2: { leaf1: 254, leaf2: 127 } };
const { runDir: RUN_DIR, nsPrefix: NS_PREFIX } = passLab('/run/ballast-lab-test', 'blt-');

const L = labInstance(RUN_DIR, NS_PREFIX);
const cli = L.lab;

async function cliJson<T>(args: readonly string[], expectCode = 0): Promise<T> {
  const r = await cli([...args, '--json']);
  assert.equal(r.code, expectCode, `ballast lab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Daemon {
  readonly pid: number;
}
interface Status {
  readonly sessions: { readonly state: string }[];
  readonly weights: Comparison[];
}


/** Nothing of the lab left: namespaces, processes, run directory, FRR crash-log directories. */
async function assertClean(pids: readonly number[]): Promise<void> {
  assert.deepEqual((await listNetns()).filter((n) => n.startsWith(NS_PREFIX)), [], 'no lab namespaces');
  assert.ok(!existsSync(RUN_DIR), `${RUN_DIR} removed`);
  const ours = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`${RUN_DIR}/`);
      } catch {
        return false;
      }
    });
  assert.deepEqual(ours, [], 'no process refers to the lab directory');
  assert.deepEqual(viewMounts(RUN_DIR), [], 'no chroot mount left');
  // Ended: gone, or a zombie waiting for PID 1 to reap it (it holds nothing any more).
  for (const pid of pids) assert.ok(!alive(pid), `daemon ${pid} ended`);
  if (existsSync(FRR_TMP_DIR)) {
    const left = readdirSync(FRR_TMP_DIR).filter((d) => {
      try {
        return readdirSync(join(FRR_TMP_DIR, d)).some((f) => pids.includes(Number(f.replace('logbuf.', ''))));
      } catch {
        return false;
      }
    });
    assert.deepEqual(left, [], 'no FRR crash-log directory of a lab daemon');
  }
}

after(async () => {
  if (!skip) await cli(['down']);
  rmSync(tmp, { recursive: true, force: true });
});

async function upAndCheck(policy: 'num-multipaths' | 'ecmp', t: { diagnostic(m: string): void; after(fn: () => Promise<unknown>): void }): Promise<number[]> {
  // A failed assertion must not leave the lab up for the next test (down is harmless when none is).
  t.after(() => cli(['down']));
  const up = await cliJson<{ seconds: number; daemons: Daemon[] }>(['up', FIXTURE, '--leaf-policy', policy, ...FRR_ARGS]);
  t.diagnostic(`${policy}: up in ${up.seconds.toFixed(1)} s`);
  assert.equal(up.daemons.length, 2 * daemonsOf('spine') + 3 * daemonsOf('leaf') + 7 * daemonsOf('server'));
  // A sanity bound only (timings belong in bench/): a busy 2-core machine takes 6-30 s on 8.4, 25-60 s on 10.3;
  // the harness itself gives an up 300 s.
  assert.ok(up.seconds < 300, `up took ${up.seconds} s`);
  const status = await cliJson<Status>(['status']);
  assert.equal(status.sessions.length, 26);
  assert.ok(status.sessions.every((s) => s.state === 'Established'));
  for (const w of status.weights) t.diagnostic(`${policy} ${w.prefix} ${w.router}: kernel ${fmt(w.kernel)}, predicted ${fmt(w.predicted)}`);
  assert.ok(status.weights.every((w) => w.equal));
  return up.daemons.map((d) => d.pid);
}

const trafficWithin2Points = L.trafficWithin2Points;

test('num-multipaths: weights 57/28/14 and 66/33 (8.4 spines; 254/127/63 and 254/127 on 10.3), equal to the prediction through server and link fail/heal; traffic within 2 points', { skip }, async (t) => {
  const pids = await upAndCheck('num-multipaths', t);
  const status = await cliJson<Status>(['status']);
  const w = (prefix: string, spine: string) => status.weights.find((x) => x.prefix === prefix && x.router === spine)!.kernel;
  for (const spine of ['spine1', 'spine2']) {
    assert.deepEqual(w('198.51.100.1/32', spine), NUM_MULTIPATHS.p1);
    assert.deepEqual(w('198.51.100.2/32', spine), NUM_MULTIPATHS.p2);
  }

  const again = await cli(['up', FIXTURE]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /E_LAB_EXISTS/);

  await trafficWithin2Points('num-multipaths', t);

  // Each step: the command waits for the spines to follow; status then compares every spine kernel.
  const steps: [string, string][] = [['fail', 'srv11'], ['fail', 'srv12'], ['fail', 'srv31'], ['heal', 'srv11'], ['fail', 'srv21'], ['heal', 'srv12'], ['heal', 'srv31'], ['heal', 'srv21']];
  for (const [action, server] of steps) {
    const r = await cli([action, server]);
    assert.equal(r.code, 0, r.stderr);
    const s = await cliJson<Status>(['status']);
    t.diagnostic(`after ${action} ${server}: ${r.stdout.trim()}; ${s.weights.filter((x) => x.role === 'spine').map((x) => `${x.prefix} ${x.router} ${fmt(x.kernel)}`).join('; ')}`);
    for (const x of s.weights) assert.ok(x.equal, `after ${action} ${server}: ${x.prefix} on ${x.router} kernel ${fmt(x.kernel)}, predicted ${fmt(x.predicted)}`);
  }

  // One leaf-spine link down (named spine first, to check either order): spine1 pours its half into
  // leaf2 and leaf3 by 66/33 (254/127 on 10.3), spine2 keeps 57/28/14; the servers' split follows within 2 points.
  const linkDown = await cli(['fail', 'spine1/leaf1']);
  assert.equal(linkDown.code, 0, linkDown.stderr);
  t.diagnostic(`fail spine1/leaf1: ${linkDown.stdout.trim()}`);
  // The kernels are polled, not read once: a change a moment after the first match would be missed.
  const settled = await L.until('leaf1/spine1 down', 15_000);
  t.diagnostic(`leaf1/spine1 down: every kernel as predicted ${settled.toFixed(2)} s after fail returned`);
  const cut = await cliJson<Status & { failedLinks: string[] }>(['status'], 0);
  assert.deepEqual(cut.failedLinks, ['leaf1/spine1']);
  for (const x of cut.weights) {
    t.diagnostic(`leaf1/spine1 down: ${x.prefix} ${x.router}: kernel ${fmt(x.kernel)}, predicted ${fmt(x.predicted)}`);
    assert.ok(x.equal, `leaf1/spine1 down: ${x.prefix} on ${x.router} kernel ${fmt(x.kernel)}, predicted ${fmt(x.predicted)}`);
  }
  assert.deepEqual(cut.weights.find((x) => x.prefix === '198.51.100.1/32' && x.router === 'spine1')!.kernel, frrOf('spine') === '8.4' ? { leaf2: 66, leaf3: 33 } : { leaf2: 254, leaf3: 127 });
  assert.deepEqual(cut.weights.find((x) => x.prefix === '198.51.100.1/32' && x.router === 'spine2')!.kernel, NUM_MULTIPATHS.p1);
  assert.equal(cut.sessions.filter((x) => x.state !== 'Established').length, 2, 'the two ends of the link');
  await trafficWithin2Points('num-multipaths, leaf1/spine1 down', t);
  // On 8.4 this needs the lab's `no zebra nexthop kernel enable` (docs/lab.md "Link failures").
  const linkUp = await cli(['heal', 'leaf1/spine1']);
  assert.equal(linkUp.code, 0, linkUp.stderr);
  t.diagnostic(`heal leaf1/spine1: ${linkUp.stdout.trim()}`);
  await L.until('leaf1/spine1 healed', 30_000);
  const healed = await cliJson<Status>(['status']);
  assert.ok(healed.weights.every((x) => x.equal) && healed.sessions.every((x) => x.state === 'Established'), 'healed link: sessions back, kernels as predicted');
  assert.deepEqual(healed.weights.find((x) => x.prefix === '198.51.100.1/32' && x.router === 'spine1')!.kernel, NUM_MULTIPATHS.p1);
  const down = await cliJson<{ seconds: number; namespaces: number }>(['down']);
  t.diagnostic(`down in ${down.seconds.toFixed(1)} s`);
  assert.equal(down.namespaces, 13);
  await assertClean(pids);
});

test('ecmp: plain ECMP, weight 1 per leaf as predicted; traffic within 2 points', { skip }, async (t) => {
  const pids = await upAndCheck('ecmp', t);
  const status = await cliJson<Status>(['status']);
  for (const x of status.weights) assert.ok(Object.values(x.kernel).every((v) => v === 1));
  await trafficWithin2Points('ecmp', t);
  await cli(['down']);
  await assertClean(pids);
});

test('an up interrupted with SIGINT removes everything it created', { skip }, async () => {
  let sent = false;
  const r = await cli(['up', FIXTURE, ...FRR_ARGS], (text, pid) => {
    if (!sent && text.includes('starting FRR')) {
      sent = true;
      process.kill(pid, 'SIGINT');
    }
  });
  assert.ok(sent, 'interrupted during start-up');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /E_LAB_INTERRUPTED/);
  await assertClean([]);
});

test('an up killed outright leaves a state that down finishes', { skip }, async () => {
  let killed = false;
  const r = await cli(['up', FIXTURE, ...FRR_ARGS], (text, pid) => {
    if (!killed && text.includes('waiting for BGP sessions')) {
      killed = true;
      process.kill(pid, 'SIGKILL');
    }
  });
  assert.ok(killed);
  assert.equal(r.code, null);
  const state = JSON.parse(readFileSync(join(RUN_DIR, 'state.json'), 'utf8')) as { phase: string; daemons: Daemon[] };
  assert.equal(state.phase, 'creating');
  const status = await cli(['status']);
  assert.equal(status.code, 2, 'status refuses a half-built lab');
  const down = await cli(['down']);
  assert.equal(down.code, 0, down.stderr);
  await assertClean(state.daemons.map((d) => d.pid));
  const none = await cli(['down']);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /no lab/);
});

test('up refuses a fixture with a prefix outside the documentation ranges and creates nothing', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-lab-'));
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, readFileSync(FIXTURE, 'utf8').replaceAll('198.51.100.2/32', '172.20.0.2/32'));
    const r = await cli(['up', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /172\.20\.0\.2\/32.*E_LAB_FIXTURE/);
    await assertClean([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
