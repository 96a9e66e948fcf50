/**
 * Each subcommand is loaded only when it runs: a what-if loads neither grpc-js, prom-client, pino
 * nor the lab, from the sources (tsx) and from the production build (esbuild chunks, mapped back to
 * their inputs through dist/meta.json). The positive controls show the trace sees those modules
 * when a command does need them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TRACE = join(root, 'test/cli/trace-loads.mjs');
const HEAVY = /node_modules\/(@grpc\/|grpc-health-check|prom-client|pino)|src\/(lab|api|agent|health)\//;
let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ballast-lazy-'));
  const b = spawnSync(process.execPath, ['deploy/build.mjs', join(dir, 'dist')], { cwd: root, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  // The gRPC packages stay outside the bundle and resolve from node_modules beside dist/, as installed.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** What one run loaded: module URLs, plus (for the build) the source inputs of every loaded chunk. */
function loaded(entry: string, args: string[]): string[] {
  const file = join(dir, `trace-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, ['--import', TRACE, entry, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, BALLAST_TRACE_FILE: file } });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  const urls = readFileSync(file, 'utf8').trim().split('\n');
  const meta = JSON.parse(readFileSync(join(dir, 'dist/meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const inputs = Object.entries(meta.outputs)
    .filter(([out]) => urls.some((u) => u.startsWith('file:') && fileURLToPath(u) === join(root, out)))
    .flatMap(([, o]) => Object.keys(o.inputs));
  return [...urls, ...inputs];
}

for (const [kind, entry] of [['sources (tsx)', 'bin/ballast.js'], ['build', '']] as const) {
  const bin = () => (entry === '' ? join(dir, 'dist/main.js') : join(root, entry));
  test(`${kind}: whatif loads no gRPC, metrics, logger, agent, health or lab code`, () => {
    const mods = loaded(bin(), ['whatif', 'fixtures/warning.yaml']);
    assert.ok(mods.some((m) => /whatif/.test(m)), 'the trace saw the what-if itself');
    assert.deepEqual(mods.filter((m) => HEAVY.test(m)), []);
  });
  test(`${kind}: --version loads no command module`, () => {
    const mods = loaded(bin(), ['--version']);
    assert.deepEqual(mods.filter((m) => /src\/(whatif|plan|fabric)|node_modules\/yaml/.test(m)), []);
  });
  test(`${kind}: the trace does see gRPC and prom-client where a command needs them`, () => {
    assert.ok(loaded(bin(), ['status', '--help']).some((m) => /node_modules\/@grpc\/grpc-js/.test(m)));
    assert.ok(loaded(bin(), ['health', '--help']).some((m) => /node_modules\/prom-client/.test(m)));
  });
  test(`${kind}: the agent loads prom-client only for metrics, grpc-js at the API's first client, reflection and health at their first call`, () => {
    const mods = loaded(bin(), ['agent', '--help']);
    assert.ok(mods.some((m) => /src\/agent\/agent\.ts/.test(m)), 'the trace saw the agent itself');
    assert.deepEqual(mods.filter((m) => /node_modules\/(prom-client|@grpc\/|grpc-health-check|protobufjs)|src\/api\/grpc-server/.test(m)), []);
  });
}
