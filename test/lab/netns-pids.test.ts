// pidsByNetns: which processes are inside which named namespace, from one /proc scan. A namespace is
// matched by the inode its bind mount and /proc/PID/ns/net share; here hard links stand in for both.
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, symlinkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pidsByNetns } from '../../src/lab/netns.js';

const root = mkdtempSync(join(tmpdir(), 'ballast-netns-pids-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('each process is counted in the namespace its ns/net file is; gone namespaces and other entries have none', () => {
  const netnsDir = join(root, 'netns');
  const proc = join(root, 'proc');
  mkdirSync(netnsDir);
  for (const name of ['bat-leaf1', 'bat-spine1', 'other']) writeFileSync(join(netnsDir, name), name);
  const inNs = (pid: string, ns: string | null) => {
    mkdirSync(join(proc, pid, 'ns'), { recursive: true });
    if (ns === null) writeFileSync(join(proc, pid, 'ns', 'net'), 'host');
    else linkSync(join(netnsDir, ns), join(proc, pid, 'ns', 'net'));
  };
  inNs('1', 'bat-leaf1'); // init is never the lab's
  inNs('200', 'bat-leaf1');
  inNs('201', 'bat-leaf1');
  inNs('300', 'bat-spine1');
  inNs('400', 'other');
  inNs('500', null);
  mkdirSync(join(proc, '600')); // a kernel thread: no ns/net to read
  mkdirSync(join(proc, 'self'));
  const got = pidsByNetns(['bat-leaf1', 'bat-spine1', 'bat-gone'], proc, netnsDir);
  assert.deepEqual(Object.fromEntries([...got].map(([k, v]) => [k, [...v].sort()])), { 'bat-leaf1': [200, 201], 'bat-spine1': [300], 'bat-gone': [] });
});

test('this process is found in the namespace it runs in', () => {
  // The namespace this test runs in may have no name under /run/netns: name it in a private
  // directory (a symlink: stat follows it to the namespace's inode, as it does a bind mount).
  const dir = join(root, 'self-netns');
  mkdirSync(dir);
  symlinkSync(`/proc/${process.pid}/ns/net`, join(dir, 'me'));
  assert.ok(pidsByNetns(['me'], '/proc', dir).get('me')!.includes(process.pid));
});
