import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture, parseFixture } from '../../src/fabric/load.js';
import { InputError } from '../../src/util/errors.js';

// One file per mistake: the code, the position and the words a user needs to fix it.
const bad: [file: string, code: string, line: number, col: number, words: RegExp][] = [
  ['invalid-prefix.yaml', 'E_PREFIX_INVALID', 10, 15, /"172\.20\.0\.300\/32".*octet "300" is out of range 0-255/],
  ['host-bits.yaml', 'E_PREFIX_HOST_BITS', 10, 15, /"172\.20\.0\.1\/24".*host bits are set, expected the network address 172\.20\.0\.0\/24/],
  ['length-33.yaml', 'E_PREFIX_LENGTH', 10, 15, /"172\.20\.0\.1\/33".*\/33 is out of range, expected 0 to 32/],
  ['duplicate-server.yaml', 'E_DUPLICATE_NAME', 9, 13, /Duplicate name "server01".*line 8/],
  ['unknown-leaf.yaml', 'E_UNKNOWN_REFERENCE', 9, 29, /"leaf09", an unknown leaf; expected one of leaf01/],
  ['duplicate-key.yaml', 'E_YAML_DUPLICATE_KEY', 11, 5, /Duplicate key "capacity"/],
  ['string-for-number.yaml', 'E_SCHEMA_TYPE', 8, 47, /capacity is "ten", expected a number/],
  ['negative-capacity.yaml', 'E_SCHEMA_RANGE', 8, 47, /capacity is -5, expected a number above 0/],
  ['frr-version-unknown.yaml', 'E_FRR_VERSION', 4, 27, /spines\[0\]\.frr is "11\.0": FRR 11\.0 is newer than .*expected 7\.4 to 9\.1, or 10\.x from 10\.0, or set weights: explicitly/],
  ['frr-version-number.yaml', 'E_SCHEMA_TYPE', 4, 16, /defaults\.leaf\.frr is the number 10\.3, expected a quoted version string such as "10\.3"/],
  ['frr-16bit-old.yaml', 'E_FRR_VERSION', 6, 28, /nexthop-weight-16-bit is true, but FRR 10\.3 .*expected FRR 10\.5 or later/],
];

for (const [file, code, line, col, words] of bad) {
  test(`fixtures/bad/${file} is refused with ${code} at ${line}:${col}`, () => {
    const path = `fixtures/bad/${file}`;
    assert.throws(() => loadFixture(path), (err: unknown) => {
      assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
      assert.equal(err.code, code);
      assert.deepEqual(err.position, { file: path, line, col });
      assert.match(err.message, words);
      assert.ok(err.format().startsWith(`${path}:${line}:${col}: `));
      return true;
    });
  });
}

test('every bundled fixture loads', () => {
  for (const name of ['seed-blog', 'warning', 'heterogeneous', 'lab-421']) {
    const f = loadFixture(`fixtures/${name}.yaml`);
    assert.ok(f.servers.length > 0, name);
  }
});

test('fixture shapes match what the issues promise', () => {
  const seed = loadFixture('fixtures/seed-blog.yaml');
  assert.deepEqual(seed.leaves.map((l) => [l.name, l.asn]), [['leaf01', 65201], ['leaf02', 65202], ['leaf03', 65203], ['leaf04', 65204]]);
  assert.deepEqual(seed.servers.map((s) => s.asn), [65300, 65300, 65300, 65300]);
  const warning = loadFixture('fixtures/warning.yaml');
  assert.equal(warning.servers.length, 32);
  assert.equal(warning.servers.filter((s) => s.leaf === 'leaf02').map((s) => s.name)[0], 'server09');
  const lab = loadFixture('fixtures/lab-421.yaml');
  assert.deepEqual(lab.leaves.map((l) => lab.servers.filter((s) => s.leaf === l.name).length), [4, 2, 1]);
  assert.equal(lab.servers.filter((s) => s.prefixes.includes('198.51.100.2/32')).length, 3);
  const het = loadFixture('fixtures/heterogeneous.yaml');
  assert.deepEqual(new Set(het.servers.map((s) => s.capacity)), new Set([10, 20, 40]));
  assert.deepEqual(het.services.map((s) => s.prefix.family), ['ipv4', 'ipv6']);
});

