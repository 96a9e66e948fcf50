/**
 * The vty socket protocol (src/frr/vty-socket.ts) against a small fake daemon on a unix socket: each
 * command arrives NUL-terminated, the answer is the output then `00 00 00 RET`. Real FRR (8.4 and 10.3)
 * is test/lab/vty-socket-frr.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isTimeout } from '../../src/agent/frr-faults.js';
import { frrRunner } from '../../src/frr/frr-runner.js';
import { vtySocket } from '../../src/frr/vty-socket.js';
import { BallastError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-vty-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const end = (ret: number) => Buffer.from([0, 0, 0, ret]);

/**
 * A fake daemon: `answer(command, socket)` writes the reply; every command received is logged. Like
 * FRR's vty, it answers the commands of a connection one after another, in order, however many arrive
 * in one read (an `answer` that writes later returns a promise, and the next waits for it).
 */
async function daemon(name: string, answer: (command: string, socket: Socket) => unknown): Promise<{ server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((socket) => {
    let buf = '';
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (b) => {
      buf += b.toString('utf8');
      for (let i; (i = buf.indexOf('\0')) >= 0; ) {
        const c = buf.slice(0, i);
        buf = buf.slice(i + 1);
        seen.push(c);
        queue = queue.then(async () => void (c === 'enable' ? socket.write(end(0)) : await answer(c, socket)));
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(join(dir, `${name}.vty`), resolve));
  return { server, seen };
}

const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));
const failsWith = (re: RegExp) => (e: unknown) => e instanceof BallastError && e.code === 'E_FRR_COMMAND' && re.test(e.message);

test('commands in order after enable, replies split anywhere (also inside the terminator), outputs concatenated', async () => {
  const d = await daemon('bgpd', (c, s) => {
    const reply = Buffer.concat([Buffer.from(`{"cmd":"${c}"}\n`), end(0)]);
    // One byte at a time, in separate writes.
    return new Promise<void>((done) => {
      let i = 0;
      const next = (): void => (i < reply.length ? (s.write(reply.subarray(i, ++i)), void setImmediate(next)) : done());
      next();
    });
  });
  try {
    const out = await vtySocket(['show a json', 'show b json'], { vtyDir: dir, daemon: 'bgpd' });
    assert.equal(out, '{"cmd":"show a json"}\n{"cmd":"show b json"}\n');
    assert.deepEqual(d.seen, ['enable', 'show a json', 'show b json']);
  } finally {
    await close(d.server);
  }
});

test('a batch of 300 commands goes in one write and comes back in order, answers of any size', async () => {
  let reads = 0;
  const d = await daemon('bgpd', (c, s) => s.write(Buffer.concat([Buffer.from(`${c}:${'x'.repeat(c.endsWith('7') ? 70_000 : 10)}\n`), end(0)])));
  d.server.on('connection', (sock) => sock.on('data', () => reads++));
  try {
    const commands = Array.from({ length: 300 }, (_, i) => `show n ${i}`);
    const out = await vtySocket(commands, { vtyDir: dir, daemon: 'bgpd' });
    assert.equal(out, commands.map((c) => `${c}:${'x'.repeat(c.endsWith('7') ? 70_000 : 10)}\n`).join(''));
    assert.deepEqual(d.seen, ['enable', ...commands]);
    assert.ok(reads <= 3, `the daemon read the batch in ${reads} reads`);
  } finally {
    await close(d.server);
  }
});

test('RET: warning and success-daemon are answers; unknown command fails with the output', async () => {
  const rets: Record<string, number> = { 'show warn': 1, 'show daemon': 10, 'show nope': 2, 'show odd': 42 };
  const d = await daemon('bgpd', (c, s) => s.write(Buffer.concat([Buffer.from(`out of ${c}\n`), end(rets[c] ?? 0)])));
  try {
    assert.equal(await vtySocket(['show warn', 'show daemon'], { vtyDir: dir, daemon: 'bgpd' }), 'out of show warn\nout of show daemon\n');
    await assert.rejects(vtySocket(['show warn', 'show nope'], { vtyDir: dir, daemon: 'bgpd' }), failsWith(/bgpd refused "show nope" \(unknown command\): out of show nope/));
    await assert.rejects(vtySocket(['show odd'], { vtyDir: dir, daemon: 'bgpd' }), failsWith(/code 42/));
  } finally {
    await close(d.server);
  }
});

test('a daemon that does not answer: "timed out" (the vtysh-timeout fault), and its late answer never reaches the next call', async () => {
  let calls = 0;
  const d = await daemon('bgpd', (c, s) => {
    const n = ++calls;
    setTimeout(() => s.writable && s.write(Buffer.concat([Buffer.from(`late ${n}\n`), end(0)])), n === 1 ? 400 : 0);
  });
  try {
    const t0 = Date.now();
    let err: unknown;
    await assert.rejects(vtySocket(['show x'], { vtyDir: dir, daemon: 'bgpd', timeoutMs: 150 }).catch((e: unknown) => ((err = e), Promise.reject(e))), failsWith(/timed out after 150 ms/));
    assert.ok(isTimeout(err));
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(await vtySocket(['show x'], { vtyDir: dir, daemon: 'bgpd', timeoutMs: 2000 }), 'late 2\n');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await vtySocket(['show x'], { vtyDir: dir, daemon: 'bgpd', timeoutMs: 2000 }), 'late 3\n');
  } finally {
    await close(d.server);
  }
});

