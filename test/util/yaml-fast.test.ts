import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { GENERATE_DEFAULTS, generateFixture } from '../../src/fabric/generate.js';
import { parseFixture } from '../../src/fabric/load.js';
import { InputError } from '../../src/util/errors.js';
import { FastMap, FastScalar, FastSeq, parseYamlFast, type FastNode } from '../../src/util/yaml-fast.js';

/** Both kinds of node as plain data: maps as [key, value] pairs in order, so order and duplicates show. */
function plain(n: unknown): unknown {
  if (n === null || n === undefined) return null;
  if (n instanceof FastMap || isMap(n)) return { map: (n as FastMap).items.map((p) => [plain(p.key), plain(p.value)]) };
  if (n instanceof FastSeq || isSeq(n)) return { seq: (n as FastSeq).items.map(plain) };
  if (n instanceof FastScalar || isScalar(n)) return (n as FastScalar).value;
  return { other: String(n) };
}

/** What the library makes of the text (the loader's options), or 'error'. */
function library(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  return doc.errors.length ? 'error' : plain(doc.contents);
}

function agrees(text: string): FastNode | null | undefined {
  const fast = parseYamlFast(text);
  if (fast === undefined) return undefined;
  assert.notEqual(library(text), 'error', `the fast reader accepted text the library refuses:\n${text}`);
  assert.deepEqual(plain(fast), library(text), `fast and library differ on:\n${text}`);
  return fast;
}

test('the fast YAML reader reads every bundled and generated fixture as the library does', () => {
  for (const file of readdirSync('fixtures').filter((f) => f.endsWith('.yaml'))) assert.notEqual(agrees(readFileSync(`fixtures/${file}`, 'utf8')), undefined, `fixtures/${file} is outside the fast subset`);
  for (const file of readdirSync('fixtures/bad')) agrees(readFileSync(`fixtures/bad/${file}`, 'utf8'));
  const generated = generateFixture({ ...GENERATE_DEFAULTS, spines: 4, leaves: 6, serversPerLeaf: 3, prefixes: 3, seed: 3, prefixesPerServer: 2, capacities: [10, 20, 40], downFraction: 0.2 });
  assert.notEqual(agrees(generated), undefined, 'a generated fixture is outside the fast subset');
});

// Pieces of YAML, in and out of the subset, that random documents are built from.
const scalar = fc.constantFrom(
  'x', 'leaf01', 'a b', '10', '-3', '+4', '0.5', '.5', '5.', '1e3', '1E-2', '007', '0x1F', '0o17', '.inf', '-.Inf', '.nan', 'true', 'False', 'NULL', '~', 'null', 'yes', 'on',
  '198.51.100.1/32', '2001:db8::/32', '2001:db8::1', '"quoted"', "'single'", '"a # b"', "'it''s'", '"esc\\n"', 'a #c', 'a#b', 'x:y', 'a: b', '- x', '&anchor v', '*alias', '!tag v',
  '|', '>', '@x', '`x', '%x', '10.0.3', '"10.3"', '', '12345678901234567890', '[]', '{}', '[a, b]', '[a, [b, c]]', '{ a: 1, b: [x, y] }', '{a: 1}', '{ a: 1, a: 2 }', '[a, ]', '[a,b]',
  '{ a: }', '{ a }', '[a: 1]', '{ "k": v }', 'é', 'x  ', ' y',
);
const key = fc.constantFrom('name', 'leaf', 'asn', 'capacity', 'prefixes', 'a', 'b', 'null', 'true', 'key with space', '"quoted"', 'k', '1', 'x-y', 'x.y', '_u');
const goodKey = fc.oneof({ arbitrary: fc.constantFrom('name', 'leaf', 'asn', 'a', 'b', 'x-y', '_u'), weight: 8 }, { arbitrary: key, weight: 1 });
const indentOf = fc.constantFrom('', '  ', '    ', ' ', '   ');
const line = fc.oneof(
  fc.tuple(indentOf, key, scalar).map(([i, k, v]) => `${i}${k}: ${v}`),
  fc.tuple(indentOf, key).map(([i, k]) => `${i}${k}:`),
  fc.tuple(indentOf, scalar).map(([i, v]) => `${i}- ${v}`),
  fc.tuple(indentOf, key, scalar).map(([i, k, v]) => `${i}- ${k}: ${v}`),
  fc.tuple(indentOf).map(([i]) => `${i}-`),
  fc.constantFrom('# comment', '', '---', '...', 'k: v # trailing', '\tk: v', 'k: v\r', 'k: "unterminated', 'k: [a,', '  b]'),
);

