/**
 * The agent as the API sees it (agent-adapter.ts), on the fake FRR: a held raise publishes its
 * deadline (damp()'s nextCheckAt) and each server the AS its path arrived with; a drain FRR does not
 * carry reaches a gRPC client as E_FRR_DRAIN_PENDING, with the drain saved.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import { fileDrainStore } from '../../src/agent/drain-store.js';
import { agentApi } from '../../src/api/agent-adapter.js';
import { connectAgent } from '../../src/api/client.js';
import { parseListen } from '../../src/api/listen.js';
import { startApiServer } from '../../src/api/server.js';
import { BallastError } from '../../src/util/errors.js';
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

test('over gRPC: a drain whose write fails answers E_FRR_DRAIN_PENDING (not "drained") and is saved', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-adapter-'));
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  const agent = new Agent(parseAgentConfig(ONE_PREFIX_YAML, 'agent.yaml'), { frr: frr.run, logger: pino({ level: 'silent' }), drainStore: fileDrainStore(join(dir, 'state.json')) });
  await agent.start();
  const server = await startApiServer(agentApi(agent, { dryRun: false }), parseListen(`unix://${join(dir, 'agent.sock')}`));
  const client = connectAgent(`unix://${join(dir, 'agent.sock')}`);
  try {
    frr.failure = 'configure';
    await assert.rejects(client.drain('s12', 'disk swap'), (e: unknown) => e instanceof BallastError && e.code === 'E_FRR_DRAIN_PENDING' && /answered: Drain of s12 is saved in the state file but FRR does not carry it yet/.test(e.message));
    assert.equal(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).servers.s12.reason, 'disk swap');
    assert.equal((await client.getState()).prefixes[0]!.servers.find((s) => s.name === 's12')?.drainReason, 'disk swap', 'GetState shows the saved drain');
  } finally {
    client.close();
    await server.close();
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