test('a daemon that stopped accepting (frozen, backlog full): every call times out, none fails on EAGAIN', async () => {
  const frozen = mkdtempSync(join(dir, 'frozen-'));
  const path = join(frozen, 'bgpd.vty');
  // A listener that never accepts, with the smallest backlog: what a SIGSTOPped bgpd looks like.
  const py = spawn('python3', ['-c', `import socket,time\ns=socket.socket(socket.AF_UNIX)\ns.bind(${JSON.stringify(path)})\ns.listen(0)\nprint('up',flush=True)\ntime.sleep(30)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve) => py.stdout.once('data', resolve));
    const calls = [0, 1, 2, 3].map(() => vtySocket(['show bgp summary json'], { vtyDir: frozen, daemon: 'bgpd', timeoutMs: 300 }).then(() => 'answered', (e: unknown) => (e as Error).message));
    for (const m of await Promise.all(calls)) assert.match(m, /timed out after 300 ms/);
  } finally {
    py.kill('SIGKILL');
  }
});

test('a daemon that thaws just after the calls timed out: no connection is left open', async () => {
  const thawing = mkdtempSync(join(dir, 'thawing-'));
  const path = join(thawing, 'bgpd.vty');
  // Frozen for 0.17 s: the calls' retries every 50 ms drift past their 0.2 s timeout, then it accepts everything
  // and, 1 s later, says how many connections the client still holds open.
  const script = [
    'import socket,time,select',
    `s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(path)}); s.listen(0)`,
    "print('up',flush=True)",
    'time.sleep(0.17); s.setblocking(False); conns=[]; t=time.time()',
    'while time.time()-t<1.0:',
    '  r,_,_=select.select([s],[],[],0.05)',
    '  if r: conns.append(s.accept()[0])',
    'open_=0',
    'for c in conns:',
    '  c.setblocking(False)',
    '  try:',
    '    while c.recv(4096)!=b"": pass',
    '  except BlockingIOError: open_+=1',
    "print('open',open_,flush=True)",
  ].join('\n');
  const py = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  py.stdout.on('data', (b) => (out += b));
  try {
    await new Promise((resolve) => py.stdout.once('data', resolve));
    const calls = [0, 1, 2, 3, 4, 5].map(() => vtySocket(['show bgp summary json'], { vtyDir: thawing, daemon: 'bgpd', timeoutMs: 200 }).then(() => 'answered', (e: unknown) => (e as Error).message));
    for (const m of await Promise.all(calls)) assert.match(m, /timed out after 200 ms/);
    await new Promise((resolve) => py.once('exit', resolve));
    assert.match(out, /open 0\n/);
  } finally {
    py.kill('SIGKILL');
  }
});

test('a connection closed before the answer, an answer past the cap, a malformed terminator', async () => {
  const d = await daemon('bgpd', (c, s) => {
    if (c === 'show close') s.end('partial');
    else if (c === 'show big') s.write(Buffer.concat([Buffer.alloc(5000, 'x'), end(0)]));
    else s.write(Buffer.from([104, 105, 0, 7, 0, 0]));
  });
  try {
    await assert.rejects(vtySocket(['show close'], { vtyDir: dir, daemon: 'bgpd' }), failsWith(/bgpd closed its vty socket .*bgpd\.vty before answering "show close"/));
    await assert.rejects(vtySocket(['show big'], { vtyDir: dir, daemon: 'bgpd', maxBytes: 1000 }), failsWith(/larger than 1000 bytes/));
    assert.equal((await vtySocket(['show big'], { vtyDir: dir, daemon: 'bgpd' })).length, 5000);
    await assert.rejects(vtySocket(['show bad'], { vtyDir: dir, daemon: 'bgpd' }), failsWith(/malformed terminator/));
  } finally {
    await close(d.server);
  }
});

test('no socket, or a file nobody listens on: the path and what to check', async () => {
  const empty = mkdtempSync(join(dir, 'empty-'));
  await assert.rejects(vtySocket(['show bgp summary json'], { vtyDir: empty, daemon: 'bgpd' }), failsWith(new RegExp(`${empty}/bgpd\\.vty does not exist \\(is bgpd running`)));
  writeFileSync(join(empty, 'bgpd.vty'), '');
  await assert.rejects(vtySocket(['show bgp summary json'], { vtyDir: empty, daemon: 'bgpd' }), failsWith(/nothing listens on .*bgpd\.vty/));
  chmodSync(empty, 0o700);
});

test('only single-line show commands', async () => {
  const usage = (e: unknown) => e instanceof BallastError && e.code === 'E_USAGE';
  await assert.rejects(vtySocket(['configure terminal'], { vtyDir: dir }), usage);
  await assert.rejects(vtySocket(['show bgp\nconfigure terminal'], { vtyDir: dir }), usage);
  await assert.rejects(vtySocket(['show x\0y'], { vtyDir: dir }), usage);
  await assert.rejects(vtySocket([], { vtyDir: dir }), usage);
});

test('without a daemon, zebra answers routes and bgpd the rest, in the order asked', async () => {
  const zebra = await daemon('zebra', (c, s) => s.write(Buffer.concat([Buffer.from(`zebra:${c};`), end(0)])));
  const bgpd = await daemon('bgpd', (c, s) => s.write(Buffer.concat([Buffer.from(`bgpd:${c};`), end(0)])));
  try {
    const out = await vtySocket(['show running-config', 'show ip route 198.51.100.1/32 json', 'show ipv6 route 2001:db8::1/128 json', 'show bgp ipv4 unicast 198.51.100.1/32 json'], { vtyDir: dir });
    assert.equal(out, 'bgpd:show running-config;zebra:show ip route 198.51.100.1/32 json;zebra:show ipv6 route 2001:db8::1/128 json;bgpd:show bgp ipv4 unicast 198.51.100.1/32 json;');
    assert.deepEqual(zebra.seen, ['enable', 'show ip route 198.51.100.1/32 json', 'show ipv6 route 2001:db8::1/128 json']);
  } finally {
    await Promise.all([close(zebra.server), close(bgpd.server)]);
  }
});

test('frrRunner: reads over the socket unless reads: vtysh; configuration always through vtysh', async () => {
  const d = await daemon('bgpd', (c, s) => s.write(Buffer.concat([Buffer.from(`socket:${c}\n`), end(0)])));
  const fake = join(dir, 'vtysh');
  writeFileSync(fake, '#!/bin/sh\necho "vtysh:$*"\n', { mode: 0o755 });
  try {
    const base = { vtysh: fake, vtyDir: dir, timeoutMs: 2000 };
    const socket = frrRunner({ ...base, reads: 'socket' }, 'bgpd');
    assert.equal(await socket(['show bgp summary json']), 'socket:show bgp summary json\n');
    assert.equal(await socket(['configure terminal', 'route-map X permit 10']), `vtysh:--vty_socket ${dir} -d bgpd -c configure terminal -c route-map X permit 10\n`);
    assert.equal(await frrRunner({ ...base, reads: 'vtysh' }, 'bgpd')(['show bgp summary json']), `vtysh:--vty_socket ${dir} -d bgpd -c show bgp summary json\n`);
    assert.deepEqual(d.seen, ['enable', 'show bgp summary json']);
  } finally {
    await close(d.server);
  }
});
