import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateMessage } from '../../src/api/agent-service.js';
import { snapshotFixture } from '../../src/api/snapshot.js';
import { linksDown, renderStatus } from '../../src/api/render.js';
import { makeStyle } from '../../src/util/style.js';
import { parseFixture } from '../../src/fabric/load.js';
import { STRATEGIES } from '../../src/fabric/types.js';
import { indexFabric } from '../../src/forwarding/fabric-index.js';
import { runWhatif } from '../../src/whatif/whatif.js';
import { resolveFailures, scenarioLiveness } from '../../src/whatif/scenario.js';
import { FakeAgent } from './fake-agent.js';

/** Three scripted leaves shaped like lab-421: 4, 2 and 1 servers of capacity 10. */
function leafState(leaf: string, asn: number, servers: string[], unhealthy: string[] = []) {
  const agent = new FakeAgent();
  agent.servers = servers;
  const base = agent.state();
  const p = base.prefixes[0]!;
  return stateMessage({
    ...base,
    leaf,
    asn,
    prefixes: [{ ...p, servers: p.servers.map((s) => ({ ...s, healthy: !unhealthy.includes(s.name) })) }],
  });
}

test('a snapshot of live agents is a fixture the planner loads, and predicts their spines', () => {
  const states = [
    leafState('leaf1', 65201, ['srv11', 'srv12', 'srv13', 'srv14'], ['srv14']),
    leafState('leaf2', 65202, ['srv21', 'srv22']),
    leafState('leaf3', 65203, ['srv31']),
  ];
  const snap = snapshotFixture(states, { spineWeights: 'frr8', missingBandwidth: 'ecmp-fallback', load: new Map([['198.51.100.1/32', 50]]), unit: 'Gbps', name: 'live' });
  assert.deepEqual(snap.warnings, []);
  const fabric = parseFixture(snap.yaml, 'snapshot.yaml');
  assert.deepEqual(fabric.spines.map((s) => s.name), ['spine1', 'spine2']);
  assert.equal(fabric.servers.find((s) => s.name === 'srv14')!.state, 'down');
  assert.equal(fabric.services[0]!.load, 50);
  assert.equal(fabric.policy.mbpsPerUnit, 100);
  const index = indexFabric(fabric);
  const report = runWhatif(index, { fixture: 'snapshot.yaml', failures: [], live: scenarioLiveness(index, []), strategies: STRATEGIES });
  const ballast = report.prefixes[0]!.strategies.find((s) => s.name === 'ballast')!;
  assert.deepEqual(ballast.leaves.map((l) => l.spineWeights[report.spines.indexOf('spine1')]), [50, 33, 16]); // 3000:2000:1000 Mbps
});

test('leaves with different scales are flagged; two agents claiming one leaf are refused', () => {
  const a = leafState('leaf1', 65201, ['srv11']);
  const b = { ...leafState('leaf2', 65202, ['srv21']), mbpsPerUnit: 10 };
  assert.match(snapshotFixture([a, b], { spineWeights: 'frr8', missingBandwidth: 'ecmp-fallback', load: new Map(), unit: 'u', name: 'x' }).warnings[0]!, /not comparable/);
  assert.throws(() => snapshotFixture([a, a], { spineWeights: 'frr8', missingBandwidth: 'ecmp-fallback', load: new Map(), unit: 'u', name: 'x' }), /two agents report leaf "leaf1"/);
});

