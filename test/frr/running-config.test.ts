import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { boundRouteMap, parseRunningConfig } from '../../src/frr/running-config.js';
import { BallastError } from '../../src/util/errors.js';

const text = readFileSync(new URL('../../fixtures/frr/agent/leaf-running-config.txt', import.meta.url), 'utf8');

test('a recorded leaf configuration: neighbors, peer-groups, bindings, route-maps, prefix-lists', () => {
  const rc = parseRunningConfig(text);
  assert.equal(rc.bgp?.asn, 65201);
  assert.deepEqual([...rc.bgp!.peerGroups].sort(), ['SERVERS', 'SPINE']);
  assert.deepEqual(Object.fromEntries(rc.bgp!.neighbors), { s11: 'SERVERS', s12: 'SERVERS', s13: 'SERVERS', sp1: 'SPINE' });
  assert.equal(boundRouteMap(rc.bgp, 'ipv4', 'SPINE', 'out'), 'BALLAST-A');
  assert.equal(boundRouteMap(rc.bgp, 'ipv6', 'SPINE', 'out'), null);
  assert.deepEqual(rc.routeMaps.get('BALLAST-A'), [
    { action: 'permit', seq: 10, lines: ['match ip address prefix-list BALLAST-P1', 'set extcommunity bandwidth 3000'] },
    { action: 'permit', seq: 65535, lines: [] },
  ]);
  assert.deepEqual(rc.prefixLists.get('BALLAST-P1'), { family: 'ipv4', entries: [{ seq: 5, action: 'permit', match: '198.51.100.1/32' }] });
});

test('output that is not a configuration is refused', () => {
  assert.throws(() => parseRunningConfig('% Unknown command: show running-confg'), (e: unknown) => e instanceof BallastError && e.code === 'E_FRR_PARSE');
});
