// The periodic resync reads its prefixes in slices of `intervals.resync-batch` (default 50): every prefix
// once every ceil(n / batch) resyncs, held prefixes at every held-poll whatever the slice, all of them
// at once when they fit in one batch. An engine run checks the reads the agent really makes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { DEFAULT_RESYNC_BATCH, parseAgentConfig } from '../../src/agent/config.js';
import type { PrefixState } from '../../src/agent/step.js';
import { resyncSlice, tickPrefixes } from '../../src/agent/tick.js';
import { GOOD } from './config-fixture.js';
import { FakeFrr } from './fake-frr.js';
import { routeWith } from './recorded.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}/32`);
const due = (resync: boolean, heldPoll: boolean) => ({ resync, reconcile: resync, heldPoll });

test('resyncSlice: batches in turn, the last one short, every prefix once per round', () => {
  const all = names(7);
  assert.deepEqual([0, 1, 2, 3].map((t) => resyncSlice(all, 3, t)), [all.slice(0, 3), all.slice(3, 6), all.slice(6), all.slice(0, 3)]);
  assert.deepEqual(resyncSlice(all, 7, 5), all, 'all of them when they fit');
  for (const n of [1, 49, 50, 51, 200, 201]) {
    const seen = new Map<string, number>();
    const rounds = Math.ceil(n / DEFAULT_RESYNC_BATCH);
    for (let t = 0; t < rounds; t++) for (const p of resyncSlice(names(n), DEFAULT_RESYNC_BATCH, t)) seen.set(p, (seen.get(p) ?? 0) + 1);
    assert.equal(seen.size, n, `${n} prefixes: all read in ${rounds} resyncs`);
    assert.ok([...seen.values()].every((c) => c === 1), `${n} prefixes: each once`);
  }
});

test('tickPrefixes: held prefixes ride along with the slice; a held-poll alone reads only them', () => {
  const all = names(6);
  const held: PrefixState = { held: new Set(['s11']) } as unknown as PrefixState;
  const free: PrefixState = { held: new Set() } as unknown as PrefixState;
  const states = new Map(all.map((p, i) => [p, i === 5 ? held : free]));
  assert.deepEqual(tickPrefixes(due(true, true), states, all, 2, 0), [all[0], all[1], all[5]]);
  assert.deepEqual(tickPrefixes(due(true, true), states, all, 2, 2), [all[4], all[5]], 'a held prefix in the slice is read once');
  assert.deepEqual(tickPrefixes(due(true, false), states, all, 2, 1), [all[2], all[3]]);
  assert.deepEqual(tickPrefixes(due(false, true), states, all, 2, 1), [all[5]]);
  assert.deepEqual(tickPrefixes(due(false, false), states, all, 2, 1), []);
});

test('the agent: with resync-batch 1 and two prefixes, each resync reads the next one, and both are re-read in turn', async () => {
  const yaml = GOOD.replace('intervals: { resync-seconds: 5, reconcile-seconds: 2 }', 'intervals: { resync-seconds: 0.3, reconcile-seconds: 0.3, held-poll-seconds: 3600, resync-batch: 1 }\nevents: { route-monitor: false }');
  const config = parseAgentConfig(yaml, 'agent.yaml');
  assert.equal(config.reloadable.resyncBatch, 1);
  const frr = new FakeFrr((await import('node:fs')).readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8'));
  for (const p of config.reloadable.prefixes) frr.routes.set(p.text, routeWith(['s11', 's12']));
  const calls: (readonly string[])[] = [];
  const agent = new Agent(config, { frr: (c) => (calls.push(c), frr.run(c)), logger: pino({ level: 'silent' }) });
  await agent.start();
  const from = calls.length;
  await new Promise((r) => setTimeout(r, 1300));
  await agent.stop();
  const read = calls.slice(from).filter((c) => c.includes('show running-config') && c.includes('show bgp summary json')).map((c) => c.filter((x) => / unicast /.test(x)));
  assert.ok(read.length >= 3, `ticks ran: ${JSON.stringify(read)}`);
  for (const r of read) assert.equal(r.length, 1, `one prefix per resync: ${JSON.stringify(read)}`);
  assert.notDeepEqual(read[0], read[1], 'the next resync reads the other prefix');
  assert.deepEqual(read[0], read[2], 'and then the first again');
});

test('resync-batch: default 50, an integer of at least 1', () => {
  assert.equal(parseAgentConfig(GOOD, 'agent.yaml').reloadable.resyncBatch, 50);
  assert.throws(() => parseAgentConfig(GOOD.replace('reconcile-seconds: 2 }', 'reconcile-seconds: 2, resync-batch: 0 }'), 'agent.yaml'), /resync-batch/);
});
