/**
 * The agent under FRR's faults, on the fake vtysh (test/agent/fake-frr.ts): it waits for FRR at
 * start, stops at once on a contradicting configuration, notices a bgpd restart by its PID and
 * adopts afresh (rebuilding what bgpd lost, without holding the servers whose sessions come back),
 * and backs off after a failed apply instead of repeating it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import type { DaemonPids } from '../../src/agent/restarts.js';
import type { KernelReader } from '../../src/agent/frr-faults.js';
import { agentApi } from '../../src/api/agent-adapter.js';
import { differences, extractOwned } from '../../src/frr/ballast-route-map.js';
import { parseRunningConfig } from '../../src/frr/running-config.js';
import { ONE_PREFIX, ONE_PREFIX_YAML } from './config-fixture.js';
import { FakeFrr } from './fake-frr.js';
import { routeWith } from './recorded.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const P = ONE_PREFIX;
const started: Agent[] = [];
after(async () => {
  for (const a of started) await a.stop();
});

function agentOn(frr: Pick<FakeFrr, 'run'>, opts: { pids?: () => DaemonPids; now?: () => number; kernel?: KernelReader } = {}) {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const agent = new Agent(parseAgentConfig(ONE_PREFIX_YAML, 'agent.yaml'), { frr: frr.run, logger, ...(opts.pids ? { daemonPids: opts.pids } : {}), ...(opts.now ? { now: opts.now } : {}), ...(opts.kernel ? { kernel: opts.kernel } : {}) });
  started.push(agent);
  return { agent, logs };
}

const holdsOf = (frr: FakeFrr): string[] => [...frr.routeMaps].filter(([name, m]) => name.startsWith('BALLAST-IN-') && [...m.values()].some((l) => l.includes('set local-preference 50'))).map(([name]) => name).sort();

test('FRR not there at start: the agent waits (waiting-for-frr), then adopts when bgpd answers', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  frr.failure = 'throw';
  const { agent, logs } = agentOn(frr);
  const start = agent.start();
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(agent.phase, 'waiting-for-frr');
  assert.ok(logs.some((l) => l.event === 'waiting-for-frr'), 'it says what it waits for');
  assert.equal(frr.applied.length, 0);
  frr.failure = null;
  await start;
  assert.equal(agent.phase, 'running');
  assert.ok(frr.applied.length > 0, 'adopted and applied once bgpd answered');
});

test('stopped while waiting: start resolves, nothing applied', async () => {
  const frr = new FakeFrr(base);
  frr.failure = 'garbage';
  const { agent } = agentOn(frr);
  const start = agent.start();
  await new Promise((r) => setTimeout(r, 300));
  await agent.stop();
  await start;
  assert.equal(agent.phase, 'stopped');
  assert.equal(frr.applied.length, 0);
});

test('stopped while its first read is under way: it adopts nothing and leaves no timer running', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  let answer!: () => void;
  const gate = new Promise<void>((r) => (answer = r));
  const slow: typeof frr.run = async (commands) => (await gate, frr.run(commands));
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const { agent } = agentOn({ run: slow });
  const start = agent.start();
  await new Promise((r) => setImmediate(r));
  await agent.stop();
  answer();
  await start;
  assert.equal(agent.phase, 'stopped');
  assert.equal(frr.applied.length, 0, 'nothing applied after the stop');
  assert.equal(timers(), before, 'no resync, reconcile or held-poll timer left behind');
});

test('a foreign route-map on the spine peer-group is not waited out: start fails at once', async () => {
  const frr = new FakeFrr(base);
  frr.bindings.set('ipv4|SPINE|out', 'OPERATOR-MAP');
  const { agent } = agentOn(frr);
  await assert.rejects(agent.start(), (err: Error & { code?: string }) => err.code === 'E_AGENT_OWNERSHIP');
});

test('a bgpd restart (new PID) rebuilds what bgpd lost, and sessions coming back are not held', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  let pids: DaemonPids = { bgpd: 100, zebra: 99 };
  const { agent, logs } = agentOn(frr, { pids: () => pids });
  await agent.start();
  // bgpd restarts: its startup file has none of the agent's configuration, and every session is down.
  frr.routeMaps.clear();
  frr.prefixLists.clear();
  frr.bindings.clear();
  pids = { bgpd: 200, zebra: 99 };
  frr.routes.set(P, routeWith([]));
  await agent.resyncNow();
  assert.ok(logs.some((l) => l.event === 'frr-restarted'), 'the restart is logged');
  assert.equal(agent.counters.frrRestarts, 1);
  // Sessions come back one by one: none is a returning server.
  frr.routes.set(P, routeWith(['s11']));
  await agent.resyncNow();
  frr.routes.set(P, routeWith(['s11', 's12']));
  await agent.resyncNow();
  assert.deepEqual(holdsOf(frr), [], 'no server held after the leaf restart');
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.resyncNow();
  assert.deepEqual(agent.latestRecords().get(P)!.healthyServers.length, 3);
  const view = extractOwned(parseRunningConfig(frr.runningConfig()), agent.names, ['s11', 's12', 's13']);
  assert.equal(view.bound.ipv4 === 'A' || view.bound.ipv4 === 'B', true, 'the outbound map is bound again');
  assert.deepEqual(differences(view, agent.names, differencesTarget(view)), []);
});

/** The configuration the fake FRR holds is compared with itself: differences() of a complete view is empty. */
function differencesTarget(view: ReturnType<typeof extractOwned>) {
  const slot = view.bound.ipv4 as 'A' | 'B';
  return { map: view.slots[slot]!, inbound: new Map([...view.inbound].map(([n, v]) => [n, v.map!])), lists: new Map([...view.prefixLists].map(([n, l]) => [n, { family: l.family, prefixes: l.prefixes! }])) };
}

