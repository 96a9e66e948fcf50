// End-to-end for the agent's API and metrics on real FRR (8.4, 10.3 or mixed: BALLAST_TEST_FRR): a
// lab-421 fabric with an agent on every leaf; `ballast status` sees every prefix on every leaf,
// `ballast watch` streams a server's failure, a drain of a whole leaf moves its traffic away exactly
// as `ballast snapshot` (of the agents and the spines' observers, which give each spine's FRR
// version) + `whatif` predict, reflection lists the services, and the metrics endpoint parses and
// moves when a server fails. The drain is its own test: the 10.3 and mixed passes of test/run.mjs
// run only it (`--test-name-pattern=drain`), the rest does not depend on the version.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
// @ts-expect-error untyped module
import parsePrometheus from 'parse-prometheus-text-format';
import { agentSocket, LAB_METRICS_PORT, observerSocket } from '../../src/lab/agents.js';
import { listServices } from '../api/reflection.js';
import { fmt, frrOf, labInstance, labSkip, passLab, testFixture } from './harness.js';

const skip = await labSkip();
const { runDir: RUN_DIR, nsPrefix: NS } = passLab('/run/ballast-lab-apitest', 'bap-');
const L = labInstance(RUN_DIR, NS);
const tmp = mkdtempSync(join(tmpdir(), 'ballast-api-lab-'));
const sock = (leaf: string) => `unix://${agentSocket(`${RUN_DIR}/${NS}${leaf}`)}`;
const agents = ['leaf1', 'leaf2', 'leaf3'].flatMap((l) => ['--agent', sock(l)]);
const observers = ['spine1', 'spine2'].flatMap((s) => ['--agent', `unix://${observerSocket(`${RUN_DIR}/${NS}${s}`)}`]);
// leaf1/2/3 at 4000/2000/1000 Mbps: FRR 8.4 spines weight by share of the sum, 10.3 ones 254 of the largest.
const SPINE = frrOf('spine') === '8.4' ? { drained: { leaf1: 66, leaf2: 33 }, all: { leaf1: 57, leaf2: 28, leaf3: 14 } } : { drained: { leaf1: 254, leaf2: 127 }, all: { leaf1: 254, leaf2: 127, leaf3: 63 } };

after(async () => {
  if (!skip) await L.lab(['down']);
  rmSync(tmp, { recursive: true, force: true });
});

/** Scrape an agent's metrics from inside its namespace (they listen on that namespace's loopback). */
function scrape(leaf: string): Map<string, { metrics: { value?: string; labels?: Record<string, string> }[] }> {
  const js = `fetch('http://127.0.0.1:${LAB_METRICS_PORT}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`;
  const text = execFileSync('ip', ['netns', 'exec', `${NS}${leaf}`, process.execPath, '-e', js], { encoding: 'utf8', timeout: 60_000 }); // a bound: over 10 s at load 20
  return new Map((parsePrometheus(text) as { name: string; metrics: { value?: string; labels?: Record<string, string> }[] }[]).map((f) => [f.name, f]));
}

const healthyMetric = (leaf: string, prefix: string) => scrape(leaf).get('ballast_prefix_healthy_servers')!.metrics.find((m) => m.labels!.prefix === prefix)!.value;

before(async () => {
  if (skip) return;
  const fixture = testFixture('fixtures/lab-421.yaml', tmp, (text) => text.replace(/\npolicy:\n(?: .*\n?)*/, '\npolicy:\n  mode: link-bandwidth\n  mbps-per-unit: 100\n  damping: { hold-down-seconds: 2 }\n'));
  await L.up([fixture, '--leaf-policy', 'ballast']);
  await L.converged('after up', 20_000);
});

