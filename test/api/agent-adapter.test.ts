/**
 * The agent as the API sees it (agent-adapter.ts), on the fake FRR: a held raise publishes its
 * deadline (damp()'s nextCheckAt) and each server the AS its path arrived with.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import { agentApi } from '../../src/api/agent-adapter.js';
import { ONE_PREFIX as P, ONE_PREFIX_YAML } from '../agent/config-fixture.js';
import { FakeFrr } from '../agent/fake-frr.js';
import { routeWith } from '../agent/recorded.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');

test('a held raise publishes nextCheckAt; servers publish the AS of their path (0 while unseen)', async () => {
  let now = 1_000_000;
  const frr = new FakeFrr(base);
  const agent = new Agent(parseAgentConfig(ONE_PREFIX_YAML, 'agent.yaml'), { frr: frr.run, logger: pino({ level: 'silent' }), now: () => now });
  const api = agentApi(agent, { dryRun: false });
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  await agent.start();
  try {
    let view = api.state().prefixes[0]!;
    assert.equal(view.nextCheckAt, null, 'nothing held back');
    frr.routes.set(P, routeWith(['s11']));
    now += 2000;
    await agent.resyncNow();
    frr.routes.set(P, routeWith(['s11'], { held: ['s12'] }));
    now += 1000;
    await agent.resyncNow();
    view = api.state().prefixes[0]!;
    assert.equal(view.hold, 'hold-down');
    // hold-down-seconds: 3 from the moment the raise was first wanted.
    assert.equal(view.nextCheckAt, now + 3000);
    assert.equal(view.raiseSince, now);
    const asn = Object.fromEntries(view.servers.map((s) => [s.name, s.asn]));
    assert.deepEqual(asn, { s11: 65300, s12: 65300, big: 0 });
  } finally {
    await agent.stop();
  }
});