test('without a restart, a server that was absent is held when it returns (the grace is for restarts only)', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  const { agent } = agentOn(frr, { pids: () => ({ bgpd: 100, zebra: 99 }) });
  await agent.start();
  frr.routes.set(P, routeWith(['s11', 's13']));
  await agent.resyncNow();
  assert.deepEqual(holdsOf(frr), ['BALLAST-IN-s12']);
});

test('started while bgpd is down: servers whose sessions come back after the adoption are not held (the grace)', async () => {
  const frr = new FakeFrr(base);
  frr.failure = 'throw';
  const { agent, logs } = agentOn(frr, { pids: () => ({ bgpd: 100, zebra: 99 }) });
  const start = agent.start();
  await new Promise((r) => setTimeout(r, 700));
  // bgpd answers with only s11's session up yet; s12 and s13 follow.
  frr.routes.set(P, routeWith(['s11']));
  frr.failure = null;
  await start;
  assert.ok(logs.some((l) => l.event === 'restart-grace'));
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.resyncNow();
  assert.deepEqual(holdsOf(frr), [], 'no late session held');
  assert.equal(agent.latestRecords().get(P)!.healthyServers.length, 3);
});

test('a failed apply is not repeated at once: the next one waits out a back-off and re-plans from a fresh read', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  let now = 1_000_000;
  const { agent, logs } = agentOn(frr, { now: () => now });
  await agent.start();
  const applied = frr.applied.length;
  frr.failure = 'configure';
  frr.routes.set(P, routeWith(['s11', 's13']));
  await agent.resyncNow();
  const failures = logs.filter((l) => l.event === 'frr-error').length;
  assert.equal(failures, 1);
  await agent.resyncNow();
  await agent.resyncNow();
  assert.equal(logs.filter((l) => l.event === 'frr-error').length, 1, 'within the back-off the write is not tried again');
  frr.failure = null;
  now += 1500;
  await agent.resyncNow();
  assert.equal(frr.applied.length, applied + 1, 'after the back-off the change is applied, planned from a fresh read');
  assert.deepEqual(holdsOf(frr), ['BALLAST-IN-s12']);
});

test('the crash bound: a held server that came back while the agent was dead is released by the next start', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  // The first agent reaches FRR through a line that its death cuts: after that, nothing it does
  // (its stop's release of the holds included) reaches FRR, as after a kill -9.
  let alive = true;
  const line: typeof frr.run = (commands) => (alive ? frr.run(commands) : Promise.reject(Object.assign(new Error('killed'), { code: 'E_FRR_COMMAND' })));
  const first = agentOn({ run: line }).agent;
  await first.start();
  frr.routes.set(P, routeWith(['s11', 's13']));
  await first.resyncNow();
  assert.deepEqual(holdsOf(frr), ['BALLAST-IN-s12'], 's12 failed: its return will be held');
  // The agent dies, so the hold stays in FRR; s12 returns meanwhile and is held at the door.
  alive = false;
  await first.stop();
  assert.deepEqual(holdsOf(frr), ['BALLAST-IN-s12'], 'the dead agent released nothing');
  frr.routes.set(P, routeWith(['s11', 's13'], { held: ['s12'] }));
  const clearsBefore = frr.clears.length;
  const second = agentOn(frr).agent;
  await second.start();
  assert.deepEqual(holdsOf(frr), [], 'released within the start (adoption), not after a fresh hold-down');
  assert.deepEqual(frr.clears.slice(clearsBefore), ['clear bgp ipv4 unicast s12 soft in'], 'its path re-evaluated at once');
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await second.resyncNow();
  assert.equal(second.latestRecords().get(P)!.healthyServers.length, 3);
});

test("FRR's own faults are said, not acted on: a spine session down, a kernel without bgpd's routes, a vtysh timing out", async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  let kernelHas = new Set<string>([P]);
  let timeOut = false;
  const run: typeof frr.run = (commands) => (timeOut ? Promise.reject(Object.assign(new Error('Command timed out after 3000 ms: vtysh -d bgpd'), { code: 'E_FRR_COMMAND' })) : frr.run(commands));
  const { agent, logs } = agentOn({ run }, { kernel: async () => kernelHas });
  await agent.start();
  await agent.reconcileNow();
  assert.deepEqual(agent.frrFaults(), [], 'a healthy leaf has none');
  const applied = frr.applied.length;
  const faults = () => agent.frrFaults().map((f) => `${f.kind} ${f.subject}`);

  frr.spineState = 'Active';
  kernelHas = new Set();
  await agent.reconcileNow();
  assert.deepEqual(faults(), ['kernel-route-missing 198.51.100.1/32', 'spine-session-down sp1']);
  const api = agentApi(agent, { dryRun: false }).state();
  assert.deepEqual(api.frrFaults?.map((f) => f.kind), ['kernel-route-missing', 'spine-session-down'], "the API's state lists them");
  assert.equal(logs.filter((l) => l.event === 'frr-fault').length, 2, 'each logged once when it appears');
  await agent.reconcileNow();
  assert.equal(logs.filter((l) => l.event === 'frr-fault').length, 2, 'and not again while it lasts');

  timeOut = true;
  await agent.resyncNow();
  assert.ok(faults().includes('vtysh-timeout vtysh'), 'a timed-out call is a fault');
  timeOut = false;
  frr.spineState = 'Established';
  kernelHas = new Set([P]);
  await agent.reconcileNow();
  assert.deepEqual(faults(), [], 'all cleared once FRR answers and holds the routes again');
  assert.equal(logs.filter((l) => l.event === 'frr-fault-cleared').length, 3);
  assert.equal(frr.applied.length, applied, 'nothing applied because of them');
});
