import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseBgpPrefix, parseLinkBandwidth, splitJsonStream } from '../../src/frr/bgp-prefix.js';
import { BallastError } from '../../src/util/errors.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/frr/agent/${name}`, import.meta.url), 'utf8');

test('three server paths with link-bandwidth, recorded on a leaf', () => {
  const r = parseBgpPrefix(JSON.parse(fixture('leaf-v4-3servers-lb.json')));
  assert.equal(r.prefix, '198.51.100.1/32');
  assert.deepEqual(
    r.paths.map((p) => [p.neighbor, p.asPath, p.valid, p.multipath, p.bandwidthBytes]).sort(),
    [
      ['s11', [65300], true, true, 125000000],
      ['s12', [65300], true, true, 125000000],
      ['s13', [65300], true, true, 250000000],
    ],
  );
  assert.equal(r.paths.filter((p) => p.best).length, 1);
});

test('IPv6 prefix: same shape', () => {
  const r = parseBgpPrefix(JSON.parse(fixture('leaf-v6-2servers.json')));
  assert.equal(r.prefix, '2001:db8:100::1/128');
  assert.deepEqual(r.paths.map((p) => p.neighbor).sort(), ['s11', 's12']);
});

test('a leaf without servers holds the path learned back through the spine', () => {
  const r = parseBgpPrefix(JSON.parse(fixture('leaf-v4-0servers-via-spine.json')));
  assert.equal(r.paths.length, 1);
  assert.equal(r.paths[0]!.neighbor, 'sp1');
  assert.deepEqual(r.paths[0]!.asPath.slice(0, 1), [65100]);
});

test('an unknown prefix prints {}: no paths, not an error', () => {
  assert.deepEqual(parseBgpPrefix(JSON.parse(fixture('leaf-v4-missing.json'))), { prefix: null, paths: [] });
});

test('one vtysh call with three json commands splits into three values in order', () => {
  const values = splitJsonStream(fixture('leaf-batch-3.txt'));
  assert.equal(values.length, 3);
  assert.deepEqual(values.map((v) => parseBgpPrefix(v).prefix), ['198.51.100.1/32', null, '2001:db8:100::1/128']);
});

test('garbage and truncated output fail with E_FRR_PARSE', () => {
  for (const text of ['% Unknown command', '{"a": 1', '{"a": 1}}', '{"prefix": 3, "paths": []}']) {
    assert.throws(
      () => splitJsonStream(text).map(parseBgpPrefix),
      (e: unknown) => e instanceof BallastError && e.code === 'E_FRR_PARSE',
      text,
    );
  }
});

test('a next hop that is not an object fails with E_FRR_PARSE naming it (found by the fuzzer: null crashed the read)', () => {
  const reply = JSON.parse(fixture('leaf-v4-3servers-lb.json')) as { paths: { nexthops: unknown[] }[] };
  reply.paths[1]!.nexthops = [null];
  assert.throws(
    () => parseBgpPrefix(reply),
    (e: unknown) => e instanceof BallastError && e.code === 'E_FRR_PARSE' && e.message.includes('route.paths[1].nexthops[0] is not an object'),
  );
});

test('link-bandwidth comes from the raw bytes/s, not the human text', () => {
  assert.equal(parseLinkBandwidth({ string: 'LB:65100:1124999936 (8.000 Gbps)' }), 1124999936);
  assert.equal(parseLinkBandwidth({ string: 'RT:1:1 LB:65201:500000000 (4.000 Gbps)' }), 500000000);
  assert.equal(parseLinkBandwidth({ string: 'RT:1:1' }), null);
  assert.equal(parseLinkBandwidth(undefined), null);
});
