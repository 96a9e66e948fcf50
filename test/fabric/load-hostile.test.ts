/**
 * The defects a fuzzing run found in fixture loading (issue 13), one case each: every one is now
 * refused with a stable code, a position in the file and words that name what was written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFixture } from '../../src/fabric/load.js';
import { InputError } from '../../src/util/errors.js';
import { MAX_YAML_DEPTH } from '../../src/util/yaml-limits.js';

const TAIL = 'services: [{prefix: 198.51.100.1/32}]\n';
const fabric = (servers: string, head = '') => `${head}spines: [{name: s}]\nleaves: [{name: l, asn: 1}]\nservers: ${servers}\n${TAIL}`;

function refused(text: string, code: string, line: number, col: number, words: RegExp): void {
  assert.throws(() => parseFixture(text, 'f.yaml'), (err: unknown) => {
    assert.ok(err instanceof InputError, `expected an InputError, got ${err instanceof Error ? err.stack : String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.deepEqual([err.position.line, err.position.col], [line, col], err.format());
    assert.match(err.message, words);
    return true;
  });
}

test('nesting beyond the depth limit is refused before parsing, with the real position', () => {
  refused(`a: ${'['.repeat(2000)}${']'.repeat(2000)}\n`, 'E_YAML_LIMIT', 1, 4 + MAX_YAML_DEPTH - 1, /nested more than 64 levels/);
  let block = '';
  for (let i = 0; i < 1200; i++) block += `${' '.repeat(i)}k:\n`;
  refused(block, 'E_YAML_LIMIT', MAX_YAML_DEPTH + 1, MAX_YAML_DEPTH + 1, /nested more than 64 levels/);
  refused(`${'- '.repeat(100)}x\n`, 'E_YAML_LIMIT', 1, 2 * MAX_YAML_DEPTH + 1, /nested/);
  // Block scalars and quoted brackets are text, not structure.
  const deepText = Array.from({ length: 100 }, (_, i) => `  ${' '.repeat(i)}[[[[`).join('\n');
  const head = `unit: "${'['.repeat(100)}"\nnotes: |\n${deepText}\n`;
  refused(fabric('[{name: a, leaf: l}]', head), 'E_SCHEMA_UNKNOWN_KEY', 2, 1, /Unknown key "notes"/);
});

test('.nan, .inf and 1e400 are named as written, not as null', () => {
  refused(fabric('[{name: a, leaf: l, capacity: .nan}]'), 'E_SCHEMA_TYPE', 3, 40, /capacity is \.nan, expected a finite number/);
  refused(fabric('[{name: a, leaf: l, capacity: .inf}]'), 'E_SCHEMA_TYPE', 3, 40, /capacity is \.inf, expected a finite number/);
  refused(fabric('[{name: a, leaf: l, capacity: 1e400}]'), 'E_SCHEMA_TYPE', 3, 40, /capacity is 1e400, expected a finite number/);
});

test('aliases, explicit tags and merge keys are refused by name', () => {
  refused(fabric('[{name: a, leaf: l}]', 'defaults:\n  spine: &x {asn: 1}\n  leaf: *x\n'), 'E_YAML_UNSUPPORTED', 3, 9, /alias \*x/);
  refused(fabric('[{name: a, leaf: l}]', 'defaults:\n  leaf: !!omap [ {weights: frr8} ]\n'), 'E_YAML_UNSUPPORTED', 2, 16, /tag "tag:yaml\.org,2002:omap"/);
  refused(fabric('[{name: a, leaf: l, <<: {asn: 1}}]'), 'E_YAML_UNSUPPORTED', 3, 30, /merge key "<<"/);
  refused(`%YAML 1.1\n---\n${fabric('[{name: a, leaf: l, <<: {asn: 1}}]')}`, 'E_YAML_UNSUPPORTED', 5, 30, /merge key "<<"/);
});

test('defaults for an empty list are known keys; an unknown one still names the choices', () => {
  assert.doesNotThrow(() => parseFixture(`defaults: {spine: {asn: 1}}\nspines: []\nleaves: []\nservers: []\n${TAIL}`, 'f.yaml'));
  refused(`defaults: {spine: {asm: 1}}\nspines: []\nleaves: []\nservers: []\n${TAIL}`, 'E_SCHEMA_UNKNOWN_KEY', 1, 20, /Unknown key "asm" in defaults\.spine, expected one of "asn", "frr", "ingress", "missing-bandwidth"/);
});

test('a derived mbps-per-unit that leaves a server under 1 Mbps points at that server', () => {
  refused(fabric('[{name: tiny, leaf: l, capacity: 0.00001}, {name: big, leaf: l, capacity: 100000}]'), 'E_BANDWIDTH_RANGE', 3, 43, /^tiny has capacity 0\.00001: with the scale derived from the fullest leaf/);
});

test('denormal and absurd capacities are refused (1e-320 printed Infinity%)', () => {
  refused(fabric('[{name: a, leaf: l, capacity: 1e-320}]'), 'E_SCHEMA_RANGE', 3, 40, /1e-320, expected a number of at least 1e-9/);
  refused(fabric('[{name: a, leaf: l, capacity: 1e300}]'), 'E_SCHEMA_RANGE', 3, 40, /at most 1000000000000000/);
});

test('a huge value is quoted by its start and length, not echoed whole', () => {
  const name = 'a'.repeat(100_000);
  assert.throws(() => parseFixture(`name: ${name}\n${fabric('[{name: a, leaf: l}]')}`, 'f.yaml'), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.ok(err.message.length < 300, `${err.message.length} characters`);
    assert.match(err.message, /\(100000 characters\)/);
    return true;
  });
});

test('a zone index in a prefix is refused, not dropped', () => {
  refused(`spines: [{name: s}]\nleaves: [{name: l, asn: 1}]\nservers: [{name: a, leaf: l}]\nservices: [{prefix: "fe80::1%eth0/128"}]\n`, 'E_PREFIX_INVALID', 4, 21, /zone index/);
});
