// ballast verify's core on scripted states: three leaves of lab-421 (4, 2, 1 servers at 10 units,
// 100 Mbps per unit) and two observed spines. Equal weights pass; a spine that ignores
// link-bandwidth is a finding with its cause and a difference; the FRR version picks the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdvertisementKind, GetStateResponse } from '../../src/gen/ballast/v1/agent.js';
import { modelForFrrVersion } from '../../src/verify/frr-model.js';
import { renderVerification, transitions } from '../../src/verify/render.js';
import { verifyFabric, type VerifyOptions } from '../../src/verify/verify.js';
import { makeStyle } from '../../src/util/style.js';

const P = '198.51.100.1/32';
const policy = { mode: 'link-bandwidth', weightServers: true, prependBelowFraction: 0, prependBelowServers: 0, prependLength: 2, holdDownSeconds: 10, minIntervalSeconds: 1, minChangeFraction: 0 };

function leaf(name: string, asn: number, healthy: number, total: number, hold = 'none') {
  const servers = Array.from({ length: total }, (_, i) => ({ name: `${name}-s${i}`, peer: `s${i}`, capacity: 10, healthy: i < healthy, drained: false, drainReason: '', asn: 65300 }));
  return GetStateResponse.fromPartial({
    role: 'agent', leaf: name, node: name, asn, mbpsPerUnit: 100, spines: ['spine1', 'spine2'], policy,
    prefixes: [{ prefix: P, healthyServers: healthy, configuredServers: total, liveCapacity: healthy * 10, configuredCapacity: total * 10, current: { kind: AdvertisementKind.ADVERTISEMENT_KIND_ADVERTISE, bandwidthMbps: healthy * 1000, prepend: 0 }, damping: { hold }, servers }],
  });
}

function spine(name: string, weights: Record<string, number>, opts: { version?: string; bestpath?: string; bw?: Record<string, number> } = {}) {
  const bw = opts.bw ?? { leaf1: 4000, leaf2: 2000, leaf3: 1000 };
  return GetStateResponse.fromPartial({
    role: 'observer', node: name, asn: 65100, frrVersion: opts.version ?? '8.4.4', bestpathBandwidth: opts.bestpath ?? 'default',
    prefixes: [{ prefix: P, installed: Object.entries(weights).map(([peer, w]) => ({ peer, interface: peer, via: 'fe80::1', weight: w, kernelWeight: w, ...(bw[peer] === undefined ? {} : { bandwidthBytesPerSecond: bw[peer]! * 125000 }) })), received: Object.keys(weights).map((peer) => ({ peer, asPath: [65200, 65300], multipath: true, ...(bw[peer] === undefined ? {} : { bandwidthBytesPerSecond: bw[peer]! * 125000 }) })) }],
  });
}

const opts: VerifyOptions = { spineWeights: null, missingBandwidth: 'ecmp-fallback', tolerance: 0 };
const leaves = [leaf('leaf1', 65201, 4, 4), leaf('leaf2', 65202, 2, 2), leaf('leaf3', 65203, 1, 1)];
const good = { leaf1: 57, leaf2: 28, leaf3: 14 };

test('the spines hold the predicted frr8 weights: equal', () => {
  const v = verifyFabric([...leaves, spine('spine1', good), spine('spine2', good)], opts);
  assert.equal(v.equal, true);
  assert.deepEqual(v.checks.map((c) => [c.router, c.model, Object.fromEntries(c.predicted)]), [['spine1', 'frr8', good], ['spine2', 'frr8', good]]);
  assert.deepEqual(v.findings, []);
});

test('a spine with bgp bestpath bandwidth ignore: a finding and a difference naming spine and prefix', () => {
  const v = verifyFabric([...leaves, spine('spine1', { leaf1: 1, leaf2: 1, leaf3: 1 }, { bestpath: 'ignore' }), spine('spine2', good)], opts);
  assert.equal(v.equal, false);
  assert.deepEqual(v.findings.map((f) => [f.router, f.cause]), [['spine1', 'bestpath-bandwidth-ignore']]);
  const bad = v.checks.filter((c) => !c.equal);
  assert.deepEqual(bad.map((c) => [c.prefix, c.router]), [[P, 'spine1']]);
  assert.match(bad[0]!.causes[0]!, /spine1 is configured `bgp bestpath bandwidth ignore`/);
  const text = renderVerification(v, makeStyle({ isTTY: false }, {}));
  assert.match(text, /198\.51\.100\.1\/32 on spine1:\n  leaf1: predicted 57, installed 1, received 4000 Mbps/);
  assert.deepEqual(transitions(null, v, new Date(0)).length, 2);
});

test('the prediction is the intended one: a fabric told to skip-missing flags a spine on the default', () => {
  const v = verifyFabric([...leaves, spine('spine1', good), spine('spine2', good)], { ...opts, missingBandwidth: 'skip-missing' });
  assert.deepEqual(v.findings.map((f) => [f.router, f.cause]), [['spine1', 'bestpath-bandwidth-default'], ['spine2', 'bestpath-bandwidth-default']]);
  assert.equal(v.equal, true, 'all paths carry a value: the weights agree, the finding stays');
});

test('each spine weighs by its own FRR version; a missing value and a missing observer are explained', () => {
  const v = verifyFabric([...leaves, spine('spine1', { leaf1: 255, leaf2: 127, leaf3: 63 }, { version: '10.0.3' }), spine('spine2', { leaf1: 1, leaf2: 1, leaf3: 1 }, { bw: { leaf1: 4000, leaf2: 2000 } })], opts);
  const [s1, s2] = v.checks;
  assert.equal(s1!.model, 'frr10');
  assert.equal(s1!.equal, true);
  assert.equal(s2!.equal, false);
  assert.deepEqual(s2!.causes, ['spine2 receives no link-bandwidth on the path from leaf3']);
  const only = verifyFabric([...leaves, spine('spine1', good)], opts);
  assert.deepEqual(only.findings.map((f) => [f.router, f.cause]), [['spine2', 'no-observer']]);
  assert.equal(only.checks.length, 1);
});

test('damping in progress marks the prefix as settling; the version table', () => {
  const v = verifyFabric([leaf('leaf1', 65201, 3, 4, 'hold-down'), leaves[1]!, leaves[2]!, spine('spine1', good), spine('spine2', good)], opts);
  assert.ok(v.checks.every((c) => c.settling));
  assert.deepEqual(['7.3', '8.4.4', '9.1', '10.0.3', '10.3', '10.6.0', 'x'].map((x) => modelForFrrVersion(x).model), [null, 'frr8', 'frr8', 'frr10', 'frr10-254', 'frr10', null]);
  assert.throws(() => verifyFabric(leaves, opts), /without an observer/);
  assert.throws(() => verifyFabric([spine('spine1', good)], opts), /without a leaf/);
});
