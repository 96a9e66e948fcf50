import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture } from '../../src/fabric/load.js';
import { STRATEGIES } from '../../src/fabric/types.js';
import { indexFabric } from '../../src/forwarding/fabric-index.js';
import { pretty, writeWhatifJson } from '../../src/whatif/report-json.js';
import { resolveFailures, scenarioLiveness } from '../../src/whatif/scenario.js';
import { defaultSelection, parseServerSelection, selectServers, topByUtilization } from '../../src/whatif/select.js';
import { runWhatif, sameServers, whatifHeader, whatifPrefixes, type WhatifOptions } from '../../src/whatif/whatif.js';

const SEVEN = ['server02', 'server03', 'server04', 'server05', 'server06', 'server07', 'server08'];

function options(fixture: string, fail: string[], extra: Partial<WhatifOptions> = {}) {
  const index = indexFabric(loadFixture(fixture));
  const failures = resolveFailures(index, fail);
  return { index, options: { fixture, failures, live: scenarioLiveness(index, failures), strategies: STRATEGIES, ...extra } };
}

test('--servers parses all, top:N and overloaded, and refuses anything else', () => {
  assert.deepEqual(parseServerSelection('all'), { kind: 'all' });
  assert.deepEqual(parseServerSelection('top:5'), { kind: 'top', n: 5 });
  assert.deepEqual(parseServerSelection('overloaded'), { kind: 'overloaded' });
  for (const bad of ['top:0', 'top:', 'top:x', 'some', 'top:-1']) assert.throws(() => parseServerSelection(bad), /Cannot use --servers/);
  assert.deepEqual(defaultSelection(64), { kind: 'all' });
  assert.deepEqual(defaultSelection(65), { kind: 'top', n: 20 });
});

test('topByUtilization: the k highest share per capacity among live servers, ties to the earlier one', () => {
  const share = [0.1, 0.4, 0.4, 0.05, 0.9, 0.3];
  const live = [1, 1, 1, 1, 0, 1];
  const cap = [1, 1, 1, 1, 1, 0.5];
  assert.deepEqual(topByUtilization(share, live, cap, 3), [5, 1, 2]); // 0.6, 0.4, 0.4; server 4 is not live
  assert.deepEqual(topByUtilization(share, live, cap, 1), [5]);
  assert.deepEqual(topByUtilization(share, live, cap, 10), [5, 1, 2, 0, 3]);
});

test('selectServers: the union over strategies, the worst first; overloaded at the offered load', () => {
  const a = { share: [0.5, 0.1, 0.4], live: [1, 1, 1] };
  const b = { share: [0.2, 0.6, 0.2], live: [1, 1, 1] };
  const cap = [1, 1, 1];
  assert.deepEqual(selectServers({ kind: 'top', n: 1 }, [a, b], cap, 1), [1, 0]);
  assert.deepEqual(selectServers({ kind: 'overloaded' }, [a, b], cap, 2), [1]); // 1.2 is over; 1.0 is not
  assert.deepEqual(selectServers({ kind: 'all' }, [a, b], cap, 1), [0, 1, 2]);
});

test('warning.yaml with seven servers down: overloaded lists server01 (ECMP), top:2 the two worst', () => {
  const over = options('fixtures/warning.yaml', SEVEN, { servers: { kind: 'overloaded' } });
  const r = runWhatif(over.index, over.options);
  assert.equal(r.servers, 'overloaded');
  assert.deepEqual(r.prefixes[0]!.strategies.map((s) => s.servers.map((x) => x.name)), [['server01'], ['server01'], ['server01']]);
  assert.equal(r.prefixes[0]!.totalServers, 32);
  const top = options('fixtures/warning.yaml', SEVEN, { servers: { kind: 'top', n: 2 } });
  const t = runWhatif(top.index, top.options).prefixes[0]!.strategies[2]!;
  assert.equal(t.servers[0]!.name, 'server01');
  // Leaf aggregates stay complete whatever servers are listed.
  const leaf01 = t.leaves[0]!;
  assert.deepEqual([leaf01.liveServers, leaf01.configuredServers, leaf01.liveCapacity], [1, 8, 10]);
  assert.ok(Math.abs(leaf01.maxUtilization - 0.4) < 1e-12);
  assert.ok(Math.abs(leaf01.load - 4) < 1e-9);
});

test('leafWeight: the kernel weight each leaf installs toward its servers (heterogeneous, ballast)', () => {
  const { index, options: o } = options('fixtures/heterogeneous.yaml', []);
  const b = runWhatif(index, o).prefixes[0]!.strategies.find((s) => s.name === 'ballast')!;
  const behind = b.servers.filter((s) => s.leaf === b.servers[0]!.leaf);
  assert.ok(behind.every((s) => s.leafWeight >= 1));
  const e = runWhatif(index, o).prefixes[0]!.strategies.find((s) => s.name === 'ecmp')!;
  assert.ok(e.servers.every((s) => s.leafWeight === (s.status === 'up' ? 1 : 0)));
});

test('prefixes announced by the same servers share one evaluation, and the report is the same', () => {
  const { index, options: o } = options('fixtures/heterogeneous.yaml', ['server05']);
  const same = sameServers(index);
  assert.equal(same[0], 0);
  assert.notEqual(same[1], 0, 'the IPv6 prefix has its own subset of servers');
  const twice = { ...index, prefixes: [index.prefixes[0]!, index.prefixes[0]!] };
  assert.deepEqual(sameServers(twice), [0, 0]);
  const [a, b] = [...whatifPrefixes(twice, o)];
  assert.deepEqual(a, b);
});

test('the streamed JSON parses to the report runWhatif builds, and rows are one line each', () => {
  const { index, options: o } = options('fixtures/lab-421.yaml', ['leaf1/spine1']);
  const chunks: string[] = [];
  const v = writeWhatifJson((c) => chunks.push(c), whatifHeader(index, o), whatifPrefixes(index, o));
  const text = chunks.join('');
  const parsed = JSON.parse(text);
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(runWhatif(index, o))));
  assert.deepEqual(v, { overloaded: parsed.overloaded, outage: parsed.outage });
  assert.ok(chunks.length >= 3, 'written prefix by prefix');
  assert.match(text, /^ {12}\{"name":"srv11","leaf":"leaf1",.*\},?$/m);
  assert.equal(pretty(Number.POSITIVE_INFINITY, 0), 'null');
  assert.equal(pretty({ a: [1, 2], b: { c: NaN } }, 0), '{\n  "a": [1,2],\n  "b": {\n    "c": null\n  }\n}');
});
