import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentConfig, type AgentReloadable } from '../../src/agent/config.js';
import { observePrefix, peerIndex } from '../../src/agent/observation.js';
import { EMPTY_PREFIX_STATE, evaluate, type PrefixState } from '../../src/agent/step.js';
import { parseBgpPrefix } from '../../src/frr/bgp-prefix.js';
import { parseRunningConfig } from '../../src/frr/running-config.js';
import { GOOD } from './config-fixture.js';
import { FakeFrr } from './fake-frr.js';
import { routeWith } from './recorded.js';
import { readFileSync } from 'node:fs';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const running = parseRunningConfig(new FakeFrr(base).runningConfig());

function setup(yaml = GOOD) {
  const cfg = parseAgentConfig(yaml, 'agent.yaml').reloadable;
  const peers = peerIndex(cfg, 'SPINE', running.bgp);
  const prefix = cfg.prefixes[0]!;
  const step = (servers: string[], prev: PrefixState, now: number, lb = true) => evaluate(cfg, observePrefix(cfg, peers, prefix, parseBgpPrefix(JSON.parse(routeWith(servers, { lb })))), prev, now);
  return { cfg, step };
}

test('servers are recognised by peer-group; the path back through the spine never counts', () => {
  const { step } = setup();
  const r = step([], EMPTY_PREFIX_STATE, 0);
  assert.deepEqual(r.record.healthyServers, []);
  assert.equal(r.record.new.kind, 'withdraw');
  assert.equal(r.record.reason, 'no-healthy-servers');
});

test('by AS too: only paths made of the server AS alone', () => {
  const { step } = setup(GOOD.replace('{ peer-group: SERVERS }', '{ asn: 65300 }'));
  assert.deepEqual(step(['s11', 's13'], EMPTY_PREFIX_STATE, 0).record.healthyServers, ['s11', 'big']);
  assert.deepEqual(step([], EMPTY_PREFIX_STATE, 0).record.healthyServers, []);
});

test('full health with matching server link-bandwidth: FRR carries the cumulative value itself', () => {
  const { step } = setup();
  const r = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0);
  assert.deepEqual(r.record.new, { kind: 'advertise', bandwidthMbps: 4000, prepend: 0 });
  assert.equal(r.record.render, 'cumulative');
  assert.equal(r.state.entry?.bandwidth, 'cumulative');
});

test('without link-bandwidth on the server paths the value is explicit', () => {
  const { step } = setup();
  const r = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0, false);
  assert.equal(r.state.entry?.bandwidth, 4000);
  assert.equal(r.record.render, 'explicit');
});

test('a cut applies at once and pins an explicit value; the raise waits for the hold-down', () => {
  const { step } = setup();
  const s0 = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0).state;
  const cut = step(['s11', 's12'], s0, 5000);
  assert.equal(cut.record.changed, true);
  assert.equal(cut.state.entry?.bandwidth, 2000);
  const held = step(['s11', 's12', 's13'], cut.state, 6000);
  assert.equal(held.record.hold, 'hold-down');
  assert.equal(held.state.entry?.bandwidth, 2000, 'still pinned: FRR must not raise by itself');
  assert.equal(held.nextCheckAt, 9000);
  const raised = step(['s11', 's12', 's13'], held.state, 9000);
  assert.equal(raised.record.changed, true);
  assert.equal(raised.state.entry?.bandwidth, 'cumulative');
});

test('withdrawn: the entry is kept as it was, and a returning server is valued at once', () => {
  const { step } = setup();
  const s0 = step(['s13'], EMPTY_PREFIX_STATE, 0).state;
  const gone = step([], s0, 2000);
  assert.equal(gone.record.new.kind, 'withdraw');
  assert.deepEqual(gone.state.entry, s0.entry);
  assert.equal(gone.record.render, 'kept');
  const back = step(['s11'], gone.state, 2100);
  assert.equal(back.record.hold, 'none');
  assert.deepEqual(back.record.new, { kind: 'advertise', bandwidthMbps: 1000, prepend: 0 });
});

test('prepend mode: under the threshold the leaf prepends, and returns after the hold-down', () => {
  const yaml = GOOD.replace('mode: link-bandwidth', 'mode: link-bandwidth+prepend\n  prepend: { below-fraction: 0.5, length: 2 }');
  const { step } = setup(yaml);
  const s0 = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0).state;
  const low = step(['s11'], s0, 5000);
  assert.deepEqual(low.record.new, { kind: 'advertise', bandwidthMbps: 1000, prepend: 2 });
  assert.equal(low.record.reason, 'below-threshold');
  assert.equal(low.state.entry?.prepend, 2);
  const held = step(['s11', 's13'], low.state, 6000);
  assert.equal(held.state.entry?.prepend, 2);
  const back = step(['s11', 's13'], held.state, 9000);
  assert.deepEqual(back.record.new, { kind: 'advertise', bandwidthMbps: 3000, prepend: 0 });
});

test('a cut FRR already made by itself (cumulative) is recorded at once, even within the minimum interval', () => {
  const { step } = setup();
  const s0 = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0).state;
  const cut = step(['s11', 's12'], s0, 100);
  assert.equal(cut.record.hold, 'none');
  assert.equal(cut.state.entry?.bandwidth, 2000, 'pinned at what FRR already advertises, never back up to 4000');
  const explicitCut = step(['s11'], cut.state, 200);
  assert.equal(explicitCut.record.hold, 'min-interval', 'an explicit value is damped as usual');
  assert.equal(explicitCut.state.entry?.bandwidth, 2000);
});
