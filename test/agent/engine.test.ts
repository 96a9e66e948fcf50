/**
 * The agent's engine on a fake vtysh (test/agent/fake-frr.ts) that serves recorded FRR JSON and keeps
 * the owned configuration: start, adopt without a flap, cut and held raise, drift restore, FRR
 * failures, ownership refusal and dry run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pino } from 'pino';
import { Agent, type AgentIo } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import { BallastError } from '../../src/util/errors.js';
import { ONE_PREFIX, ONE_PREFIX_YAML } from './config-fixture.js';
import { FakeFrr } from './fake-frr.js';
import { routeWith } from './recorded.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const YAML = ONE_PREFIX_YAML;
const P = ONE_PREFIX;

function harness(frr = new FakeFrr(base), extra: Partial<AgentIo> = {}) {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => logs.push(JSON.parse(s) as Record<string, unknown>) });
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const agent = new Agent(parseAgentConfig(YAML, 'agent.yaml'), { frr: frr.run, logger, now: () => now, ...extra });
  return { frr, agent, logs, clock };
}

test('start from nothing: one apply, verified; a restart adopts it and changes nothing', async () => {
  const { frr, agent, logs } = harness();
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.start();
  await agent.stop();
  assert.equal(frr.applied.length, 1);
  assert.ok(logs.some((l) => l.event === 'applied'));
  const decision = logs.find((l) => l.event === 'decision')!;
  assert.deepEqual(
    { prefix: decision.prefix, healthyServers: decision.healthyServers, liveCapacity: decision.liveCapacity, new: decision.new, reason: decision.reason },
    { prefix: P, healthyServers: ['s11', 's12', 'big'], liveCapacity: 40, new: 'lb 4000 Mbps', reason: 'live-capacity' },
  );

  const again = harness(frr);
  await again.agent.start();
  await again.agent.stop();
  assert.equal(frr.applied.length, 1, 'restart: nothing applied, no flap');
  assert.ok(again.logs.some((l) => l.event === 'adopted' && l.slot === 'A'));
});

test('stop releases every hold (nobody would let a held server in otherwise); a restart adopts FRR as it is', async () => {
  const { frr, agent, clock } = harness();
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.start();
  frr.routes.set(P, routeWith(['s11']));
  clock.advance(2000);
  agent.routeChanged(P);
  await agent.idle();
  assert.equal(frr.applied.length, 2);
  assert.ok(frr.applied[1]!.includes('set local-preference 50'), 'the absent s12 and s13 are pre-marked held');
  assert.ok(!frr.applied[1]!.some((c) => /route-map BALLAST-[AB] out/.test(c)), 'the cut itself was FRR\'s: outbound untouched');
  frr.routes.set(P, routeWith(['s11'], { held: ['s12'] }));
  agent.routeChanged(P);
  await agent.idle();
  await agent.stop();
  assert.equal(frr.applied.length, 3);
  assert.ok(!frr.runningConfig().includes('set local-preference'), 'no hold left behind');
  assert.deepEqual(frr.clears, ['clear bgp ipv4 unicast s12 soft in'], 'the waiting s12 is re-evaluated');

  frr.routes.set(P, routeWith(['s11', 's12']));
  const again = harness(frr);
  await again.agent.start();
  assert.equal(frr.applied.length, 4, 'restart: only the pre-marked hold of the absent s13');
  assert.ok(frr.applied[3]!.every((c) => !/route-map BALLAST-[AB] /.test(c)), 'outbound left as it was: no flap');
  await again.agent.stop();
});

test('cut at once, raise after the hold-down: holds added, then released with a soft in', async () => {
  const { frr, agent, clock, logs } = harness();
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.start();
  frr.routes.set(P, routeWith(['s11']));
  clock.advance(2000);
  agent.routeChanged(P);
  await agent.idle();
  assert.equal(frr.applied.length, 2);
  frr.routes.set(P, routeWith(['s11'], { held: ['s12', 's13'] }));
  clock.advance(1000);
  agent.routeChanged(P);
  await agent.idle();
  assert.equal(frr.applied.length, 2, 'raise held');
  clock.advance(3000);
  await agent.resyncNow();
  assert.equal(frr.applied.length, 3);
  assert.deepEqual(frr.clears, ['clear bgp ipv4 unicast s12 soft in', 'clear bgp ipv4 unicast s13 soft in']);
  await agent.stop();
  assert.deepEqual(
    logs.filter((l) => l.event === 'decision').map((l) => [l.old, l.new, l.hold]),
    [
      [null, 'lb 4000 Mbps', 'none'],
      ['lb 4000 Mbps', 'lb 1000 Mbps', 'none'],
      ['lb 1000 Mbps', 'lb 1000 Mbps', 'hold-down'],
      ['lb 1000 Mbps', 'lb 4000 Mbps', 'none'],
    ],
  );
});

test('drift: an entry deleted by hand is restored and counted; unrelated config is untouched', async () => {
  const { frr, agent, logs } = harness();
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.start();
  const seq = [...frr.routeMaps.get('BALLAST-A')!.keys()][0]!;
  await frr.run(['configure terminal', `no route-map BALLAST-A permit ${seq}`]);
  await agent.reconcileNow();
  await agent.reconcileNow();
  await agent.stop();
  assert.equal(agent.counters.drift, 1);
  assert.ok(logs.some((l) => l.event === 'drift'));
  assert.equal(frr.applied.length, 3);
  for (const cmds of [frr.applied[0]!, frr.applied[2]!]) {
    for (const c of cmds) assert.match(c, /^(configure terminal|end|exit|exit-address-family|router bgp 65201|address-family ipv[46] unicast|neighbor SPINE route-map BALLAST-[AB] out|neighbor s1[123] route-map BALLAST-IN-s1[123] in|(no )?route-map BALLAST-(A|B|IN-s1[123])( permit \d+)?|set local-preference 50|(no )?ipv?6? ?prefix-list BALLAST-.*|match .*BALLAST-.*|set extcommunity bandwidth \S+)$/);
  }
});

test('vtysh failing or printing garbage: nothing changes, errors are counted, the agent recovers', async () => {
  const { frr, agent, logs } = harness();
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.start();
  const before = agent.snapshot().get(P);
  for (const failure of ['throw', 'garbage'] as const) {
    frr.failure = failure;
    frr.routes.set(P, routeWith([]));
    agent.routeChanged(P);
    await agent.idle();
    assert.equal(agent.snapshot().get(P), before, `${failure}: state kept`);
  }
  assert.equal(agent.counters.frrErrors, 2);
  assert.equal(logs.filter((l) => l.event === 'frr-error').length, 2);
  frr.failure = null;
  frr.routes.set(P, routeWith(['s11', 's12'], { lb: false }));
  await agent.resyncNow();
  assert.equal(agent.snapshot().get(P)?.entry?.bandwidth, 2000);
  assert.equal(frr.applied.length, 2);
  await agent.stop();
});

test('a route-map of the operator on the spine peer-group is never replaced silently', async () => {
  const frr = new FakeFrr(base);
  await frr.run(['configure terminal', 'router bgp 65201', 'address-family ipv4 unicast', 'neighbor SPINE route-map TO_SPINE out']);
  const { agent } = harness(frr);
  await assert.rejects(agent.start(), (e: unknown) => e instanceof BallastError && e.code === 'E_AGENT_OWNERSHIP' && /chain-route-map/.test(e.message));
  assert.equal(frr.applied.length, 1);
});

test('dry run prints the commands once and changes nothing', async () => {
  const printed: (readonly string[])[] = [];
  const { frr, agent } = harness(undefined, { dryRun: (c) => printed.push(c) });
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.start();
  await agent.resyncNow();
  await agent.reconcileNow();
  await agent.stop();
  assert.equal(printed.length, 1);
  assert.equal(frr.applied.length, 0);
  assert.equal(agent.counters.drift, 0);
});

test('reload: a new prefix and capacity apply at once; static changes are refused and logged', async () => {
  const { frr, agent, logs } = harness();
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.start();
  const next = parseAgentConfig(
    YAML.replace(`prefixes: [${P}]`, `prefixes: [${P}, 198.51.100.2/32]`)
      .replace('capacity: 20, prefixes: [198.51.100.1/32]', 'capacity: 40, prefixes: [198.51.100.1/32]')
      .replace('asn: 65201', 'asn: 65299'),
    'agent.yaml',
  );
  await agent.reload(next);
  await agent.stop();
  assert.ok(logs.some((l) => l.event === 'reload-static-ignored' && JSON.stringify(l.settings) === '["asn"]'));
  assert.deepEqual([...agent.snapshot().keys()].sort(), [P, '198.51.100.2/32']);
  // s13 now counts 40: 10 + 10 + 40 = 60 units. Its path still carries 2000 Mbps, so FRR's sum is
  // not the decision any more: the value is written explicitly, at once (a reload is not a server returning).
  assert.equal(agent.snapshot().get(P)?.entry?.bandwidth, 6000);
  assert.ok(logs.some((l) => l.event === 'decision' && l.prefix === P && l.new === 'lb 6000 Mbps'));
  assert.equal(agent.snapshot().get('198.51.100.2/32')?.damping?.current.kind, 'withdraw');
  const last = frr.applied.at(-1)!;
  assert.ok(last.includes('router bgp 65201'), 'the running ASN stays until a restart');
  assert.ok(last.includes('set extcommunity bandwidth 6000'));
  assert.ok(last.some((c) => c.includes('permit 198.51.100.2/32')), 'the new prefix joins a prefix-list');
});
