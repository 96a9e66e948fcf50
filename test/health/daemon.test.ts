// The daemon end to end in one process: a real HTTP service on 127.0.0.1, the addresses in a
// namespace this test creates, the control socket in a temporary runtime directory.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { parseHealthConfig } from '../../src/health/config.js';
import { request, socketPath } from '../../src/health/control.js';
import { HealthDaemon } from '../../src/health/daemon.js';
import type { HealthSnapshot } from '../../src/health/snapshot.js';
import { BallastError } from '../../src/util/errors.js';
import { addressesIn, createNetns, deleteNetns, netnsSkipReason } from './netns.js';

const skip = netnsSkipReason();
const A = '198.51.100.7/32';
const B = '2001:db8::7/128';
let ns = '';
let dir = '';
let service: Server | null = null;
let port = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hc-daemon-'));
  if (!skip) ns = createNetns('daemon');
  // Reserve a port, then serve on it (re-listening after a stop needs the same port).
  await startService();
});
after(async () => {
  await stopService();
  if (ns) deleteNetns(ns);
  rmSync(dir, { recursive: true, force: true });
});

async function startService(): Promise<void> {
  service = createServer((_req, res) => res.end('ok\n'));
  await new Promise<void>((r) => service!.listen(port, '127.0.0.1', r));
  port = (service.address() as AddressInfo).port;
}
async function stopService(): Promise<void> {
  const s = service;
  service = null;
  if (s) await new Promise((r) => { s.close(r); s.closeAllConnections(); });
}

function config(extra = '', onExit = 'withdraw') {
  const text = `
on-exit: ${onExit}
runtime-dir: ${dir}/run
drain-file: ${dir}/drain
reconcile-seconds: 0.3
defaults: { interval-seconds: 0.1, timeout-seconds: 0.5, rise: 2, fall: 2 }
services:
  - name: web
    prefixes: [${A}, ${B}]
    checks:
      - { name: http, type: http, url: "http://127.0.0.1:${port}/", body-match: "^ok" }
      - { name: port, type: tcp, port: ${port} }
${extra}`;
  writeFileSync(join(dir, 'health.yaml'), text);
  return parseHealthConfig(text, join(dir, 'health.yaml'));
}

