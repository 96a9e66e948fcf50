// End-to-end: `--leaf-policy ballast` (a leaf agent in every leaf namespace) on real FRR (8.4, 10.3 or a
// mixed fabric: BALLAST_TEST_FRR, harness.ts). After each
// fail/heal step every spine's (and leaf's) kernel weights must equal the planner's `ballast`
// prediction, including unequal capacities and IPv6 (heterogeneous.yaml), the prepend policy (a leaf
// leaves the spines' ECMP set and returns after the hold-down), drift restore, and a killed agent's
// restart (it adopts what runs: no apply, no route change on the spines). Own lab directory
// and namespace prefix. Hold-downs are shortened in a copy of each fixture to keep the run short.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fmt, labInstance, labSkip, testFixture, passLab } from './harness.js';
import { compareReads } from './vty-compare.js';

const skip = await labSkip();
const { runDir: RUN_DIR, nsPrefix: NS_PREFIX } = passLab('/run/ballast-lab-agtest', 'bat-');
const tmp = mkdtempSync(join(tmpdir(), 'ballast-agent-lab-'));
const HOLD_DOWN = 2;

const L = labInstance(RUN_DIR, NS_PREFIX);
const cli = L.lab;
const { ok, up, weights, converged } = L;

/** A copy of a fixture with its policy replaced (short hold-down, another mode), on the test's FRR. */
function fixtureWith(file: string, policy: string): string {
  return testFixture(file, tmp, (text) => text.replace(/\npolicy:\n(?: .*\n?)*/, `\npolicy:\n${policy}`));
}

after(async () => {
  if (!skip) await cli(['down']);
  rmSync(tmp, { recursive: true, force: true });
});

test('heterogeneous.yaml: kernels equal the ballast prediction through fail/heal, IPv6 and unequal capacities', { skip }, async (t) => {
  t.after(() => cli(['down']));
  const fixture = fixtureWith('fixtures/heterogeneous.yaml', `  mode: link-bandwidth\n  mbps-per-unit: 100\n  weight-servers: true\n  damping: { hold-down-seconds: ${HOLD_DOWN} }\n`);
  await up([fixture, '--leaf-policy', 'ballast']);
  t.diagnostic(`up: converged ${await converged('after up', 20_000)} s later`);
  // The agents and observers read over the vty sockets: the same text as vtysh gives (vty-compare.ts).
  t.diagnostic(`vty socket reads equal vtysh's: ${await compareReads(RUN_DIR, NS_PREFIX, 'leaf01', 'spine01', '198.51.100.10/32', '2001:db8:100::10/128')} calls`);
  const steps: [string, string][] = [
    ['fail', 'server05'], // leaf02's big server: 40 of its 60
    ['fail', 'server08'],
    ['heal', 'server05'], // a raise: after the hold-down
    ['fail', 'server06'],
    ['heal', 'server08'],
    ['fail', 'server05'], // leaf02 now empty: withdrawn from the spines
    ['heal', 'server06'],
    ['heal', 'server05'],
  ];
  for (const [op, server] of steps) {
    await ok([op, server]);
    const s = await converged(`${op} ${server}`, (HOLD_DOWN + 8) * 1000);
    t.diagnostic(`after ${op} ${server}: kernels equal the prediction ${s.toFixed(2)} s after the command returned`);
  }
  await ok(['down']);
});

test('lab-421.yaml: kernels equal the ballast prediction through fail/heal, down to a withdrawn leaf and back', { skip }, async (t) => {
  t.after(() => cli(['down']));
  const fixture = fixtureWith('fixtures/lab-421.yaml', `  mode: link-bandwidth\n  mbps-per-unit: 100\n  damping: { hold-down-seconds: ${HOLD_DOWN} }\n`);
  await up([fixture, '--leaf-policy', 'ballast']);
  await converged('after up', 20_000);
  for (const [op, server] of [['fail', 'srv11'], ['fail', 'srv13'], ['fail', 'srv21'], ['fail', 'srv31'], ['heal', 'srv31'], ['heal', 'srv21'], ['heal', 'srv13'], ['heal', 'srv11']] as const) {
    const out = await ok([op, server]);
    const s = await converged(`${op} ${server}`, (HOLD_DOWN + 8) * 1000);
    t.diagnostic(`after ${op} ${server}: ${out.trim().split(': ').pop()}; equal at the next read (${s.toFixed(2)} s)`);
  }

  // Restart adoption: leaf1's agent killed outright and started again on the same config adopts what
  // runs in FRR without a change: no apply, and no route change on the spines meanwhile.
  const dir = `${RUN_DIR}/${NS_PREFIX}leaf1`;
  const state = JSON.parse(readFileSync(`${RUN_DIR}/state.json`, 'utf8')) as { daemons: { ns: string; daemon: string; pid: number }[] };
  const pid = state.daemons.find((d) => d.ns === `${NS_PREFIX}leaf1` && d.daemon === 'agent')!.pid;
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const monitors = ['spine1', 'spine2'].map((s) => spawn('ip', ['-n', `${NS_PREFIX}${s}`, 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  let events = '';
  for (const m of monitors) m.stdout.on('data', (d: Buffer) => (events += d.toString()));
  const logBefore = readFileSync(`${dir}/agent.log`, 'utf8').length;
  process.kill(pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 500));
  // `down` ends every process in the lab's namespaces, this one too.
  const log = openSync(`${dir}/agent.log`, 'a');
  spawn('ip', ['netns', 'exec', `${NS_PREFIX}leaf1`, ...argv], { detached: true, stdio: ['ignore', log, log] }).unref();
  closeSync(log);
  const t0 = performance.now();
  let after = '';
  while (!/"event":"adopted"/.test(after) && performance.now() - t0 < 20_000) {
    await new Promise((r) => setTimeout(r, 200));
    after = readFileSync(`${dir}/agent.log`, 'utf8').slice(logBefore);
  }
  assert.match(after, /"event":"adopted"/, 'the restarted agent adopted the running configuration');
  const adoptedS = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 3000)); // its first observation and decisions
  for (const m of monitors) m.kill();
  after = readFileSync(`${dir}/agent.log`, 'utf8').slice(logBefore);
  assert.doesNotMatch(after, /"event":"applied"/, `no configuration change after the restart: ${after}`);
  assert.doesNotMatch(events, /198\.51\.100\./, `the spines' routes did not move: ${events}`);
  await converged('after the agent restart', 5000);
  t.diagnostic(`leaf1's agent restarted: adopted within ${adoptedS.toFixed(2)} s of its start, no apply, no spine route change`);
  await ok(['down']);
});

