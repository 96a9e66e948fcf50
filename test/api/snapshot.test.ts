import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateMessage } from '../../src/api/agent-service.js';
import { snapshotFixture } from '../../src/api/snapshot.js';
import { parseFixture } from '../../src/fabric/load.js';
import { STRATEGIES } from '../../src/fabric/types.js';
import { indexFabric } from '../../src/forwarding/fabric-index.js';
import { runWhatif } from '../../src/whatif/whatif.js';
import { scenarioLiveness } from '../../src/whatif/scenario.js';
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
