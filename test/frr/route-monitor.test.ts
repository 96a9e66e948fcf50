import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMonitorLine } from '../../src/frr/route-monitor.js';

test('ip -ts monitor route lines -> the destination prefix; continuation and other lines -> null', () => {
  const cases: [string, string | null][] = [
    ['[2026-11-26T03:30:40.343605] 198.51.100.1 nhid 30 proto bgp metric 20 ', '198.51.100.1/32'],
    ['[2026-11-26T03:30:40.343605] Deleted 198.51.100.1 nhid 30 proto bgp metric 20 ', '198.51.100.1/32'],
    ['[2026-11-26T03:30:41.000001] 2001:db8:100::10 nhid 44 proto bgp metric 20 pref medium', '2001:db8:100::10/128'],
    ['[2026-11-26T03:30:41.000001] 100.64.0.0/31 dev spine1 proto kernel scope link src 100.64.0.1', '100.64.0.0/31'],
    ['[2026-11-26T03:30:41.000001] local 198.51.100.1 dev lo table local proto kernel scope host src 198.51.100.1', '198.51.100.1/32'],
    ['\tnexthop via inet6 fe80::e442:33ff:feda:7bfc dev l2 weight 20 ', null],
    ['[2026-11-26T03:30:41.000001] default via 100.64.0.1 dev eth0', null],
    ['[2026-11-26T03:30:41.000001] fe80::/64 dev srv11 proto kernel metric 256 pref medium', 'fe80::/64'],
    ['', null],
  ];
  for (const [line, want] of cases) assert.equal(parseMonitorLine(line), want, line);
});
