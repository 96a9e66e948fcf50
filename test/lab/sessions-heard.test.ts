// serversNotHeard (src/lab/observe.ts): which up servers' IPv4 routes their leaf has not received yet. Pure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serversNotHeard, type LabSession } from '../../src/lab/observe.js';

const session = (node: string, hostname: string, prefixesReceived: number): LabSession => ({ node, neighbor: hostname, hostname, remoteAs: 65300, state: 'Established', prefixesReceived });

test('a server counts as heard once its leaf received a route from it; failed and IPv6-only servers are not waited for', () => {
  const servers = [
    { name: 's1', leaf: 'l1', prefixes: ['198.51.100.1/32'] },
    { name: 's2', leaf: 'l1', prefixes: ['198.51.100.1/32', '2001:db8::1/128'] },
    { name: 's3', leaf: 'l2', prefixes: ['2001:db8::1/128'] },
    { name: 's4', leaf: 'l2', prefixes: ['198.51.100.1/32'] },
  ];
  const sessions = [session('l1', 's1', 1), session('l1', 's2', 0), session('s2', 'l1', 5), session('l2', 's3', 0)];
  assert.deepEqual(serversNotHeard(sessions, servers, []), ['s2', 's4']);
  assert.deepEqual(serversNotHeard(sessions, servers, ['s4']), ['s2']);
  assert.deepEqual(serversNotHeard([...sessions, session('l1', 's2', 1), session('l2', 's4', 2)], servers, []), []);
});
