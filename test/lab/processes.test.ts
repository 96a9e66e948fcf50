// alive(): a zombie counts as gone (it holds nothing; only its parent's wait is missing), so `lab down`
// does not wait for whoever reaps the lab's orphans. A process that waits is alive; a reaped one is not.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive } from '../../src/lab/processes.js';

test('a running process is alive, its unreaped exited child is not, a reaped one is not', async () => {
  // The shell starts `true` in the background, then becomes `sleep`, which never reaps it: a zombie.
  const parent = spawn('sh', ['-c', 'true & echo $!; exec sleep 3'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
  await sleep(300);
  assert.ok(alive(parent.pid!), 'the sleeping parent runs');
  assert.equal(alive(zombie), false, `the exited, unreaped child ${zombie} counts as gone`);
  parent.kill('SIGKILL');
  await new Promise((r) => parent.once('close', r));
  assert.equal(alive(parent.pid!), false, 'a reaped process is gone');
});
