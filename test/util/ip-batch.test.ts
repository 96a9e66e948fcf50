/**
 * The long-lived batch process (src/util/ip-batch.ts): with the real `ip` (read-only route listings of
 * this namespace), and with small stand-ins for a process that hangs, dies or prints too much.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { ipKernelReader } from '../../src/agent/frr-faults.js';
import { IpBatch } from '../../src/util/ip-batch.js';
import { BallastError } from '../../src/util/errors.js';

const fails = (re: RegExp) => (e: unknown) => e instanceof BallastError && re.test(e.message);

test('real ip: one JSON line per command, the same process for every call', async () => {
  const b = new IpBatch(['ip', '-j', '-batch', '-']);
  try {
    const first = await b.run(['route show root 127.0.0.0/8 table local', 'route show root 198.51.100.77/32'], 10_000);
    assert.equal(first.length, 2);
    const local = JSON.parse(first[0]!) as { dst: string }[];
    assert.ok(local.some((r) => r.dst === '127.0.0.1'), first[0]);
    assert.deepEqual(JSON.parse(first[1]!), []);
    const pid = b.pid;
    assert.ok(pid !== undefined);
    for (let i = 0; i < 20; i++) assert.equal((await b.run(['route show root 198.51.100.77/32'], 10_000))[0], '[]');
    assert.equal(b.pid, pid, 'no new process per call');
  } finally {
    b.close();
  }
});

test('real ip: a command it cannot run ends the call at once, and the next call starts a new process', async () => {
  const b = new IpBatch(['ip', '-j', '-batch', '-']);
  try {
    const pid = (await b.run(['route show root 198.51.100.77/32'], 10_000), b.pid);
    const t0 = performance.now();
    await assert.rejects(b.run(['route show root 10.999.0.0/8'], 10_000), fails(/exited \(code \d+\).*valid prefix/));
    assert.ok(performance.now() - t0 < 5000, 'not left to the timeout');
    assert.deepEqual(await b.run(['route show root 198.51.100.77/32'], 10_000), ['[]']);
    assert.notEqual(b.pid, pid);
  } finally {
    b.close();
  }
});

test('calls are answered in order, each with its own lines', async () => {
  // cat answers each line with itself.
  const b = new IpBatch(['cat']);
  try {
    const calls = [['a', 'b'], ['c'], ['d', 'e', 'f']].map((c) => b.run(c, 10_000));
    assert.deepEqual(await Promise.all(calls), [['a', 'b'], ['c'], ['d', 'e', 'f']]);
    assert.throws(() => b.run(['x\ny'], 10_000), fails(/line break/));
  } finally {
    b.close();
  }
});

test('a process that does not answer times out and is killed; one that prints more than asked is not trusted', async () => {
  const quiet = new IpBatch(['sleep', '30']);
  await assert.rejects(quiet.run(['x'], 200), fails(/timed out after 200 ms/));
  assert.equal(quiet.pid, undefined, 'killed, not kept');
  quiet.close();
  // Two lines for every command, in one write (so they arrive together).
  const chatty = new IpBatch(['python3', '-c', 'import sys\nfor l in iter(sys.stdin.readline, ""): sys.stdout.write(l + l); sys.stdout.flush()']);
  try {
    await assert.rejects(chatty.run(['x'], 10_000), fails(/more lines than it was given commands/));
    assert.equal(chatty.pid, undefined);
  } finally {
    chatty.close();
  }
  await assert.rejects(new IpBatch(['/nonexistent/ip']).run(['x'], 10_000), (e: unknown) => e instanceof BallastError && e.code === 'E_MISSING_TOOL');
});

test("the kernel check's reader (agent/frr-faults.ts) on this namespace's real tables: one process, the dump's prefixes found", async () => {
  const v4 = (JSON.parse(execFileSync('ip', ['-j', 'route', 'show'], { encoding: 'utf8' })) as { dst: string }[]).map((r) => r.dst).filter((d) => d.includes('/'));
  const v6 = (JSON.parse(execFileSync('ip', ['-6', '-j', 'route', 'show'], { encoding: 'utf8' })) as { dst: string }[]).map((r) => r.dst).filter((d) => d.includes('/'));
  const present = [...v4.slice(0, 1), ...v6.slice(0, 1)];
  const absent = ['198.51.100.77/32', '2001:db8::77/128'];
  const read = ipKernelReader(10_000);
  try {
    for (let i = 0; i < 3; i++) assert.deepEqual([...(await read([...present, ...absent]))].sort(), [...present].sort());
    assert.deepEqual([...(await read(absent))], []);
  } finally {
    read.close();
  }
});
