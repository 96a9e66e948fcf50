/**
 * Ownership and adoption are pure over the parsed running configuration (agent/ownership.ts), and
 * the drain transition over the drain state (agent/drains.ts): tested here without any vtysh.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAgentConfig } from '../../src/agent/config.js';
import { changeDrain, drainedNeighbors, NO_DRAINS } from '../../src/agent/drains.js';
import { adopt, checkOwnership, desired } from '../../src/agent/ownership.js';
import { parseRunningConfig } from '../../src/frr/running-config.js';
import { BallastError } from '../../src/util/errors.js';
import { ONE_PREFIX as P, ONE_PREFIX_YAML } from './config-fixture.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const cfg = parseAgentConfig(ONE_PREFIX_YAML, 'agent.yaml');
const parse = (conf: string) => parseRunningConfig(`frr version 8.4.4\n${conf}`);
const running = (af: string[] = []) => parse(base.replace('{{AF}}', af.join('\n')));
const refused = (pattern: RegExp) => (e: unknown) => e instanceof BallastError && e.code === 'E_AGENT_OWNERSHIP' && pattern.test(e.message);

test('ownership: a leaf with the spine peer-group and nothing foreign is taken over', () => {
  const { view, neighbors } = checkOwnership(running(), cfg);
  assert.deepEqual([...neighbors.spineNeighbors], ['sp1']);
  assert.deepEqual([...neighbors.serverNeighbors].sort(), ['s11', 's12', 's13']);
  const a = adopt(view, cfg, 5);
  assert.equal(a.adopted, 0);
  assert.equal(a.slot, null);
  assert.deepEqual([...a.states.keys()], [P]);
  assert.equal(a.states.get(P)!.entry, null);
  assert.equal(desired(cfg, a.states), null, 'nothing to say before the first read');
});

test('ownership: another AS, no spine peer-group, a foreign outbound or inbound route-map are refused', () => {
  assert.throws(() => checkOwnership(parse(base.replace('router bgp 65201', 'router bgp 65299').replace('{{AF}}', '')), cfg), refused(/router bgp 65299, expected bgp.asn 65201/));
  assert.throws(() => checkOwnership(parse('hostname l1\n'), cfg), refused(/no BGP instance/));
  const noSpine = base.replace(' neighbor SPINE peer-group\n neighbor SPINE remote-as external\n', '').replace(' neighbor sp1 interface peer-group SPINE\n', '').replace('{{AF}}', '');
  assert.throws(() => checkOwnership(parse(noSpine), cfg), refused(/no peer-group "SPINE"/));
  const out = [' address-family ipv4 unicast', '  neighbor SPINE route-map TO_SPINE out', ' exit-address-family'];
  assert.throws(() => checkOwnership(running(out), cfg), refused(/route-map "TO_SPINE" outbound.*chain-route-map/));
  const chained = parseAgentConfig(ONE_PREFIX_YAML.replace('  spine-peer-group: SPINE', '  spine-peer-group: SPINE\n  chain-route-map: TO_SPINE'), 'agent.yaml');
  assert.doesNotThrow(() => checkOwnership(running(out), chained));
  const inbound = [' address-family ipv4 unicast', '  neighbor SERVERS route-map FROM_SERVERS in', ' exit-address-family'];
  assert.throws(() => checkOwnership(running(inbound), cfg), refused(/SERVERS uses route-map "FROM_SERVERS" inbound/));
});

test('drains: by name or neighbor, the whole leaf, unknown servers refused; nothing mutated', () => {
  const servers = cfg.reloadable.servers;
  const a = changeDrain(NO_DRAINS, servers, 'l1', 's13', 'disk', 7);
  assert.equal(a.server, 'big', 'the neighbor names the configured server');
  assert.deepEqual([...a.next.servers], [['big', { reason: 'disk', since: 7 }]]);
  assert.deepEqual([...drainedNeighbors(a.next, servers)], ['s13']);
  const leaf = changeDrain(a.next, servers, 'l1', null, 'maintenance', 8);
  assert.deepEqual([...drainedNeighbors(leaf.next, servers)].sort(), ['s11', 's12', 's13']);
  const back = changeDrain(leaf.next, servers, 'l1', 'big', null, 9);
  assert.deepEqual([...back.next.servers], []);
  assert.equal(back.next.leaf?.reason, 'maintenance');
  assert.equal(a.next.servers.size, 1, 'the earlier state is unchanged');
  assert.throws(() => changeDrain(NO_DRAINS, servers, 'l1', 'nope', 'x', 1), (e: unknown) => e instanceof BallastError && e.code === 'E_API_UNKNOWN_SERVER');
});