test('lab-421 with agents: status, watch, reflection, metrics', { skip }, async (t) => {
  // status: every prefix on every leaf.
  const status = await L.ballast(['status', ...agents, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const st = JSON.parse(status.stdout) as { agents: { state: { leaf: string; prefixes: { prefix: string; healthyServers: number }[] } }[] };
  assert.deepEqual(st.agents.map((a) => [a.state.leaf, a.state.prefixes.map((p) => `${p.prefix}:${p.healthyServers}`)]), [
    ['leaf1', ['198.51.100.1/32:4', '198.51.100.2/32:2']],
    ['leaf2', ['198.51.100.1/32:2', '198.51.100.2/32:1']],
    ['leaf3', ['198.51.100.1/32:1']],
  ]);
  assert.equal(healthyMetric('leaf1', '198.51.100.1/32'), '4');

  // watch: a server failure streams as a decision.
  let seen = '';
  const watching = L.ballast(['watch', '--agent', sock('leaf1')], (text, kill) => {
    seen = text;
    if (/decision 198\.51\.100\.1\/32: lb 4000 Mbps -> lb 3000 Mbps/.test(text)) kill();
  });
  await new Promise((r) => setTimeout(r, 1500));
  await L.ok(['fail', 'srv11']);
  const w = await watching;
  assert.match(w.stdout, /leaf1 decision 198\.51\.100\.1\/32: lb 4000 Mbps -> lb 3000 Mbps; 3 healthy/, seen);
  t.diagnostic(w.stdout.trim().split('\n').filter((l) => l.includes('decision')).join(' | '));
  for (let i = 0; i < 20 && healthyMetric('leaf1', '198.51.100.1/32') !== '3'; i++) await new Promise((r) => setTimeout(r, 250));
  assert.equal(healthyMetric('leaf1', '198.51.100.1/32'), '3', 'the metric moved with the failure');
  await L.ok(['heal', 'srv11']);
  await L.converged('srv11 healed', 10_000);

  // Reflection on the real agent's socket lists the services.
  const names = await listServices(sock('leaf1').replace('unix://', 'unix:'));
  assert.ok(names.includes('ballast.v1.AgentService') && names.includes('grpc.health.v1.Health'), names.join(', '));
});

test('drain of a whole leaf and undrain: kernels equal the snapshot\'s prediction', { skip }, async (t) => {
  // On a failure, what leaf3's agent did and what FRR holds along the way.
  t.after(() => {
    if (failed) process.stderr.write(`${L.diagnose(['leaf3', 'srv31', 'spine1'], '198.51.100.1/32')}\n`);
  });
  let failed = true;
  // The hard case first: both spines prefer leaf3's own path (the oldest, once their sessions to leaf1
  // and leaf2 are cleared), so neither sends leaf3 a path back and its drained server's held path stays
  // its best; before the outbound prepend (step.ts, renderEntry) FRR kept advertising leaf3 through the
  // drain (seen in CI on the mixed fabric, and made certain here).
  const vty = (node: string, command: string) => execFileSync(`${RUN_DIR}/${NS}${node}/vtysh`, ['--vty_socket', `${RUN_DIR}/${NS}${node}`, '-c', command], { encoding: 'utf8', timeout: 30_000 });
  // A cleared session is back once it is Established again with one more connection than before the
  // clear: right after `clear`, it can still read Established (and the kernels as predicted), and a
  // drain then runs while the sessions flap (every run on a quiet machine, and in CI once).
  const cleared = ['spine1', 'spine2'].flatMap((spine) => ['leaf1', 'leaf2'].map((leaf) => ({ spine, leaf })));
  const session = ({ spine, leaf }: { spine: string; leaf: string }) => {
    const n = (JSON.parse(vty(spine, `show bgp neighbors ${leaf} json`)) as Record<string, { bgpState?: string; connectionsEstablished?: number }>)[leaf];
    assert.ok(n && typeof n.connectionsEstablished === 'number', `${spine}: show bgp neighbors ${leaf} json has no connectionsEstablished`);
    return { state: n.bgpState, established: n.connectionsEstablished };
  };
  const before = cleared.map(session);
  for (const s of cleared) vty(s.spine, `clear bgp ${s.leaf}`);
  const reEstablished = () => cleared.every((s, i) => {
    const now = session(s);
    return now.state === 'Established' && now.established > before[i]!.established;
  });
  // In `show bgp ... PREFIX`, a path's lines run from its `from NEIGHBOR` line to the next one; the best says `best`.
  const bestFromLeaf3 = () => ['spine1', 'spine2'].every((s) => vty(s, 'show bgp ipv4 unicast 198.51.100.1/32').split(/(?= from )/).some((p) => p.startsWith(' from leaf3 ') && /, best\b/.test(p)));
  await L.until('the spines back after their sessions to leaf1 and leaf2 were cleared', 30_000, (ws) => reEstablished() && ws.every((x) => x.equal) && bestFromLeaf3());
  // The agents check their spine sessions every reconcile (5 s here): the snapshot below is to list
  // every link up, so wait until each agent has seen its sessions back.
  const t1 = performance.now();
  for (;;) {
    const status = await L.ballast(['status', ...agents, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const faults = (JSON.parse(status.stdout) as { agents: { state: { leaf: string; frrFaults?: { kind: string; subject: string }[] } }[] }).agents.flatMap((a) => (a.state.frrFaults ?? []).map((f) => `${a.state.leaf} ${f.kind} ${f.subject}`));
    if (faults.length === 0) break;
    assert.ok(performance.now() - t1 < 15_000, `the agents still report ${faults.join(', ')} 15 s after the sessions were back`);
    await new Promise((r) => setTimeout(r, 250));
  }
  t.diagnostic(`both spines prefer leaf3's path before the drain; the agents saw every session back ${((performance.now() - t1) / 1000).toFixed(2)} s after the spines did`);
  // Drain leaf3 (the whole leaf): its traffic moves away as the live snapshot predicts.
  const t0 = performance.now();
  const drained = await L.ballast(['drain', '--agent', sock('leaf3'), '--reason', 'maintenance']);
  assert.equal(drained.code, 0, drained.stderr);
  t.diagnostic(`drain returned after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  const predictNow = async () => {
    const snap = await L.ballast(['snapshot', ...agents, ...observers, '--unit', 'Gbps']);
    assert.equal(snap.code, 0, snap.stderr);
    assert.equal(snap.stderr, '', 'no warning: every spine named by its observer');
    const file = join(tmp, 'snapshot.yaml');
    writeFileSync(file, snap.stdout);
    const wi = await L.ballast(['whatif', file, '--strategy', 'ballast', '--json']);
    const report = JSON.parse(wi.stdout) as { spines: string[]; prefixes: { prefix: string; strategies: { leaves: { name: string; spineWeights: (number | null)[] }[] }[] }[] };
    const out = new Map<string, Record<string, number>>();
    for (const p of report.prefixes) {
      for (const spine of ['spine1', 'spine2']) {
        const w: Record<string, number> = {};
        const at = report.spines.indexOf(spine);
        for (const l of p.strategies[0]!.leaves) if (l.spineWeights[at]) w[l.name] = l.spineWeights[at]!;
        out.set(`${p.prefix} ${spine}`, w);
      }
    }
    return out;
  };
  const matchesSnapshot = async (when: string) => {
    const predicted = await predictNow();
    const s = await L.until(when, 10_000, (ws) => ws.filter((x) => x.role === 'spine').every((x) => fmt(x.kernel) === fmt(predicted.get(`${x.prefix} ${x.router}`) ?? {})));
    const spine1 = (await L.weights()).find((x) => x.prefix === '198.51.100.1/32' && x.router === 'spine1')!;
    t.diagnostic(`${when}: spine1 kernel ${fmt(spine1.kernel)} = snapshot prediction (${s.toFixed(2)} s)`);
    return spine1.kernel;
  };
  const away = await matchesSnapshot('leaf3 drained');
  assert.equal(away.leaf3, undefined, 'leaf3 left the spines');
  assert.deepEqual(away, SPINE.drained);
  // The leaves: leaf1 and leaf2 as the lab predicts (the drain does not touch them); leaf3 sends
  // nothing to srv31 (its route goes back through the spines, which the lab does not compare).
  await L.until('leaf3 drained: the leaves', 10_000, (ws) => ws.filter((x) => x.role === 'leaf').every((x) => (x.router === 'leaf3' ? x.kernel.srv31 === undefined : x.equal)));

  const back = await L.ballast(['undrain', '--agent', sock('leaf3')]);
  assert.equal(back.code, 0, back.stderr);
  const restored = await matchesSnapshot('leaf3 undrained');
  assert.deepEqual(restored, SPINE.all);
  await L.converged('leaf3 undrained: every spine and leaf kernel as the lab predicts', 10_000);
  failed = false;
});
