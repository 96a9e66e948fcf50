/**
 * Fuzzing every FRR reply the agent parses, from replies recorded on FRR 8.4 (fixtures/frr/): mutated
 * (truncated, reordered, wrong types, huge), then run through the same path the agent takes. The
 * parsers may reject with E_FRR_PARSE only; what they accept must stay within the agent's invariants
 * (finite, non-negative numbers; FRR's 1-25600 Mbps; commands that touch owned objects only).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseAgentConfig } from '../../src/agent/config.js';
import { serverRoutes } from '../../src/agent/ranges.js';
import { neighborIndex, observePrefix } from '../../src/agent/observation.js';
import { EMPTY_PREFIX_STATE, evaluate } from '../../src/agent/step.js';
import { parsePrefix } from '../../src/fabric/prefix.js';
import { adoptedEntries, adoptedHolds, applyCommands, desiredConfig, differences, extractOwned, layoutFor, type OwnedNames } from '../../src/frr/ballast-route-map.js';
import { parseBgpPrefix, splitJsonStream } from '../../src/frr/bgp-prefix.js';
import { parseBgpSummary } from '../../src/frr/bgp-summary.js';
import { parseMonitorLine } from '../../src/frr/route-monitor.js';
import { parseRunningConfig } from '../../src/frr/running-config.js';
import { parseZebraRoutes } from '../../src/frr/zebra-route.js';
import { findRoute, parseKernelRoutes, weightsByDev } from '../../src/lab/kernel-route.js';
import { BallastError } from '../../src/util/errors.js';
import { GOOD } from '../agent/config-fixture.js';
import { FakeFrr } from '../agent/fake-frr.js';
import { codedRejection, frrParseRejection, fuzz } from './harness.js';
import { mutatedJson, mutatedText } from './mutate.js';

const read = (path: string) => readFileSync(new URL(`../../fixtures/frr/${path}`, import.meta.url), 'utf8');
const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const cfg = parseAgentConfig(GOOD, 'agent.yaml').reloadable;
const running = parseRunningConfig(new FakeFrr(base).runningConfig());
const peers = neighborIndex(cfg, 'SPINE', running.bgp);
const v4 = parsePrefix('198.51.100.1/32');

const prefixReplies = ['agent/leaf-v4-3servers-lb.json', 'agent/leaf-v4-0servers-via-spine.json', 'agent/leaf-v4-missing.json', 'agent/leaf-v6-2servers.json'].map((f) => JSON.parse(read(f)) as unknown);

/** What the agent does with one vtysh answer for one prefix, up to the decision. */
function readPrefix(text: string): void {
  const values = splitJsonStream(text);
  if (values.length !== 1) throw new BallastError('E_FRR_PARSE', `Expected 1 JSON answer, got ${values.length}`);
  const route = parseBgpPrefix(values[0]);
  if (route.prefix !== null && route.prefix !== v4.text) throw new BallastError('E_FRR_PARSE', `Asked for ${v4.text}, FRR answered ${route.prefix}`);
  const obs = observePrefix(cfg, peers, v4, route);
  for (const s of obs.servers) {
    assert.ok(Number.isFinite(s.capacity) && s.capacity >= 0, `capacity ${s.capacity}`);
    assert.ok(s.bandwidthBytes === null || (Number.isFinite(s.bandwidthBytes) && s.bandwidthBytes >= 0), `bandwidth ${s.bandwidthBytes}`);
  }
  const r = evaluate(cfg, obs, EMPTY_PREFIX_STATE, 1_000_000);
  const a = r.record.new;
  if (a.kind === 'advertise' && a.bandwidthMbps !== null) assert.ok(Number.isInteger(a.bandwidthMbps) && a.bandwidthMbps >= 1 && a.bandwidthMbps <= 25600, `advertised ${a.bandwidthMbps} Mbps`);
  assert.ok(Number.isFinite(r.record.liveCapacity) && r.record.liveCapacity >= 0);
}

test('show bgp PREFIX json: mutated recorded replies never crash the read or the decision', { timeout: 120_000 }, (t) => {
  const text = fc.oneof(
    { weight: 4, arbitrary: mutatedJson(prefixReplies) },
    { weight: 1, arbitrary: mutatedText(prefixReplies.map((r) => JSON.stringify(r, null, 2))) },
  );
  const c = fuzz(t, 'frr show-bgp-prefix', text, readPrefix, { isRejection: frrParseRejection });
  assert.ok(c.accepted > 0 && c.rejected > 0, 'both outcomes are reached');
});

test('show bgp summary json: mutated recorded replies never crash', { timeout: 120_000 }, (t) => {
  const replies = ['leaf1-bgp-summary.json', 'spine1-bgp-summary.json', 'srv11-bgp-summary.json'].map((f) => JSON.parse(read(f)) as unknown);
  fuzz(t, 'frr bgp-summary', mutatedJson(replies), (text) => {
    for (const peer of parseBgpSummary(JSON.parse(text))) {
      assert.equal(typeof peer.neighbor, 'string');
      assert.ok(Number.isFinite(peer.prefixesReceived));
    }
  }, { isRejection: frrParseRejection });
});

