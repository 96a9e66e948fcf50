import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseBgpSummary } from '../../src/frr/bgp-summary.js';

const recorded = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/frr/${name}`, import.meta.url), 'utf8'));

test('a leaf of the lab: six unnumbered peers named by interface, all Established', () => {
  const peers = parseBgpSummary(recorded('leaf1-bgp-summary.json'));
  assert.deepEqual(peers.map((p) => p.neighbor).sort(), ['spine1', 'spine2', 'srv11', 'srv12', 'srv13', 'srv14']);
  assert.ok(peers.every((p) => p.state === 'Established'));
  const srv11 = peers.find((p) => p.neighbor === 'srv11')!;
  assert.equal(srv11.remoteAs, 65300);
  assert.equal(srv11.hostname, 'srv11');
  assert.equal(srv11.prefixesReceived, 2);
});

test('a spine and a server parse too', () => {
  assert.deepEqual(parseBgpSummary(recorded('spine1-bgp-summary.json')).map((p) => [p.neighbor, p.remoteAs]), [['leaf1', 65201], ['leaf2', 65202], ['leaf3', 65203]]);
  assert.deepEqual(parseBgpSummary(recorded('srv11-bgp-summary.json')).map((p) => p.neighbor), ['leaf1']);
});

test('a router without activated peers prints {}: zero peers', () => {
  assert.deepEqual(parseBgpSummary({}), []);
});

test('an unexpected shape fails with E_FRR_PARSE naming the field', () => {
  assert.throws(() => parseBgpSummary({ ipv4Unicast: { peers: { leaf1: { remoteAs: 1, state: 7 } } } }), (e: Error & { code?: string }) => e.code === 'E_FRR_PARSE' && e.message.includes('peers.leaf1.state'));
  assert.throws(() => parseBgpSummary([]), { code: 'E_FRR_PARSE' });
});
