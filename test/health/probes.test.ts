// Probes against real servers on 127.0.0.1 ephemeral ports, and real child processes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCheck } from '../../src/health/probe.js';
import type { CheckConfig, Probe } from '../../src/health/types.js';

const check = (probe: Probe, timeoutMs = 2000): CheckConfig => ({ name: probe.type, probe, intervalMs: 1000, timeoutMs, rise: 1, fall: 1 });
const http = (url: string, extra: Partial<Extract<Probe, { type: 'http' }>> = {}): Probe => ({ type: 'http', url, expectStatus: [200], bodyMatch: null, insecure: false, ...extra });

let server: Server;
let base = '';
const hanging = new Set<import('node:http').ServerResponse>();
before(async () => {
  server = createHttpServer((req, res) => {
    if (req.url === '/ok') res.end('ok: all good\n');
    else if (req.url === '/degraded') res.end('degraded\n');
    else if (req.url === '/hang') hanging.add(res); // never answers
    else {
      res.statusCode = 503;
      res.end('down');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  for (const res of hanging) res.destroy();
  server.close();
});

async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

test('tcp passes on a listening port and fails on a closed one', async () => {
  const port = Number(new URL(base).port);
  const up = await runCheck(check({ type: 'tcp', host: '127.0.0.1', port }));
  assert.equal(up.ok, true, up.detail);
  const down = await runCheck(check({ type: 'tcp', host: '127.0.0.1', port: await closedPort() }));
  assert.equal(down.ok, false);
  assert.match(down.detail, /ECONNREFUSED/);
  assert.ok(down.durationMs >= 0);
});

test('http passes on the expected status and body, fails on another status or a body that does not match', async () => {
  assert.equal((await runCheck(check(http(`${base}/ok`)))).ok, true);
  assert.equal((await runCheck(check(http(`${base}/ok`, { bodyMatch: '^ok' })))).ok, true);
  const body = await runCheck(check(http(`${base}/degraded`, { bodyMatch: '^ok' })));
  assert.equal(body.ok, false);
  assert.match(body.detail, /body does not match/);
  const status = await runCheck(check(http(`${base}/missing`)));
  assert.equal(status.ok, false);
  assert.match(status.detail, /status 503, expected 200/);
  assert.equal((await runCheck(check(http(`${base}/missing`, { expectStatus: [200, 503] })))).ok, true);
});

test('an http server that never answers is cut off by the timeout and counts as a failure', async () => {
  const r = await runCheck(check(http(`${base}/hang`), 300));
  assert.equal(r.ok, false);
  assert.equal(r.detail, 'timed out after 300 ms');
  assert.ok(r.durationMs >= 290, `took ${r.durationMs} ms`);
});

test('https verifies the certificate unless insecure is set', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hc-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const tls = createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
    try {
      const strict = await runCheck(check(http(url)));
      assert.equal(strict.ok, false);
      assert.match(strict.detail, /SELF_SIGNED|self.signed/i);
      const insecure = await runCheck(check(http(url, { insecure: true, bodyMatch: 'ok' })));
      assert.equal(insecure.ok, true, insecure.detail);
    } finally {
      tls.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a command passes on exit 0 and fails on another status or a missing program', async () => {
  assert.equal((await runCheck(check({ type: 'command', argv: ['/bin/true'] }))).ok, true);
  const f = await runCheck(check({ type: 'command', argv: ['/bin/sh', '-c', 'echo not ready >&2; exit 3'] }));
  assert.equal(f.ok, false);
  assert.equal(f.detail, '/bin/sh exited with 3: not ready');
  const missing = await runCheck(check({ type: 'command', argv: ['/nonexistent/check'] }));
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /ENOENT/);
});

/** Alive and not a zombie (a killed orphan may wait a moment for its reaper). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

test('a hanging command is cut off by the timeout, and everything it started is killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hc-cmd-'));
  const pidFile = join(dir, 'pid');
  try {
    // The shell starts a background sleep that holds the pipes open: the classic execFile hang.
    const r = await runCheck(check({ type: 'command', argv: ['/bin/sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`] }, 300));
    assert.equal(r.ok, false);
    assert.equal(r.detail, 'timed out after 300 ms');
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(sleeper > 1);
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      alive = running(sleeper);
      if (alive) await sleep(20);
    }
    assert.equal(alive, false, `the grandchild sleep (pid ${sleeper}) survived the timeout`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