const names: OwnedNames = { base: 'BALLAST', asn: 65201, spinePeerGroup: 'SPINE', chain: null };
const layout = layoutFor(names, cfg.prefixes, () => 's11,s12');
/** Every command the agent may send: owned objects, the owned bindings, or re-evaluating a server. */
const OWNED = /^(configure terminal|end|exit|exit-address-family|router bgp 65201|address-family ipv(4|6) unicast|(no )?ipv?6? ?prefix-list BALLAST-(g4|g6|v4|v6)-\S+( seq \d+ permit \S+)?|(no )?route-map BALLAST-(A|B|IN-\S+) permit \d+|match ipv?6? ?address prefix-list BALLAST-\S+|set extcommunity bandwidth (\d+|cumulative)|set local-preference 50|set as-path prepend( 65201)+|neighbor (SPINE route-map BALLAST-(A|B) out|s1[123] route-map BALLAST-IN-s1[123] in)|clear bgp ipv(4|6) unicast s1[123] soft in)$/;

test('show running-config: mutated configs (operator and owned parts) give only owned, well-formed commands', { timeout: 120_000 }, (t) => {
  // One recorded from the lab, one with every owned object present (both slots, holds, overrides).
  const frr = new FakeFrr(base);
  const entries = new Map(cfg.prefixes.map((p) => [p.text, { prefix: p, bandwidth: 'cumulative' as const, prepend: 0 }]));
  const view0 = extractOwned(running, names, ['s11', 's12', 's13']);
  const full = desiredConfig(names, layout, entries, new Map([['s12', new Set([v4.text])]]));
  void frr.run(applyCommands(view0, names, full).commands);
  const texts = [read('agent/leaf-running-config.txt'), frr.runningConfig()];
  const desired = desiredConfig(names, layout, new Map(cfg.prefixes.map((p) => [p.text, { prefix: p, bandwidth: 2000, prepend: 2 }])), new Map([['s11', new Set([v4.text])]]));
  fuzz(t, 'frr running-config', mutatedText(texts), (text) => {
    const rc = parseRunningConfig(text);
    const view = extractOwned(rc, names, ['s11', 's12', 's13']);
    adoptedEntries(view, names, layout);
    adoptedHolds(view, names, layout);
    differences(view, names, desired);
    for (const c of applyCommands(view, names, desired).commands) assert.match(c, OWNED);
  }, { isRejection: frrParseRejection });
});

test('ip -ts monitor route: mutated recorded lines and random text never crash', { timeout: 60_000 }, (t) => {
  const lines = [
    '[2026-11-26T03:30:40.343605] 198.51.100.1 nhid 30 proto bgp metric 20 ',
    '[2026-11-26T03:30:40.343605] Deleted 198.51.100.1 nhid 30 proto bgp metric 20 ',
    '\tnexthop via inet6 fe80::e442:33ff:feda:7bfc dev l2 weight 20 ',
    '[2026-11-26T03:30:41.000001] local 198.51.100.1 dev lo table local proto kernel scope host src 198.51.100.1',
  ];
  fuzz(t, 'frr route-monitor', fc.oneof(mutatedText(lines), fc.string({ maxLength: 300 })), (line) => {
    const p = parseMonitorLine(line);
    if (p !== null) assert.match(p, /^[0-9a-f:.]+\/\d+$/);
  }, { isRejection: () => null });
});

test('show bgp RANGE longer-prefixes json: mutated recorded replies never crash the range discovery', { timeout: 60_000 }, (t) => {
  const replies = [JSON.parse(read('observer/leaf1-bgp-longer.json')) as unknown];
  fuzz(t, 'frr bgp-longer-prefixes', mutatedJson(replies), (text) => {
    for (const prefix of serverRoutes(JSON.parse(text))) assert.equal(typeof prefix, 'string');
  }, { isRejection: frrParseRejection });
});

test('show ip route PREFIX json (zebra): mutated recorded replies never crash the observer\'s read', { timeout: 60_000 }, (t) => {
  const replies = ['observer/spine1-zebra-longer.json', 'observer/spine1-zebra-one.json', '10.3/spine-ip-route.json'].map((f) => JSON.parse(read(f)) as unknown);
  fuzz(t, 'frr zebra-route', mutatedJson(replies), (text) => {
    for (const r of parseZebraRoutes(JSON.parse(text))) for (const h of r.nexthops) assert.ok(Number.isFinite(h.weight), `weight ${h.weight}`);
  }, { isRejection: frrParseRejection });
});

test('ip -j route show: mutated recorded dumps never crash the kernel check or the observer', { timeout: 60_000 }, (t) => {
  const dumps = ['observer/spine1-kernel.json', '10.3/spine-kernel-route.json'].map((f) => JSON.parse(read(f)) as unknown);
  fuzz(t, 'ip route', mutatedJson(dumps), (text) => {
    const routes = parseKernelRoutes(JSON.parse(text));
    for (const w of weightsByDev(findRoute(routes, '198.51.100.1/32')).values()) assert.ok(Number.isFinite(w) && w > 0, `weight ${w}`);
  }, { isRejection: codedRejection });
});