function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** Poll (bounded) until `cond` holds; the message says what never happened. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 25) {
    if (cond()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting until ${what}`);
}
const has = (p: string) => addressesIn(ns).includes(p);

test('start-up gating, fall, rise, drain and undrain, drain file, withdraw on exit', { skip: skip ?? false }, async () => {
  const { logger, lines } = memoryLogger();
  const daemon = new HealthDaemon(config(), { logger, netns: ns, drainPollMs: 50 });
  await daemon.start();
  try {
    const sock = socketPath(`${dir}/run`);
    const first = await request<HealthSnapshot>(sock, { op: 'status' });
    assert.equal(first.schemaVersion, 1);

    await until(() => lines.some((l) => l.event === 'address'), 'the addresses are added');
    assert.ok(has(A) && has(B));
    // Ordering from the log, not timing: both checks rose (rise 2) before the first address change.
    const firstAddress = lines.findIndex((l) => l.event === 'address');
    const rose = lines.slice(0, firstAddress).filter((l) => l.event === 'check' && l.from === 'init' && l.to === 'up').map((l) => l.check);
    assert.deepEqual(rose.sort(), ['http', 'port']);
    assert.equal(lines[firstAddress]?.action, 'announce');
    let snap = daemon.snapshot();
    assert.equal(snap.services[0]?.verdict, 'healthy');
    assert.deepEqual(snap.services[0]?.checks.map((c) => [c.name, c.status, c.transitions.up]), [['http', 'up', 1], ['port', 'up', 1]]);
    assert.ok((snap.services[0]?.checks[0]?.last?.durationSeconds ?? -1) >= 0);

    await stopService();
    await until(() => !has(A) && !has(B), 'the addresses are removed after fall failures');
    assert.equal(daemon.snapshot().services[0]?.verdict, 'unhealthy');
    const down = lines.find((l) => l.event === 'check' && l.to === 'down');
    assert.ok(down, 'a check-down transition is logged');
    assert.equal(down.level, 40);
    // The log line follows the last `ip addr del`: wait for it rather than race it.
    await until(() => lines.some((l) => l.event === 'address' && l.action === 'withdraw' && l.reason === 'unhealthy'), 'the withdraw is logged');

    await startService();
    await until(() => has(A), 'the address comes back after rise passes');

    // Drain while the service stays up: out of rotation, and the answer comes after the withdraw.
    snap = await request<HealthSnapshot>(sock, { op: 'drain', reason: 'kernel upgrade' });
    assert.equal(has(A), false, 'withdrawn by the time drain answers');
    assert.equal(snap.services[0]?.drains.command?.reason, 'kernel upgrade');
    await sleep(300);
    assert.equal(has(A), false, 'passing checks do not bring a drained service back');
    snap = await request<HealthSnapshot>(sock, { op: 'undrain' });
    assert.equal(snap.services[0]?.probation, true, 'undrain starts probation');
    assert.equal(has(A), false, 'not back at once: through the normal rise');
    await until(() => has(A), 'back after rise fresh passes');

    writeFileSync(join(dir, 'drain'), 'rack move\n');
    await until(() => !has(A), 'the drain file takes it out');
    assert.equal(daemon.snapshot().services[0]?.drains.file?.reason, 'rack move');
    rmSync(join(dir, 'drain'));
    await until(() => has(A), 'removing the drain file brings it back');

    await assert.rejects(request(sock, { op: 'drain', service: 'nope' }), (e: unknown) => e instanceof BallastError && e.code === 'E_HEALTH_CONTROL' && /Unknown service "nope", expected one of web/.test(e.message));
  } finally {
    await daemon.stop();
  }
  assert.ok(!has(A) && !has(B), 'on-exit withdraw removes the addresses');
});

test('reconcile puts back an address removed by hand; on-exit leave keeps the addresses; a second checker on the same socket is refused', { skip: skip ?? false }, async () => {
  if (!service) await startService();
  const { logger, lines } = memoryLogger();
  const daemon = new HealthDaemon(config('', 'leave'), { logger, netns: ns });
  await daemon.start();
  try {
    await until(() => has(A), 'announced');
    const { execFileSync } = await import('node:child_process');
    execFileSync('ip', ['-n', ns, 'addr', 'del', A, 'dev', 'lo']);
    // Log lines follow the `ip` calls they report: wait for the line, then look at the interface.
    await until(() => lines.some((l) => l.event === 'reconcile' && l.level === 40), 'the reconcile timer repairs the interface (warning)');
    assert.ok(has(A));
    const second = new HealthDaemon(config('', 'leave'), { logger, netns: ns });
    await assert.rejects(second.start(), (e: unknown) => e instanceof BallastError && e.code === 'E_HEALTH_CONTROL' && /already listening/.test(e.message));
  } finally {
    await daemon.stop();
  }
  assert.ok(has(A) && has(B), 'on-exit leave keeps the addresses');
  // A restarted checker that finds them keeps them while pending, then adopts them without a flap.
  const { logger: l2, lines: lines2 } = memoryLogger();
  const again = new HealthDaemon(config(), { logger: l2, netns: ns });
  await again.start();
  try {
    await until(() => lines2.some((l) => l.event === 'address'), 'announced again');
    assert.equal(again.snapshot().services[0]?.inRotation, true);
    const results = lines2.filter((l) => l.event === 'address').flatMap((l) => l.results as { change: string }[]);
    assert.deepEqual(results.map((r) => r.change), ['already-present', 'already-present']);
  } finally {
    await again.stop();
  }
  assert.ok(!has(A));
});

test('a command drain survives a restart of the checker', { skip: skip ?? false }, async () => {
  if (!service) await startService();
  const { logger } = memoryLogger();
  const one = new HealthDaemon(config(), { logger, netns: ns });
  await one.start();
  await request(socketPath(`${dir}/run`), { op: 'drain', service: 'web', reason: 'keep me out' });
  await one.stop();
  const two = new HealthDaemon(config(), { logger, netns: ns });
  await two.start();
  try {
    assert.equal(two.snapshot().services[0]?.drains.command?.reason, 'keep me out');
    await sleep(400);
    assert.ok(!has(A), 'still out of rotation after the restart');
    await request(socketPath(`${dir}/run`), { op: 'undrain' });
    await until(() => has(A), 'back after undrain');
  } finally {
    await two.stop();
  }
});

test('reload keeps unchanged checks, withdraws a prefix that left and adds one that came, without a flap', { skip: skip ?? false }, async () => {
  if (!service) await startService();
  const { logger, lines } = memoryLogger();
  const daemon = new HealthDaemon(config(), { logger, netns: ns });
  await daemon.start();
  const C = '203.0.113.7/32';
  try {
    await until(() => has(A) && has(B), 'announced');
    const before = daemon.snapshot().services[0]!;
    const next = parseHealthConfig(readFileSync(join(dir, 'health.yaml'), 'utf8').replace(`[${A}, ${B}]`, `[${A}, ${C}]`), 'reloaded.yaml');
    await daemon.reload(next);
    await daemon.idle();
    assert.ok(has(A) && has(C) && !has(B), addressesIn(ns).join(' '));
    const after = daemon.snapshot().services[0]!;
    assert.equal(after.verdict, 'healthy');
    assert.deepEqual(after.checks.map((c) => c.transitions), before.checks.map((c) => c.transitions), 'unchanged checks keep their state');
    assert.ok(!lines.some((l) => l.event === 'address' && (l.results as { prefix: string; change: string }[]).some((r) => r.prefix === A && r.change === 'removed')), 'A never flapped');
    assert.ok(lines.some((l) => l.event === 'address' && l.reason === 'removed'));
  } finally {
    await daemon.stop();
  }
  assert.ok(!has(A) && !has(C));
});
