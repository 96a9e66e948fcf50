/**
 * The periodic tick on the fake vtysh (test/agent/fake-frr.ts): the resync and the reconcile that fall
 * due together are one vtysh call (prefixes, session summary, running-config), and the reconcile on
 * that read still restores drift. Each vtysh call is a fork of the agent (bench/agent.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import { readTick } from '../../src/agent/frr-io.js';
import { parsePrefix } from '../../src/fabric/prefix.js';
import { splitJsonThenText } from '../../src/frr/bgp-prefix.js';
import { ONE_PREFIX, ONE_PREFIX_YAML } from './config-fixture.js';
import { FakeFrr } from './fake-frr.js';
import { routeWith } from './recorded.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const YAML = ONE_PREFIX_YAML.replace('intervals: { resync-seconds: 3600, reconcile-seconds: 3600 }', 'intervals: { resync-seconds: 0.4, reconcile-seconds: 0.4, held-poll-seconds: 3600 }');

test('resync and reconcile due together: one vtysh call per tick, and drift is still restored', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(ONE_PREFIX, routeWith(['s11', 's12', 's13']));
  const calls: (readonly string[])[] = [];
  const run: typeof frr.run = (commands) => (calls.push(commands), frr.run(commands));
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
  const agent = new Agent(parseAgentConfig(YAML, 'agent.yaml'), { frr: run, logger });
  after(() => agent.stop());
  await agent.start();
  const from = calls.length;
  await new Promise((r) => setTimeout(r, 1000));
  await agent.idle();
  // Applies (`configure terminal`, then their read-back) may come between; every read of the tick is one call.
  const ticks = calls.slice(from).filter((c) => c.some((x) => x.startsWith('show bgp ')));
  assert.ok(ticks.length >= 2, `ticks ran (${ticks.length} calls)`);
  for (const c of ticks) {
    assert.deepEqual(c, ['show bgp summary json', `show bgp ipv4 unicast ${ONE_PREFIX} json`, 'show running-config'], `one call reads all: ${JSON.stringify(calls.slice(from))}`);
  }
  // Drift: an owned entry deleted by hand comes back at the next tick, from the tick's own read.
  const [name, entries] = [...frr.routeMaps].find(([n]) => /^BALLAST-[AB]$/.test(n))!;
  entries.delete([...entries.keys()][0]!);
  await new Promise((r) => setTimeout(r, 700));
  await agent.stop();
  assert.ok(logs.some((l) => l.event === 'drift'), 'drift noticed');
  assert.ok(frr.routeMaps.get(name)!.size > 0 && logs.some((l) => l.event === 'applied' && l.cause === 'drift'), 'and restored');
});

test('readTick: JSON answers, then the running-config text; a missing answer is E_FRR_PARSE', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(ONE_PREFIX, routeWith(['s11', 's12']));
  const read = await readTick(frr.run, [parsePrefix(ONE_PREFIX)], true);
  assert.equal(read.routes[0]!.prefix, ONE_PREFIX);
  assert.equal(read.routes[0]!.paths.length >= 2, true);
  assert.ok(read.running.bgp !== null, 'running-config parsed from the rest');
  assert.ok(typeof read.summary === 'object');
  assert.throws(() => splitJsonThenText('{"a":1}\nCurrent configuration:\n', 2), { code: 'E_FRR_PARSE' });
  assert.deepEqual(splitJsonThenText('{"a":1} [2]\nCurrent configuration:\n!', 2), { values: [{ a: 1 }, [2]], rest: '\nCurrent configuration:\n!' });
});
