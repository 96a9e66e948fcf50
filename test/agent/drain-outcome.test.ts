/**
 * Drain and Undrain tell the truth about FRR: on the fake vtysh, a write that fails, a vtysh that
 * times out and a write put off by the apply back-off answer E_FRR_DRAIN_PENDING, while the drain is
 * kept in the state file and a later successful apply carries it to FRR.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import { fileDrainStore } from '../../src/agent/drain-store.js';
import { drainNotCarried } from '../../src/agent/drain-outcome.js';
import { BallastError } from '../../src/util/errors.js';
import { ONE_PREFIX, ONE_PREFIX_YAML } from './config-fixture.js';
import { FakeFrr } from './fake-frr.js';
import { routeWith } from './recorded.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'ballast-drain-outcome-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const started: Agent[] = [];
after(async () => {
  for (const a of started) await a.stop();
});

function setup(name: string) {
  const frr = new FakeFrr(base);
  frr.routes.set(ONE_PREFIX, routeWith(['s11', 's12', 's13']));
  const clock = { t: 1_000_000 };
  const stateFile = join(dir, `${name}.json`);
  const agent = new Agent(parseAgentConfig(ONE_PREFIX_YAML, 'agent.yaml'), { frr: frr.run, logger: pino({ level: 'silent' }), now: () => clock.t, drainStore: fileDrainStore(stateFile) });
  started.push(agent);
  return { frr, clock, agent, saved: () => JSON.parse(readFileSync(stateFile, 'utf8')) as { servers: Record<string, { reason: string }> } };
}

const pending = (why: RegExp) => (e: unknown) => e instanceof BallastError && e.code === 'E_FRR_DRAIN_PENDING' && /saved in the state file but FRR does not carry it yet/.test(e.message) && why.test(e.message);
const holds = (frr: FakeFrr) => frr.applied.flat().filter((c) => c.includes('set local-preference 50')).length;

test('a write that fails: the drain answers E_FRR_DRAIN_PENDING, stays saved, is put off by the back-off, then reaches FRR', async () => {
  const { frr, clock, agent, saved } = setup('write-fails');
  await agent.start();
  const before = holds(frr);
  frr.failure = 'configure';
  await assert.rejects(agent.setDrain('s12', 'disk swap'), pending(/Drain of s12 .*FRR call.* failed/));
  assert.equal(saved().servers.s12?.reason, 'disk swap', 'the drain is in the state file');
  assert.equal(agent.drainState.servers.get('s12')?.reason, 'disk swap');
  assert.equal(holds(frr), before, 'FRR does not hold it');
  // vtysh answers again, but the back-off has not run out: the write is put off, and the answer says so.
  frr.failure = null;
  const applies = frr.applied.length;
  await assert.rejects(agent.setDrain('s12', 'disk swap'), pending(/put off by the apply back-off/));
  assert.equal(frr.applied.length, applies, 'nothing written during the back-off');
  // After the back-off, the next tick (a resync) carries the saved drain to FRR.
  clock.t += 60_000;
  await agent.resyncNow();
  assert.ok(holds(frr) > before, 'the drained server is held at the door');
  assert.ok(frr.clears.some((c) => /^clear bgp ipv4 unicast s12 soft in$/.test(c)), frr.clears.join(' | '));
  assert.deepEqual(agent.latestRecords().get(ONE_PREFIX)!.healthyServers, ['s11', 'big']);
  // Success is answered as before: an undrain that FRR carries resolves.
  const next = await agent.setDrain('s12', null);
  assert.equal(next.servers.size, 0);
  assert.deepEqual(saved().servers, {});
});

test('a vtysh that times out: drain and undrain of the whole leaf answer E_FRR_DRAIN_PENDING and stay saved', async () => {
  const { frr, clock, agent } = setup('timeout');
  await agent.start();
  frr.failure = 'throw';
  await assert.rejects(agent.setDrain(null, 'leaf reboot'), pending(/Drain of leaf l1/));
  assert.equal(agent.drainState.leaf?.reason, 'leaf reboot');
  await assert.rejects(agent.setDrain(null, null), pending(/Undrain of leaf l1/));
  assert.equal(agent.drainState.leaf, null);
  frr.failure = null;
  clock.t += 60_000;
  const state = await agent.setDrain('s11', 'fan');
  assert.equal(state.servers.get('s11')?.reason, 'fan', 'answered as success once FRR carries it');
});

test('drainNotCarried: nothing to advertise yet is carried; an unknown view is not', () => {
  const names = { base: 'B', spinePeerGroup: 'SPINES' } as never;
  assert.equal(drainNotCarried({ view: {} as never, names, desired: null, failures: 0, backedOff: false }), null);
  assert.match(drainNotCarried({ view: null, names, desired: null, failures: 0, backedOff: false })!, /unknown/);
  assert.match(drainNotCarried({ view: {} as never, names, desired: null, failures: 2, backedOff: false })!, /2 FRR calls failed/);
});
