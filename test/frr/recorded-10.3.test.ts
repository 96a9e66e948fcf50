// The parsers on answers recorded from FRR 10.3 (Debian trixie's, in the lab: fixtures/frr/10.3/record.sh),
// beside the FRR 8.4 recordings the other test/frr files read: the same questions, the same answers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseBgpPrefix, splitJsonStream } from '../../src/frr/bgp-prefix.js';
import { parseBgpSummary } from '../../src/frr/bgp-summary.js';
import { boundRouteMap, parseRunningConfig } from '../../src/frr/running-config.js';
import { parseKernelRoutes, weightsByDev } from '../../src/lab/kernel-route.js';

const read = (name: string) => readFileSync(new URL(`../../fixtures/frr/10.3/${name}`, import.meta.url), 'utf8');
const SERVERS_V4 = ['server01', 'server02', 'server03', 'server04'];

test('10.3: four server paths with their link-bandwidth (capacity 10 x 100 Mbps), all multipath', () => {
  const r = parseBgpPrefix(JSON.parse(read('leaf-v4-4servers-lb.json')));
  assert.equal(r.prefix, '198.51.100.10/32');
  const servers = r.paths.filter((p) => p.asPath.join() === '65300');
  assert.deepEqual(servers.map((p) => p.neighbor).sort(), SERVERS_V4);
  assert.ok(servers.every((p) => p.valid && p.multipath && p.bandwidthBytes === 125_000_000), JSON.stringify(servers));
  assert.equal(r.paths.filter((p) => p.best).length, 1);
});

test('10.3: IPv6 prefix, same shape', () => {
  const r = parseBgpPrefix(JSON.parse(read('leaf-v6-2servers-lb.json')));
  assert.equal(r.prefix, '2001:db8:100::10/128');
  assert.deepEqual(r.paths.filter((p) => p.asPath.join() === '65300').map((p) => p.neighbor).sort(), ['server02', 'server04']);
});

test('10.3: a leaf without servers holds the paths learned back through the spines', () => {
  const r = parseBgpPrefix(JSON.parse(read('leaf-v4-0servers-via-spine.json')));
  assert.ok(r.paths.length >= 1);
  assert.ok(r.paths.every((p) => p.asPath[0] === 65100 && p.neighbor.startsWith('spine')), JSON.stringify(r.paths));
});

test('10.3: an unknown prefix prints {}; three answers of one vtysh call split in order', () => {
  assert.deepEqual(parseBgpPrefix(JSON.parse(read('leaf-v4-missing.json'))), { prefix: null, paths: [] });
  const values = splitJsonStream(read('leaf-batch-3.txt'));
  assert.deepEqual(values.map((v) => parseBgpPrefix(v).prefix), ['198.51.100.10/32', null, '2001:db8:100::10/128']);
});

test('10.3: the running configuration of a leaf with its agent: peer-groups, members, the A/B binding, owned maps', () => {
  const rc = parseRunningConfig(read('leaf-running-config.txt'));
  assert.equal(rc.bgp?.asn, 65201);
  assert.deepEqual([...rc.bgp!.peerGroups].sort(), ['SERVERS', 'SPINES']);
  assert.deepEqual(Object.fromEntries(rc.bgp!.neighbors), { spine01: 'SPINES', spine02: 'SPINES', server01: 'SERVERS', server02: 'SERVERS', server03: 'SERVERS', server04: 'SERVERS' });
  const out4 = boundRouteMap(rc.bgp, 'ipv4', 'SPINES', 'out');
  assert.match(out4 ?? '', /^BALLAST-[AB]$/);
  assert.equal(boundRouteMap(rc.bgp, 'ipv6', 'SPINES', 'out'), out4, 'both families switched together');
  const entries = rc.routeMaps.get(out4!)!;
  assert.ok(entries.some((e) => e.lines.includes('set extcommunity bandwidth cumulative')), JSON.stringify(entries));
  assert.ok(entries.some((e) => e.seq === 65000 && e.action === 'permit'), 'catch-all');
  for (const s of SERVERS_V4) assert.ok(rc.routeMaps.has(`BALLAST-IN-${s}`), `inbound map of ${s}`);
});

test('10.3: bgp summary of a leaf and a spine; the spine kernel route weighted 254-scale', () => {
  assert.deepEqual(parseBgpSummary(JSON.parse(read('leaf-bgp-summary.json'))).map((p) => p.neighbor).sort(), ['server01', 'server02', 'server03', 'server04', 'spine01', 'spine02']);
  const spine = parseBgpSummary(JSON.parse(read('spine-bgp-summary.json')));
  assert.deepEqual(spine.map((p) => [p.neighbor, p.state]), [['leaf01', 'Established'], ['leaf02', 'Established'], ['leaf03', 'Established']]);
  const route = parseKernelRoutes(JSON.parse(read('spine-kernel-route.json')))[0];
  // Live capacity 40/60/50 behind leaf01/02/03: max(1, floor(bw*254/max)).
  assert.deepEqual(Object.fromEntries(weightsByDev(route)), { leaf01: 169, leaf02: 254, leaf03: 211 });
});

test('10.3: a dry-run agent beside the running one adopts the bound map and would run nothing', () => {
  assert.equal(read('leaf-agent-dry-run.txt'), '');
  assert.match(read("leaf-agent-dry-run-events.txt"), /"event":"adopted"/);
  assert.match(read("leaf-agent-dry-run-events.txt"), /"event":"started"/);
});
