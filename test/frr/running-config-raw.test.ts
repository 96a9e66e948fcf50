/**
 * `show running-config` as bgpd renders it on its own vty socket (src/frr/vty-socket.ts) parses to the
 * same RunningConfig as vtysh's re-assembly (`vtysh -d bgpd`), recorded from a lab leaf with the agent's
 * configuration on FRR 8.4 and 10.3 (`ballast lab up fixtures/lab-tiny.yaml --leaf-policy ballast [--frr 10.3]`).
 * The raw rendering has no header, no vtysh.conf lines, no `end`, more `!`, and on 10.3 prints the
 * prefix-lists after `router bgp`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { boundRouteMap, parseRunningConfig } from '../../src/frr/running-config.js';
import { parseBestpathBandwidth } from '../../src/frr/version.js';

const read = (name: string) => readFileSync(new URL(`../../fixtures/frr/running-config/${name}`, import.meta.url), 'utf8');

for (const v of ['8.4', '10.3']) {
  test(`FRR ${v}: bgpd's own rendering parses like vtysh's`, () => {
    const viaVtysh = read(`leaf01-${v}-vtysh.conf`);
    const viaSocket = read(`leaf01-${v}-bgpd-socket.conf`);
    assert.notEqual(viaSocket, viaVtysh, 'the renderings differ (else this test says nothing)');
    assert.doesNotMatch(viaSocket, /^Current configuration:/m);
    const a = parseRunningConfig(viaVtysh);
    const b = parseRunningConfig(viaSocket);
    assert.deepEqual(b, a);
    // What the agent relies on is there in both.
    assert.equal(b.bgp?.asn, 65201);
    assert.ok(boundRouteMap(b.bgp, 'ipv4', 'SPINES', 'out')?.startsWith('BALLAST'));
    assert.ok([...b.routeMaps.keys()].some((k) => k.startsWith('BALLAST')) && b.prefixLists.size > 0);
    assert.equal(parseBestpathBandwidth(viaSocket), parseBestpathBandwidth(viaVtysh));
  });
}
