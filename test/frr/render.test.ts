import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderBgpdConf, renderZebraConf, type RouterConfig } from '../../src/frr/render.js';

const leaf: RouterConfig = {
  hostname: 'leaf1',
  logDir: '/run/ballast-lab/bl-leaf1',
  interfaces: ['spine1', 'srv11'],
  raIntervalSeconds: 1,
  bgp: {
    asn: 65201,
    routerId: '100.127.0.3',
    peerGroups: [
      { name: 'SPINES', interfaces: ['spine1'], routeMapOut: 'TO_SPINE' },
      { name: 'SERVERS', interfaces: ['srv11'] },
    ],
    keepalive: 3,
    hold: 9,
    connectRetry: 2,
  },
  prefixLists: [],
  routeMaps: [{ name: 'TO_SPINE', entries: [{ seq: 10, action: 'permit', setBandwidth: 'num-multipaths' }] }],
};

test('a leaf: unnumbered peer groups, the verified knobs, a transitive num-multipaths route-map', () => {
  const text = renderBgpdConf(leaf);
  for (const line of [
    'router bgp 65201',
    ' bgp router-id 100.127.0.3',
    ' no bgp ebgp-requires-policy',
    ' bgp bestpath as-path multipath-relax',
    ' timers bgp 3 9',
    ' neighbor SPINES advertisement-interval 0',
    ' neighbor spine1 interface peer-group SPINES',
    ' neighbor srv11 interface peer-group SERVERS',
    '  neighbor SPINES route-map TO_SPINE out',
    'route-map TO_SPINE permit 10',
    ' set extcommunity bandwidth num-multipaths',
  ]) {
    assert.ok(text.split('\n').includes(line), `missing line ${JSON.stringify(line)} in\n${text}`);
  }
  assert.ok(!text.includes('non-transitive'));
});

test('a server: connected routes through a prefix-list route-map', () => {
  const text = renderBgpdConf({
    ...leaf,
    bgp: { ...leaf.bgp, peerGroups: [{ name: 'LEAF', interfaces: ['leaf1'] }], redistributeConnectedRouteMap: 'ANYCAST' },
    prefixLists: [{ name: 'ANYCAST', prefixes: ['198.51.100.1/32', '198.51.100.2/32'] }],
    routeMaps: [{ name: 'ANYCAST', entries: [{ seq: 10, action: 'permit', matchPrefixList: 'ANYCAST' }] }],
  });
  assert.match(text, /^ {2}redistribute connected route-map ANYCAST$/m);
  assert.match(text, /^ip prefix-list ANYCAST seq 5 permit 198\.51\.100\.1\/32$/m);
  assert.match(text, /^ip prefix-list ANYCAST seq 10 permit 198\.51\.100\.2\/32$/m);
  assert.match(text, /^ match ip address prefix-list ANYCAST$/m);
});

test('zebra: fast router advertisements on every peer interface', () => {
  const text = renderZebraConf(leaf);
  assert.match(text, /^interface srv11\n ipv6 nd ra-interval 1\n no ipv6 nd suppress-ra$/m);
});

test('values that could inject commands or are out of range are refused', () => {
  assert.throws(() => renderBgpdConf({ ...leaf, hostname: 'x\nline vty' }), { code: 'E_USAGE' });
  assert.throws(() => renderBgpdConf({ ...leaf, bgp: { ...leaf.bgp, peerGroups: [{ name: 'P', interfaces: ['a-name-longer-than-15'] }] } }), { code: 'E_USAGE' });
  assert.throws(() => renderBgpdConf({ ...leaf, routeMaps: [{ name: 'R', entries: [{ seq: 1, action: 'permit', setBandwidth: 25601 }] }] }), { code: 'E_USAGE' });
  assert.throws(() => renderBgpdConf({ ...leaf, prefixLists: [{ name: 'P', prefixes: ['198.51.100.1/32 ge 32'] }] }), { code: 'E_USAGE' });
});

test('IPv6: the peer groups, redistribution and outbound route-map in both address families', () => {
  const text = renderBgpdConf({ ...leaf, bgp: { ...leaf.bgp, redistributeConnectedRouteMap: 'ANYCAST', addressFamilies: ['ipv4', 'ipv6'] } });
  const af = (family: string) => text.slice(text.indexOf(` address-family ${family} unicast`), text.indexOf(' exit-address-family', text.indexOf(` address-family ${family} unicast`)));
  for (const family of ['ipv4', 'ipv6']) {
    const block = af(family);
    for (const line of ['  redistribute connected route-map ANYCAST', '  neighbor SPINES activate', '  neighbor SPINES route-map TO_SPINE out', '  neighbor SERVERS activate']) {
      assert.ok(block.split('\n').includes(line), `${family}: missing ${JSON.stringify(line)} in\n${text}`);
    }
  }
  // Default: IPv4 only, as before (no IPv6 block for an IPv4 fabric).
  assert.ok(!renderBgpdConf(leaf).includes('address-family ipv6'));
});

test('IPv6: a prefix-list name holds both families; a route-map entry matches one family each', () => {
  const text = renderBgpdConf({
    ...leaf,
    prefixLists: [{ name: 'ANYCAST', prefixes: ['198.51.100.10/32', '2001:db8:100::10/128', '2001:db8:100::11/128'] }],
    routeMaps: [{ name: 'ANYCAST', entries: [{ seq: 10, action: 'permit', matchPrefixList: 'ANYCAST' }, { seq: 20, action: 'permit', matchIpv6PrefixList: 'ANYCAST' }] }],
  });
  assert.match(text, /^ip prefix-list ANYCAST seq 5 permit 198\.51\.100\.10\/32$/m);
  assert.match(text, /^ipv6 prefix-list ANYCAST seq 5 permit 2001:db8:100::10\/128$/m);
  assert.match(text, /^ipv6 prefix-list ANYCAST seq 10 permit 2001:db8:100::11\/128$/m);
  assert.match(text, /^route-map ANYCAST permit 10\n match ip address prefix-list ANYCAST\nexit$/m);
  assert.match(text, /^route-map ANYCAST permit 20\n match ipv6 address prefix-list ANYCAST\nexit$/m);
  // Only canonical prefixes reach frr.conf.
  for (const bad of ['2001:DB8::1/128', '2001:db8::1/129', '2001:db8::1/128 ge 128', '2001:0db8::1/128']) {
    assert.throws(() => renderBgpdConf({ ...leaf, prefixLists: [{ name: 'P', prefixes: [bad] }] }), { code: 'E_USAGE' }, bad);
  }
});