const minimal = (extra: string) => `spines: [{ name: s1 }]\nleaves: [{ name: l1, asn: 65201 }]\nservers: [{ name: v1, leaf: l1 }]\nservices: [{ prefix: 198.51.100.1/32 }]\n${extra}`;

test('defaults: spines frr8 with FRR default fallback, servers up with capacity 1 on every prefix', () => {
  const f = parseFixture(minimal(''), 'x.yaml');
  assert.equal(f.spines[0]!.weights, 'frr8');
  assert.equal(f.spines[0]!.missingBandwidth, 'ecmp-fallback');
  assert.deepEqual(f.servers[0], { name: 'v1', leaf: 'l1', asn: 65300, capacity: 1, prefixes: ['198.51.100.1/32'], state: 'up' });
  assert.deepEqual(f.leaves[0]!.spines, ['s1']);
});

test('an unknown key is refused rather than ignored (typos must not pass silently)', () => {
  assert.throws(() => parseFixture(minimal('polcy: {}\n'), 'x.yaml'), (e: unknown) => e instanceof InputError && e.code === 'E_SCHEMA_UNKNOWN_KEY' && e.position.line === 5 && /"polcy"/.test(e.message));
});

test('an enum value out of its set names the choices', () => {
  assert.throws(() => parseFixture(minimal('').replace('{ name: s1 }', '{ name: s1, weights: frr9 }'), 'x.yaml'), /weights is "frr9", expected one of "frr8", "frr10", "frr10-254", "frr10-16bit", "ecmp"/);
});

test('mbps-per-unit that overflows FRR 25600 Mbps for the fullest leaf is refused', () => {
  assert.throws(() => parseFixture(minimal('policy: { mbps-per-unit: 30000 }\n'), 'x.yaml'), (e: unknown) => e instanceof InputError && e.code === 'E_BANDWIDTH_RANGE' && /25600/.test(e.message));
});

test('a derived mbps-per-unit is a readable 1-2-5 step that fits the fullest leaf', () => {
  const f = loadFixture('fixtures/seed-blog.yaml');
  assert.equal(f.policy.mbpsPerUnitDerived, true);
  assert.equal(f.policy.mbpsPerUnit, 2000);
});

test('a server naming a prefix no service has is refused', () => {
  assert.throws(() => parseFixture(minimal('').replace('leaf: l1 }', 'leaf: l1, prefixes: [203.0.113.9/32] }'), 'x.yaml'), (e: unknown) => e instanceof InputError && e.code === 'E_UNKNOWN_REFERENCE');
});

test('IPv6 prefixes are canonicalised', () => {
  const f = parseFixture(minimal('').replace('198.51.100.1/32', '"2001:DB8:0:0::10/128"'), 'x.yaml');
  assert.equal(f.services[0]!.prefix.text, '2001:db8::10/128');
});

const withFrr = (spine: string, leaf = '', server = '', defaults = '') =>
  `${defaults}spines: [{ name: s1${spine} }, { name: s2 }]\nleaves: [{ name: l1, asn: 65201${leaf} }]\nservers: [{ name: v1, leaf: l1${server} }]\nservices: [{ prefix: 198.51.100.1/32 }]\n`;

test('frr: on a router chooses its weight model; the version is kept for the lab', () => {
  const f = parseFixture(withFrr(', frr: "10.0.3"', ', frr: "10.3"', ', frr: "8.4.4"'), 'x.yaml');
  assert.equal(f.spines[0]!.weights, 'frr10');
  assert.deepEqual(f.spines[0]!.frr, { major: 10, minor: 0, patch: 3, text: '10.0.3' });
  assert.equal(f.spines[1]!.weights, 'frr8');
  assert.equal(f.spines[1]!.frr, undefined);
  assert.equal(f.leaves[0]!.weights, 'frr10-254');
  assert.deepEqual(f.servers[0]!.frr, { major: 8, minor: 4, patch: 4, text: '8.4.4' });
  const sixteen = parseFixture(withFrr(', frr: "10.6.0", nexthop-weight-16-bit: true'), 'x.yaml');
  assert.equal(sixteen.spines[0]!.weights, 'frr10-16bit');
});

