/**
 * Fuzzing the CLI's YAML inputs (fixtures, the agent config, the health config) with mutations of the
 * bundled files: no crash, no hang, and every rejection an InputError with a stable code and a
 * position inside the file. A few mutated fixtures also go through the real CLI (`ballast whatif`):
 * exit 0-3 only, and a rejection printed as `ballast: file:line:col: message`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { parseAgentConfig } from '../../src/agent/config.js';
import { parseFixture } from '../../src/fabric/load.js';
import { parseHealthConfig } from '../../src/health/config.js';
import { InputError, InputErrors } from '../../src/util/errors.js';
import { GOOD } from '../agent/config-fixture.js';
import { fuzz, RUNS } from './harness.js';
import { mutatedText } from './mutate.js';

const root = new URL('../../', import.meta.url);
const fixtureDir = new URL('fixtures/', root);
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(new URL(f, fixtureDir), 'utf8'));
const bad = readdirSync(new URL('bad/', fixtureDir)).map((f) => readFileSync(new URL(`bad/${f}`, fixtureDir), 'utf8'));
const health = [readFileSync(new URL('health/example.yaml', fixtureDir), 'utf8')];

const FILE = 'mutated.yaml';
/** YAML costs about 1 ms a document: 3,000 mutations per kind keep this file to seconds in CI. */
const YAML_RUNS = Math.max(1000, Math.floor(RUNS * 0.3));

/** A rejection must be an InputError naming the file and a line and column that exist in the text. */
function positioned(err: unknown, text: string): string | null {
  const lines = text.split('\n');
  const ok = (e: InputError): boolean => {
    const { file, line, col } = e.position;
    return file === FILE && line >= 1 && line <= lines.length + 1 && col >= 1 && col <= (lines[line - 1]?.length ?? 0) + 1 && /^E_[A-Z_]+$/.test(e.code);
  };
  if (err instanceof InputError) return ok(err) ? err.code : null;
  if (err instanceof InputErrors) return err.errors.length > 0 && err.errors.every(ok) ? err.code : null;
  return null;
}

test('fixtures: mutated bundled fixtures are loaded or refused with code and position', { timeout: 180_000 }, (t) => {
  const c = fuzz(t, 'yaml fixture', mutatedText([...fixtures, ...bad], 20), (x) => void parseFixture(x, FILE), { isRejection: positioned, runs: YAML_RUNS });
  assert.ok(c.accepted > 0 && c.rejected > 0);
});

test('agent config: mutated configs are loaded or refused with code and position', { timeout: 180_000 }, (t) => {
  fuzz(t, 'yaml agent-config', mutatedText([GOOD], 20), (x) => void parseAgentConfig(x, FILE), { isRejection: positioned, runs: YAML_RUNS });
});

test('health config: mutated configs are loaded or refused with code and position', { timeout: 180_000 }, (t) => {
  fuzz(t, 'yaml health-config', mutatedText(health, 20), (x) => void parseHealthConfig(x, FILE), { isRejection: positioned, runs: YAML_RUNS });
});

const dir = mkdtempSync(join(tmpdir(), 'ballast-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the CLI on mutated fixtures: exit 0-3, a rejection as file:line:col, never an internal error', { timeout: 180_000 }, (t) => {
  const samples = fc.sample(mutatedText(fixtures), { numRuns: 4, seed: Number(process.env.BALLAST_FUZZ_SEED ?? Date.now() % 2 ** 31) });
  const exits = new Map<number, number>();
  samples.forEach((text, i) => {
    const file = join(dir, `m${i}.yaml`);
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, [new URL('bin/ballast.js', root).pathname, 'whatif', file], { encoding: 'utf8', timeout: 60_000 });
    assert.ok(r.status !== null && [0, 1, 2, 3].includes(r.status), `exit ${r.status} on ${file}: ${r.stderr}`);
    if (r.status === 2) assert.match(r.stderr, new RegExp(`^ballast: ${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: .+\\[?`), r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    exits.set(r.status, (exits.get(r.status) ?? 0) + 1);
  });
  t.diagnostic(`fuzz cli whatif: runs ${samples.length}, crashes 0, hangs 0, exits ${[...exits].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
});
