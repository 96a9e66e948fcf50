// ballast verify's usage errors exit 2 with a message, like every other command; so does an agent
// that cannot be reached. (The lab tests drive the 0 and 1 cases on real FRR.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const BIN = new URL('../../bin/ballast.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'verify', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });

test('verify: no --agent, a bad option value, an unreachable agent: exit 2', () => {
  const none = run();
  assert.equal(none.status, 2, none.stderr);
  assert.match(none.stderr, /Name the agents to verify with --agent/);
  const bad = run('--agent', 'unix:///nonexistent/x.sock', '--settle', 'soon');
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--settle is "soon", expected a number of seconds/);
  const gone = run('--agent', 'unix:///nonexistent/x.sock');
  assert.equal(gone.status, 2, gone.stderr);
  assert.match(gone.stderr, /Cannot reach the agent at "unix:\/\/\/nonexistent\/x\.sock"/);
});
