import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAgentConfig } from '../../src/agent/config.js';
import { observePrefix, neighborIndex } from '../../src/agent/observation.js';
import { EMPTY_PREFIX_STATE, evaluate, WITHDRAW_PREPEND, type PrefixState } from '../../src/agent/step.js';
import { parseBgpPrefix } from '../../src/frr/bgp-prefix.js';
import { parseRunningConfig } from '../../src/frr/running-config.js';
import { GOOD } from './config-fixture.js';
import { FakeFrr } from './fake-frr.js';
import { routeWith } from './recorded.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const running = parseRunningConfig(new FakeFrr(base).runningConfig());

function setup(yaml = GOOD) {
  const cfg = parseAgentConfig(yaml, 'agent.yaml').reloadable;
  const neighbors = neighborIndex(cfg, 'SPINE', running.bgp);
  const prefix = cfg.prefixes[0]!;
  const step = (servers: string[], prev: PrefixState, now: number, opts: { lb?: boolean; held?: string[] } = {}) =>
    evaluate(cfg, observePrefix(cfg, neighbors, prefix, parseBgpPrefix(JSON.parse(routeWith(servers, opts)))), prev, now);
  return { cfg, step };
}

test('servers are recognised by peer-group; the path back through the spine never counts', () => {
  const { step } = setup();
  const r = step([], EMPTY_PREFIX_STATE, 0);
  assert.deepEqual(r.record.healthyServers, []);
  assert.equal(r.record.new.kind, 'withdraw');
  assert.equal(r.record.reason, 'no-healthy-servers');
  assert.equal(r.state.held.size, 0, 'nothing is held while the leaf has no server');
});

test('by AS too: only paths made of the server AS alone', () => {
  const { step } = setup(GOOD.replace('{ peer-group: SERVERS }', '{ asn: 65300 }'));
  assert.deepEqual(step(['s11', 's13'], EMPTY_PREFIX_STATE, 0).record.healthyServers, ['s11', 'big']);
  assert.deepEqual(step([], EMPTY_PREFIX_STATE, 0).record.healthyServers, []);
});

test('server paths carrying their capacity: FRR carries the value itself (cumulative)', () => {
  const { step } = setup();
  const r = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0);
  assert.deepEqual(r.record.new, { kind: 'advertise', bandwidthMbps: 4000, prepend: 0 });
  assert.equal(r.state.entry?.bandwidth, 'cumulative');
  const without = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0, { lb: false });
  assert.equal(without.state.entry?.bandwidth, 4000, 'no link-bandwidth on the server paths: explicit');
});

test('a cut is FRR\'s own and recorded at once; the absent server is pre-marked held', () => {
  const { step } = setup();
  const s0 = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0).state;
  const cut = step(['s11', 's12'], s0, 100);
  assert.deepEqual(cut.record.new, { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 });
  assert.equal(cut.record.hold, 'none', 'within the minimum interval too: FRR has already cut');
  assert.equal(cut.state.entry?.bandwidth, 'cumulative', 'no pin: the next failure is FRR\'s own as well');
  assert.deepEqual([...cut.state.held], ['s13']);
  const again = step(['s11'], cut.state, 200);
  assert.equal(again.state.entry?.bandwidth, 'cumulative');
  assert.deepEqual([...again.state.held].sort(), ['s12', 's13']);
});

test('a returning server waits outside the multipath set for the hold-down, then is let in', () => {
  const { step } = setup();
  const s0 = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0).state;
  const cut = step(['s11', 's12'], s0, 5000).state;
  const back = step(['s11', 's12'], cut, 6000, { held: ['s13'] });
  assert.equal(back.record.hold, 'hold-down');
  assert.deepEqual(back.record.target, { kind: 'advertise', bandwidthMbps: 4000, prepend: 0 });
  assert.deepEqual(back.record.new, { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 });
  assert.deepEqual(back.record.heldServers, ['big']);
  assert.deepEqual(back.released, []);
  assert.equal(back.state.nextCheckAt, 9000);
  const released = step(['s11', 's12'], back.state, 9000, { held: ['s13'] });
  assert.deepEqual(released.released, ['s13']);
  assert.deepEqual(released.record.new, { kind: 'advertise', bandwidthMbps: 4000, prepend: 0 });
  assert.equal(released.state.held.size, 0);
  assert.equal(released.state.entry?.bandwidth, 'cumulative');
});

