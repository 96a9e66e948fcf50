import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentConfig } from '../../src/agent/config.js';
import { skeletonFrrConf, skeletonNvue } from '../../src/agent/skeleton.js';
import { GOOD } from './config-fixture.js';

const config = parseAgentConfig(GOOD, 'agent.yaml');

test('frr.conf skeleton: both outbound maps with group entries and the catch-all, inbound catch-alls, every binding', () => {
  const text = skeletonFrrConf(config);
  for (const slot of ['A', 'B']) {
    assert.match(text, new RegExp(`^route-map BALLAST-${slot} permit 65000$`, 'm'));
    assert.match(text, new RegExp(`^route-map BALLAST-${slot} permit 300\\d0\\n match ip address prefix-list BALLAST-g4-\\w+\\n set extcommunity bandwidth cumulative$`, 'm'));
    assert.match(text, new RegExp(`^route-map BALLAST-${slot} permit 300\\d0\\n match ipv6 address prefix-list BALLAST-g6-\\w+\\n`, 'm'));
  }
  assert.match(text, /^ip prefix-list BALLAST-g4-\w+ seq 5 permit 198\.51\.100\.1\/32$/m);
  assert.match(text, /^ipv6 prefix-list BALLAST-g6-\w+ seq 5 permit 2001:db8:100::10\/128$/m);
  for (const n of ['s11', 's12', 's13']) {
    assert.match(text, new RegExp(`^route-map BALLAST-IN-${n} permit 65000$`, 'm'));
    assert.equal(text.match(new RegExp(`^  neighbor ${n} route-map BALLAST-IN-${n} in$`, 'gm'))?.length, 2, 'both families');
  }
  assert.equal(text.match(/^  neighbor SPINE route-map BALLAST-A out$/gm)?.length, 2);
  assert.match(text, /^router bgp 65201$/m);
  assert.doesNotMatch(text, /local-preference|deny/, 'no holds, never a deny');
});

test('NVUE skeleton: the same objects in NVUE spelling', () => {
  const text = skeletonNvue(config);
  assert.match(text, /^nv set router policy route-map BALLAST-A rule 65000 action permit$/m);
  assert.match(text, /^nv set router policy route-map BALLAST-B rule 300\d0 set ext-community-bw cumulative$/m);
  assert.match(text, /^nv set router policy route-map BALLAST-A rule 300\d0 match ipv6-prefix-list BALLAST-g6-\w+$/m);
  assert.match(text, /^nv set router policy prefix-list BALLAST-g4-\w+ rule 5 match 198\.51\.100\.1\/32$/m);
  assert.match(text, /^nv set vrf default router bgp peer-group SPINE address-family ipv6-unicast policy outbound route-map BALLAST-A$/m);
  assert.match(text, /^nv set vrf default router bgp neighbor s13 address-family ipv4-unicast policy inbound route-map BALLAST-IN-s13$/m);
  assert.match(text, /nv config apply\n$/);
});

test('explicit values where FRR cannot sum the servers (fast-cut off): the configured capacity', () => {
  const c = parseAgentConfig(GOOD.replace('  mode: link-bandwidth\n', '  mode: link-bandwidth\n  fast-cut: false\n'), 'agent.yaml');
  // 198.51.100.1/32: s11 10 + s12 10 (default) + s13 20 = 40 units x 100 Mbps.
  assert.match(skeletonFrrConf(c), /set extcommunity bandwidth 4000$/m);
});