test("observers give each spine its FRR version, and the prediction follows it; a spine without one is assumed 8.4, said so", () => {
  const leaves = [
    leafState('leaf1', 65201, ['srv11', 'srv12', 'srv13', 'srv14'], ['srv14']),
    leafState('leaf2', 65202, ['srv21', 'srv22']),
    leafState('leaf3', 65203, ['srv31']),
  ];
  const observer = (node: string, frrVersion: string) => ({ ...stateMessage({ ...new FakeAgent().state(), leaf: '', prefixes: [] }), role: 'observer', node, frrVersion });
  const spine1 = (states: Parameters<typeof snapshotFixture>[0], options: Partial<Parameters<typeof snapshotFixture>[1]> = {}) => {
    const snap = snapshotFixture(states, { missingBandwidth: 'ecmp-fallback', load: new Map(), unit: 'Gbps', name: 'live', ...options });
    const index = indexFabric(parseFixture(snap.yaml, 'snapshot.yaml'));
    const report = runWhatif(index, { fixture: 'snapshot.yaml', failures: [], live: scenarioLiveness(index, []), strategies: STRATEGIES });
    const ballast = report.prefixes[0]!.strategies.find((s) => s.name === 'ballast')!;
    return { warnings: snap.warnings, yaml: snap.yaml, weights: ballast.leaves.map((l) => [l.spineWeights[report.spines.indexOf('spine1')], l.spineWeights[report.spines.indexOf('spine2')]]) };
  };
  // 3000:2000:1000 Mbps: FRR 10.3 (Debian's 10.3-3+deb13u1 prints 10.3) scales to 254 of the largest.
  const both = spine1([...leaves, observer('spine1', '10.3'), observer('spine2', '10.3')]);
  assert.deepEqual(both.warnings, []);
  assert.match(both.yaml, /# Spines: FRR 10\.3\./);
  assert.deepEqual(both.weights, [[254, 254], [169, 169], [84, 84]]);
  // A rolling upgrade half-way: each spine by its own version.
  assert.deepEqual(spine1([...leaves, observer('spine1', '10.3'), observer('spine2', '8.4.4')]).weights, [[254, 50], [169, 33], [84, 16]]);
  const unseen = spine1([...leaves, observer('spine1', '10.3')]);
  assert.deepEqual(unseen.weights, [[254, 50], [169, 33], [84, 16]]);
  assert.match(unseen.warnings.join('\n'), /spine spine2: no observer named it, so FRR 8\.4's weights are assumed/);
  assert.deepEqual(spine1(leaves, { spineFrr: '10.3' }).weights, [[254, 254], [169, 169], [84, 84]]);
  // --spine-weights overrides what the observers say.
  assert.deepEqual(spine1([...leaves, observer('spine1', '10.3'), observer('spine2', '10.3')], { spineWeights: 'frr8' }).weights, [[50, 50], [33, 33], [16, 16]]);
});

test('a leaf-spine link down (its BGP session not Established) shows in status and in the snapshot, with the what-if that evaluates it', () => {
  const agent = new FakeAgent();
  agent.servers = ['srv11', 'srv12'];
  const base = agent.state();
  const leaf1 = stateMessage({ ...base, leaf: 'leaf1', asn: 65201, frrFaults: [{ kind: 'spine-session-down', subject: 'spine1', detail: 'state Active', since: 0 }] });
  const leaf2 = leafState('leaf2', 65202, ['srv21']);
  assert.deepEqual(linksDown(leaf1), [{ link: 'leaf1/spine1', detail: 'state Active' }]);
  assert.match(renderStatus('unix:///x', leaf1, makeStyle({ isTTY: false }, {})), /links down: leaf1\/spine1 \(state Active\)/);
  assert.doesNotMatch(renderStatus('unix:///x', leaf2, makeStyle({ isTTY: false }, {})), /links down/);
  const snap = snapshotFixture([leaf1, leaf2], { spineWeights: 'frr8', missingBandwidth: 'ecmp-fallback', load: new Map(), unit: 'Gbps', name: 'live' });
  assert.match(snap.yaml, /^# Links down now \(BGP session not Established\): leaf1\/spine1; whatif FILE --fail leaf1\/spine1$/m);
  assert.deepEqual(snap.warnings, ['link leaf1/spine1 is down (state Active): the snapshot lists it as up; evaluate it with whatif --fail leaf1/spine1']);
  // The named failure is one the what-if takes: spine1 then reaches leaf2 only.
  const index = indexFabric(parseFixture(snap.yaml, 'snapshot.yaml'));
  const failures = resolveFailures(index, ['leaf1/spine1']);
  const report = runWhatif(index, { fixture: 'snapshot.yaml', failures, live: scenarioLiveness(index, failures), strategies: STRATEGIES });
  const ballast = report.prefixes[0]!.strategies.find((s) => s.name === 'ballast')!;
  assert.deepEqual(ballast.leaves.map((l) => l.spineWeights[report.spines.indexOf('spine1')]), [0, 1]);
});
