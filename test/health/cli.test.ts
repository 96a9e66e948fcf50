// The real CLI: `ballast health` exec'd inside a namespace (as the lab runs it) next to a small
// HTTP service in the same namespace; status/drain/undrain from outside over the socket.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressesIn, createNetns, deleteNetns, netnsSkipReason } from './netns.js';

const BIN = join(import.meta.dirname, '../../bin/ballast.js');
const skip = netnsSkipReason();
const A = '198.51.100.9/32';
let ns = '';
let dir = '';
const children = new Set<ChildProcess>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hc-cli-'));
  if (!skip) ns = createNetns('cli');
});
after(() => {
  for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
  if (ns) deleteNetns(ns);
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
}

async function until(cond: () => boolean, what: string, ms = 8000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (cond()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting until ${what}`);
}

test('a malformed config is refused with file:line:col and exit 2', () => {
  const r = cli(['health', '-c', 'fixtures/bad-health/not-host-prefix.yaml']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), 'ballast: fixtures/bad-health/not-host-prefix.yaml:4:16: Cannot use prefix "198.51.100.0/24" as an anycast address: expected a host prefix /32');
  assert.equal(r.stdout, '');
});

test('status without a running checker says so and exits 2', () => {
  const r = cli(['health', 'status', '--socket', join(dir, 'none.sock')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Cannot reach the health checker at ".*none\.sock": ENOENT .*\[E_HEALTH_CONTROL\]/);
});

function spawnIn(args: string[]): ChildProcess & { out: string[] } {
  const child = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { out: string[] };
  child.out = [];
  child.stdout!.on('data', (b: Buffer) => child.out.push(...b.toString('utf8').split('\n').filter(Boolean)));
  child.stderr!.on('data', (b: Buffer) => child.out.push(...b.toString('utf8').split('\n').filter(Boolean)));
  children.add(child);
  return child;
}

test('inside a namespace: announce, drain and undrain from outside, SIGHUP with a bad config, SIGTERM withdraws', { skip: skip ?? false }, async () => {
  const cfg = join(dir, 'health.yaml');
  const good = `runtime-dir: ${dir}/run\ndefaults: { interval-seconds: 0.1, timeout-seconds: 0.5, rise: 2, fall: 2 }\nservices:\n  - name: web\n    prefixes: ${A}\n    checks:\n      - { type: http, url: "http://127.0.0.1:8080/" }\n`;
  writeFileSync(cfg, good);
  // The service listens on 127.0.0.1 of the namespace: reachable only from inside it.
  const web = spawnIn([process.execPath, '-e', "require('node:http').createServer((q, r) => r.end('ok')).listen(8080, '127.0.0.1')"]);
  const daemon = spawnIn([process.execPath, BIN, 'health', '-c', cfg]);
  await until(() => addressesIn(ns).includes(A), `${A} is on lo in ${ns}`);

  const status = cli(['health', 'status', '--json', '-c', cfg]);
  assert.equal(status.status, 0, status.stderr);
  const snap = JSON.parse(status.stdout) as { schemaVersion: number; pid: number; services: { verdict: string; inRotation: boolean }[] };
  assert.equal(snap.schemaVersion, 1);
  assert.equal(snap.pid, daemon.pid, 'ip netns exec execs in place: the pid is the checker');
  assert.deepEqual([snap.services[0]?.verdict, snap.services[0]?.inRotation], ['healthy', true]);
  const text = cli(['health', 'status', '-c', cfg]);
  assert.match(text.stdout, /^web {2}healthy {2}in rotation {2}198\.51\.100\.9\/32$/m);

  const drain = cli(['health', 'drain', '--reason', 'maintenance', '-c', cfg]);
  assert.equal(drain.status, 0, drain.stderr);
  assert.ok(!addressesIn(ns).includes(A), 'drained while the service stays up');
  assert.equal(web.exitCode, null);
  assert.equal(cli(['health', 'undrain', '-c', cfg]).status, 0);
  await until(() => addressesIn(ns).includes(A), 'back after undrain');

  writeFileSync(cfg, `${good}  - bogus: 1\n`);
  process.kill(daemon.pid!, 'SIGHUP');
  await until(() => daemon.out.some((l) => l.includes('"reload-refused"')), 'the bad reload is logged');
  const refused = daemon.out.find((l) => l.includes('"reload-refused"'))!;
  assert.match(refused, /health\.yaml:8:5: /, 'the reload error names file:line:col');
  assert.equal(daemon.exitCode, null, 'still running on the old config');

  process.kill(daemon.pid!, 'SIGTERM');
  const code = await new Promise<number | null>((r) => (daemon.exitCode !== null ? r(daemon.exitCode) : daemon.once('exit', (c) => r(c))));
  assert.equal(code, 0);
  assert.ok(!addressesIn(ns).includes(A), 'withdrawn on exit');
  for (const line of daemon.out) assert.doesNotThrow(() => JSON.parse(line), `every log line is JSON: ${line}`);
  process.kill(web.pid!, 'SIGTERM');
});