test('defaults: frr: applies to every router of its kind; a router\'s own key beats its defaults', () => {
  const f = parseFixture(withFrr(', frr: "8.4"', '', '', 'defaults: { spine: { frr: "10.3" }, leaf: { frr: "10.5" }, server: { frr: "10.3" } }\n'), 'x.yaml');
  assert.deepEqual(f.spines.map((s) => [s.frr?.text, s.weights]), [['8.4', 'frr8'], ['10.3', 'frr10-254']]);
  assert.equal(f.leaves[0]!.weights, 'frr10');
  assert.equal(f.servers[0]!.frr?.text, '10.3');
  // An own frr: beats inherited weights:, an own weights: beats inherited frr:.
  const g = parseFixture(withFrr(', frr: "10.3"', ', weights: ecmp', '', 'defaults: { spine: { weights: frr8 }, leaf: { frr: "10.3" } }\n'), 'x.yaml');
  assert.deepEqual(g.spines.map((s) => s.weights), ['frr10-254', 'frr8']);
  assert.deepEqual([g.leaves[0]!.weights, g.leaves[0]!.frr?.text], ['ecmp', '10.3']);
});

test('weights: stays an override beside frr:, and old fixture names keep their meaning', () => {
  const f = parseFixture(withFrr(', frr: "10.3", weights: ecmp'), 'x.yaml');
  assert.deepEqual([f.spines[0]!.weights, f.spines[0]!.frr?.text], ['ecmp', '10.3']);
  for (const m of ['frr8', 'frr10', 'frr10-254', 'frr10-16bit', 'ecmp'] as const) {
    assert.equal(parseFixture(withFrr(`, weights: ${m}`), 'x.yaml').spines[0]!.weights, m);
  }
});

test('bad frr: values are refused at their position with what was expected', () => {
  const at = (text: string, code: string, words: RegExp) =>
    assert.throws(() => parseFixture(text, 'x.yaml'), (e: unknown) => e instanceof InputError && e.code === code && e.position.line === 1 && words.test(e.message));
  at(withFrr(', frr: "7.3"'), 'E_FRR_VERSION', /FRR 7\.3 is older than 7\.4/);
  at(withFrr(', frr: "10.x"'), 'E_FRR_VERSION', /spines\[0\]\.frr is "10\.x", expected an FRR version such as/);
  at(withFrr(', nexthop-weight-16-bit: true'), 'E_FRR_VERSION', /without frr:/);
  at(withFrr(', frr: "10.6", weights: frr10, nexthop-weight-16-bit: true'), 'E_SCHEMA_VALUE', /either weights: \(an override\) or nexthop-weight-16-bit/);
});

test('a large load tells its progress: lines read, then servers checked, rising to the whole', async () => {
  const { GENERATE_DEFAULTS, generateFixture } = await import('../../src/fabric/generate.js');
  const text = generateFixture({ ...GENERATE_DEFAULTS, spines: 2, leaves: 40, serversPerLeaf: 250, prefixes: 2 });
  const seen: [string, number, number][] = [];
  const fabric = parseFixture(text, 'big.yaml', (phase, done, planned) => seen.push([phase, done, planned]));
  const lines = seen.filter(([p]) => p === 'fixture lines');
  const servers = seen.filter(([p]) => p === 'fixture servers');
  assert.ok(lines.length >= 2 && servers.length >= 2, JSON.stringify(seen));
  assert.ok(seen.indexOf(lines.at(-1)!) < seen.indexOf(servers[0]!), 'the YAML is read before the servers are checked');
  for (const part of [lines, servers]) {
    for (let i = 1; i < part.length; i++) assert.ok(part[i]![1] > part[i - 1]![1] && part[i]![1] <= part[i]![2]);
  }
  assert.deepEqual(servers.at(-1), ['fixture servers', 8192, 10_000]);
  assert.equal(fabric.servers.length, 10_000);
});
