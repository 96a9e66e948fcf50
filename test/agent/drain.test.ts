/**
 * Drains: kept in the state file across restarts, applied as a hold at the leaf's door (the drained
 * server's path re-evaluated with `clear ... soft in`), refused for an unknown server, and a what-if
 * on the live state. On the fake vtysh that serves recorded FRR JSON (test/agent/fake-frr.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import { fileDrainStore } from '../../src/agent/drain-store.js';
import { BallastError } from '../../src/util/errors.js';
import { ONE_PREFIX, ONE_PREFIX_YAML } from './config-fixture.js';
import { FakeFrr } from './fake-frr.js';
import { routeWith } from './recorded.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const YAML = ONE_PREFIX_YAML;
const P = ONE_PREFIX;
const dir = mkdtempSync(join(tmpdir(), 'ballast-drain-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const started: Agent[] = [];
after(async () => {
  // An assertion that fails mid-test must not leave an agent's timers keeping the process alive.
  for (const a of started) await a.stop();
});

function agentOn(frr: FakeFrr, stateFile: string) {
  const logger = pino({ level: 'silent' });
  const agent = new Agent(parseAgentConfig(YAML, 'agent.yaml'), { frr: frr.run, logger, drainStore: fileDrainStore(stateFile) });
  started.push(agent);
  return agent;
}

test('a drained server is held and not counted; the drain survives a restart; undrain lets it back', async () => {
  const state = join(dir, 'state.json');
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  const agent = agentOn(frr, state);
  await agent.start();
  await agent.setDrain('s12', 'disk swap');
  assert.deepEqual(JSON.parse(readFileSync(state, 'utf8')).servers.s12.reason, 'disk swap');
  const last = frr.applied.at(-1)!;
  assert.ok(last.some((c) => c.includes('set local-preference 50')), 'the drained server is held at the door');
  assert.ok(last.some((c) => /^clear bgp ipv4 unicast s12 soft in$/.test(c)), 'its admitted path is re-evaluated so the hold applies');
  assert.deepEqual(agent.latestRecords().get(P)!.healthyServers, ['s11', 'big']);
  const beforeStop = frr.applied.length;
  await agent.stop();
  const onStop = frr.applied.slice(beforeStop).flat();
  assert.ok(!onStop.some((c) => /BALLAST-IN-s12/.test(c)), `stop keeps the drained server's hold: ${onStop.join(' | ')}`);

  // A new agent process reads the drain back.
  const again = agentOn(frr, state);
  await again.start();
  assert.equal(again.drainState.servers.get('s12')?.reason, 'disk swap');
  assert.deepEqual(again.latestRecords().get(P)!.healthyServers, ['s11', 'big']);
  await again.setDrain('s12', null);
  assert.equal(again.drainState.servers.size, 0);
  assert.deepEqual(JSON.parse(readFileSync(state, 'utf8')).servers, {});
  await again.stop();
});

test('an unknown server is refused and nothing is written; a drain that cannot be kept is refused', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  const agent = agentOn(frr, join(dir, 'other.json'));
  await agent.start();
  const applied = frr.applied.length;
  await assert.rejects(agent.setDrain('nope', 'x'), (e: unknown) => e instanceof BallastError && e.code === 'E_API_UNKNOWN_SERVER');
  // A store that cannot keep the drain (a full disk, a read-only /var/lib): the drain is refused.
  const stuck = new Agent(parseAgentConfig(YAML, 'agent.yaml'), {
    frr: frr.run,
    logger: pino({ level: 'silent' }),
    drainStore: { load: () => ({ servers: new Map(), leaf: null }), save: () => { throw new BallastError('E_FILE_WRITE', 'disk full'); } },
  });
  started.push(stuck);
  await stuck.start();
  const before = frr.applied.length;
  await assert.rejects(stuck.setDrain('s11', 'x'), (e: unknown) => e instanceof BallastError && e.code === 'E_FILE_WRITE');
  assert.equal(stuck.drainState.servers.size, 0, 'not half-applied');
  assert.equal(frr.applied.length, before, 'FRR untouched by a refused drain');
  assert.ok(applied <= before);
  await agent.stop();
  await stuck.stop();
});

test('the state file: a path that cannot be read or written is a clear error', () => {
  const blocker = join(dir, 'a-file');
  writeFileSync(blocker, '');
  const store = fileDrainStore(join(blocker, 'state.json'));
  assert.throws(() => store.load(), (e: unknown) => e instanceof BallastError && e.code === 'E_FILE_READ' && /ENOTDIR/.test(e.message));
  assert.throws(() => store.save({ servers: new Map(), leaf: null }), (e: unknown) => e instanceof BallastError && e.code === 'E_FILE_WRITE' && /nothing was changed/.test(e.message));
  writeFileSync(join(dir, 'garbage.json'), 'not json');
  assert.throws(() => fileDrainStore(join(dir, 'garbage.json')).load(), /not JSON/);
});

test('what-if on the live state: the leaf would advertise the capacity left', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(P, routeWith(['s11', 's12', 's13']));
  const agent = agentOn(frr, join(dir, 'wi.json'));
  await agent.start();
  const w = agent.whatIf(['big']).get(P)!;
  assert.deepEqual(w.advertisement, { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 });
  assert.deepEqual(w.healthyServers, ['s11', 's12']);
  assert.equal(agent.whatIf(['s11', 's12', 'big']).get(P)!.advertisement.kind, 'withdraw');
  await agent.stop();
});