test('withdrawn: the entry is kept, nobody is held, a returning server is in at once', () => {
  const { step } = setup();
  const s0 = step(['s13'], EMPTY_PREFIX_STATE, 0).state;
  const gone = step([], s0, 2000);
  assert.equal(gone.record.new.kind, 'withdraw');
  assert.deepEqual(gone.state.entry, s0.entry);
  assert.equal(gone.state.held.size, 0);
  const back = step(['s11'], gone.state, 2100);
  assert.deepEqual(back.record.new, { kind: 'advertise', bandwidthMbps: 1000, prepend: 0 });
  // ...and a server held when the last admitted one left is let in at once, too.
  const s1 = step(['s11'], EMPTY_PREFIX_STATE, 0).state;
  assert.ok(s1.held.has('s13'));
  const onlyHeld = step([], s1, 100, { held: ['s13'] });
  assert.deepEqual(onlyHeld.released, ['s13']);
  assert.deepEqual(onlyHeld.record.new, { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 });
});

test('a held server that got in before its hold landed is simply in', () => {
  const { step } = setup();
  const s1 = step(['s11', 's12'], EMPTY_PREFIX_STATE, 0).state;
  assert.ok(s1.held.has('s13'));
  const raced = step(['s11', 's12', 's13'], s1, 100);
  assert.equal(raced.state.held.size, 0);
  assert.deepEqual(raced.record.new, { kind: 'advertise', bandwidthMbps: 4000, prepend: 0 });
});

test('prepend mode: under the threshold the leaf prepends, and returns after the hold-down', () => {
  const yaml = GOOD.replace('mode: link-bandwidth', 'mode: link-bandwidth+prepend\n  prepend: { below-fraction: 0.5, length: 2 }');
  const { step } = setup(yaml);
  const s0 = step(['s11', 's12', 's13'], EMPTY_PREFIX_STATE, 0).state;
  const low = step(['s11'], s0, 5000);
  assert.deepEqual(low.record.new, { kind: 'advertise', bandwidthMbps: 1000, prepend: 2 });
  assert.equal(low.record.reason, 'below-threshold');
  assert.equal(low.state.entry?.prepend, 2);
  const held = step(['s11'], low.state, 6000, { held: ['s13'] });
  assert.equal(held.state.entry?.prepend, 2);
  const back = step(['s11'], held.state, 9000, { held: ['s13'] });
  assert.deepEqual(back.record.new, { kind: 'advertise', bandwidthMbps: 3000, prepend: 0 });
  assert.deepEqual(back.released, ['s13']);
  assert.equal(back.state.entry?.prepend, 0);
});

test('a leaf drained whole while its server paths stay: prepended away from the spines, kept so, undone on undrain', () => {
  const { cfg } = setup();
  const neighbors = neighborIndex(cfg, 'SPINE', running.bgp);
  const prefix = cfg.prefixes[0]!;
  const obs = (servers: string[], held: string[]) => observePrefix(cfg, neighbors, prefix, parseBgpPrefix(JSON.parse(routeWith(servers, { held }))));
  const all = ['s11', 's12', 's13'];
  const s0 = evaluate(cfg, obs(all, []), EMPTY_PREFIX_STATE, 0).state;
  // Drained: each path is held (local-preference 50) and may stay the leaf's best when the spines send nothing back.
  const drained = new Set(all);
  const d = evaluate(cfg, obs([], all), s0, 1000, drained);
  assert.equal(d.record.new.kind, 'withdraw');
  assert.equal(d.record.render, 'prepended');
  assert.equal(d.state.entry?.prepend, WITHDRAW_PREPEND, 'the leaf leaves the spines\' multipath set and best');
  const again = evaluate(cfg, obs([], all), d.state, 2000, drained);
  assert.equal(again.state.entry?.prepend, WITHDRAW_PREPEND, 'kept while withdrawn');
  // Every server gone (no path at all): FRR withdraws by itself, the entry is left as it was.
  const gone = evaluate(cfg, obs([], []), s0, 1000);
  assert.equal(gone.record.render, 'kept');
  assert.equal(gone.state.entry?.prepend, 0);
  // Undrained and admitted again: advertised with no prepend.
  const back = evaluate(cfg, obs(all, []), again.state, 60_000);
  assert.equal(back.record.new.kind, 'advertise');
  assert.equal(back.state.entry?.prepend, 0);
});