test('on random lines the fast reader agrees with the library or leaves the text to it', () => {
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
      agrees(`${lines.join('\n')}\n`);
    }),
    { numRuns: 2000 },
  );
});

// Random documents with structure: nested maps and lists written block or flow style, from scalars
// in and out of the subset, so most are valid YAML and many are in the subset.
type Tree = string | { map: [string, Tree][] } | { seq: Tree[] };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: fc.constantFrom('x', 'leaf01', 'a b', '10', '-3', '0.5', '1e3', 'true', 'null', '~', '198.51.100.1/32', '2001:db8::/32', '"quoted"', "'single'", '10.0.3', '"10.3"', '[]', '{}', 'é'), weight: 6 },
    { arbitrary: scalar, weight: 1 },
    fc.record({ map: fc.array(fc.tuple(goodKey, tie('t')), { minLength: 1, maxLength: 4 }) }),
    fc.record({ seq: fc.array(tie('t'), { minLength: 1, maxLength: 4 }) }),
  ),
})).t;
const flowText = (t: Tree): string => (typeof t === 'string' ? t : 'map' in t ? `{ ${t.map.map(([k, v]) => `${k}: ${flowText(v)}`).join(', ')} }` : `[${t.seq.map(flowText).join(', ')}]`);
function block(t: Tree, indent: string, flowSome: (n: number) => boolean, out: string[]): void {
  if (typeof t === 'string') {
    out.push(`${indent}${t}`);
    return;
  }
  if ('map' in t) {
    for (const [k, v] of t.map) {
      if (typeof v === 'string' || flowSome(out.length)) out.push(`${indent}${k}: ${typeof v === 'string' ? v : flowText(v)}`);
      else {
        out.push(`${indent}${k}:`);
        block(v, 'seq' in v && flowSome(out.length + 1) ? indent : `${indent}  `, flowSome, out);
      }
    }
    return;
  }
  for (const v of t.seq) {
    if (typeof v === 'string' || flowSome(out.length)) out.push(`${indent}- ${typeof v === 'string' ? v : flowText(v)}`);
    else if ('map' in v) {
      const lines: string[] = [];
      block(v, `${indent}  `, flowSome, lines);
      lines[0] = `${indent}- ${lines[0]!.slice(indent.length + 2)}`;
      out.push(...lines);
    } else {
      out.push(`${indent}-`);
      block(v, `${indent}  `, flowSome, out);
    }
  }
}

test('on random documents the fast reader agrees with the library or leaves the text to it', () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.record({ map: fc.array(fc.tuple(goodKey, tree), { minLength: 1, maxLength: 5 }) }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (t, flows) => {
      const out: string[] = [];
      block(t, '', (n) => flows[n % flows.length]!, out);
      if (agrees(`${out.join('\n')}\n`) !== undefined) accepted++;
    }),
    { numRuns: 2000 },
  );
  // The comparison must have had something to compare.
  assert.ok(accepted > 200, `only ${accepted} random documents were in the subset`);
});

test('a fixture error read fast still names file, line and column (positions come from the exact read)', () => {
  const text = 'spines:\n  - { name: s1 }\nleaves:\n  - { name: l1, asn: 65201 }\nservers:\n  - { name: v1, leaf: l1, capacity: -1 }\nservices:\n  - { prefix: 198.51.100.1/32 }\n';
  assert.notEqual(parseYamlFast(text), undefined);
  assert.throws(() => parseFixture(text, 'x.yaml'), (e: unknown) => e instanceof InputError && e.code === 'E_SCHEMA_RANGE' && e.position.file === 'x.yaml' && e.position.line === 6 && e.position.col === 37);
});

test('the fast reader leaves text nested past the depth limit to the library (never runs out of stack)', () => {
  // readYaml checks only the size before the fast read; the depth limit is checked on the library path.
  const flow = `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
  const block = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
  for (const text of [flow, block]) assert.equal(parseYamlFast(text), undefined);
  // Just under the limit it still reads fast.
  assert.notEqual(parseYamlFast(`a: ${'['.repeat(60)}${']'.repeat(60)}\n`), undefined);
  assert.throws(() => parseFixture(flow, 'deep.yaml'), (e: unknown) => e instanceof InputError && e.code === 'E_YAML_LIMIT');
});