test('lab-421 prepend policy: a leaf under its threshold leaves the ECMP set, returns after the hold-down; drift is restored', { skip }, async (t) => {
  t.after(() => cli(['down']));
  const fixture = fixtureWith('fixtures/lab-421.yaml', `  mode: link-bandwidth+prepend\n  mbps-per-unit: 100\n  prepend: { below-fraction: 0.5, length: 2 }\n  damping: { hold-down-seconds: 4 }\n`);
  await up([fixture, '--leaf-policy', 'ballast']);
  await converged('after up', 20_000);
  for (const s of ['srv11', 'srv12', 'srv13']) await ok(['fail', s]);
  await converged('leaf1 at 1 of 4 servers', 10_000);
  const spine = (await weights()).find((w) => w.prefix === '198.51.100.1/32' && w.router === 'spine1')!;
  assert.deepEqual(Object.keys(spine.kernel).sort(), ['leaf2', 'leaf3'], `leaf1 prepended away: ${fmt(spine.kernel)}`);
  // `lab heal` returns once the kernels match the prediction and says how long that took: here the
  // hold-down, since until then the agent keeps leaf1 prepended.
  const healed = await ok(['heal', 'srv11']);
  const took = Number(/match the prediction after ([\d.]+) s/.exec(healed)?.[1] ?? 'NaN');
  // The hold-down is the claim (no return before it); how soon after it is the machine's load (9.1 s at
  // load 14 in CI, 6.4 s alone), so the upper bound only says that it returns at all.
  assert.ok(took >= 3.5 && took < 60, `leaf1 returned ${took} s after the heal, expected after the 4 s hold-down: ${healed}`);
  t.diagnostic(`leaf1 returned to the spines' ECMP set ${took} s after the heal (hold-down 4 s)`);
  await converged('leaf1 back at 2 of 4', 5_000);

  // Drift: delete the agent's entry by hand; the agent restores it within its reconcile interval (5 s).
  const vty = `${RUN_DIR}/${NS_PREFIX}leaf1`;
  // The leaf's own vtysh (the host's, or its chroot's on 10.3), as the agent uses it.
  const show = () => execFileSync(`${vty}/vtysh`, ['--vty_socket', vty, '-c', 'show running-config'], { encoding: 'utf8' });
  const text0 = show();
  const active = /neighbor SPINES route-map (BALLAST-[AB]) out/.exec(text0)![1]!;
  const [, seq, list] = new RegExp(`route-map ${active} permit (\\d+)\\n match ip address prefix-list (\\S+)`).exec(text0)!;
  const t0 = performance.now();
  execFileSync(`${vty}/vtysh`, ['--vty_socket', vty, '-c', 'configure terminal', '-c', `no route-map ${active} permit ${seq}`]);
  let restored = -1;
  while (performance.now() - t0 < 8000) {
    const text = show();
    const now = /neighbor SPINES route-map (BALLAST-[AB]) out/.exec(text)?.[1];
    if (now && text.includes(`route-map ${now} permit ${seq}\n match ip address prefix-list ${list}`)) {
      restored = (performance.now() - t0) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(restored >= 0, 'the deleted entry was restored within 8 s');
  t.diagnostic(`drift restored after ${restored.toFixed(2)} s (reconcile interval 5 s)`);
  assert.match(readFileSync(`${vty}/agent.log`, 'utf8'), /"event":"drift"/);
  await converged('after the drift restore', 5000);
  await ok(['down']);
});
