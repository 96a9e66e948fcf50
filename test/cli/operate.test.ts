import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { parseListen } from '../../src/api/listen.js';
import { decisionNotice, FakeAgent } from '../api/fake-agent.js';
import { BallastError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-op-'));
const sock = join(dir, 'agent.sock');
const agent = new FakeAgent();
let server: ApiServer;
before(async () => {
  server = await startApiServer(agent, parseListen(sock));
  // The server loads its gRPC side at the first connection; here that is tsx compiling grpc-js in this
  // process, which at load 13 outlasted the CLI's 5 s deadline (a bundled agent loads it in ~0.1 s).
  await import('../../src/api/grpc-server.js');
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real bin, asynchronously: the API server answers from this process meanwhile. */
function ballast(args: string[], untilStdout?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/ballast.js', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    // A bound for a stuck call: a CLI call took over 20 s at load 20 on the 2 cores.
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (untilStdout?.test(stdout)) child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('ballast status lists every prefix of the agent, and the what-if of a failure', async () => {
  const r = await ballast(['status', '--agent', `unix://${sock}`, '--what-if-fail', 'srv11,srv12']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^leaf1 \(AS 65201\)/m);
  assert.match(r.stdout, /198\.51\.100\.1\/32\s+2\/2\s+20\/20\s+lb 2000 Mbps/);
  assert.match(r.stdout, /would advertise[\s\S]*withdrawn/);
  const j = await ballast(['status', '--agent', `unix://${sock}`, '--json']);
  assert.equal(JSON.parse(j.stdout).agents[0].state.prefixes[0].healthyServers, 2);
});

test('ballast drain and undrain reach the agent; an unknown server exits 2', async () => {
  const d = await ballast(['drain', 'srv12', '--agent', `unix://${sock}`, '--reason', 'kernel upgrade']);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(agent.drained.get('srv12'), 'kernel upgrade');
  const u = await ballast(['undrain', 'srv12', '--agent', `unix://${sock}`]);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(agent.drained.size, 0);
  const bad = await ballast(['drain', 'srv99', '--agent', `unix://${sock}`, '--reason', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /No server "srv99"/);
});

test('a drain the agent refuses (its state file cannot be written) is reported as that refusal, not as an unreachable agent', async () => {
  agent.drainRefusal = new BallastError('E_FILE_WRITE', 'Cannot keep the drain in "/var/lib/ballast/agent-state.json": EACCES; nothing was changed');
  try {
    const r = await ballast(['drain', 'srv12', '--agent', `unix://${sock}`, '--reason', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refused: Cannot keep the drain in .*EACCES; nothing was changed/);
    assert.match(r.stderr, /E_FILE_WRITE/);
    assert.doesNotMatch(r.stderr, /Cannot reach|E_API_UNAVAILABLE/);
  } finally {
    agent.drainRefusal = null;
  }
});

test('a drain saved but not yet in FRR is said so, not "drained", and exits 4', async () => {
  agent.drainRefusal = new BallastError('E_FRR_DRAIN_PENDING', 'Drain of srv12 is saved in the state file but FRR does not carry it yet: 1 FRR call failed or timed out; the agent retries at its next tick');
  try {
    for (const args of [['drain', 'srv12', '--reason', 'x'], ['undrain', 'srv12']]) {
      const r = await ballast([...args, '--agent', `unix://${sock}`]);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /NOT YET IN FRR: The agent at .* answered: Drain of srv12 is saved in the state file but FRR does not carry it yet.*retries.*\[E_FRR_DRAIN_PENDING\]/);
      assert.doesNotMatch(r.stdout, /drained/);
      assert.doesNotMatch(r.stderr, /refused|Cannot reach/);
    }
  } finally {
    agent.drainRefusal = null;
  }
});

test('ballast watch streams a decision as it happens', async () => {
  // Up to 20 s for the client to subscribe: a CLI start took over 5 s at load 17 on the 2 cores.
  const pending = ballast(['watch', '--agent', `unix://${sock}`], /decision/);
  for (let i = 0; i < 800 && agent.listeners.size === 0; i++) await new Promise((r) => setTimeout(r, 25));
  agent.emit(decisionNotice({ prefix: '198.51.100.1/32', old: { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 }, new: { kind: 'advertise', bandwidthMbps: 1000, prepend: 0 }, target: { kind: 'advertise', bandwidthMbps: 1000, prepend: 0 }, reason: 'live-capacity', hold: 'none', healthyServers: ['srv12'], liveCapacity: 10, changed: true }));
  const r = await pending;
  assert.match(r.stdout, /leaf1 decision 198\.51\.100\.1\/32: lb 2000 Mbps -> lb 1000 Mbps; 1 healthy \(srv12\)/);
});

test('ballast snapshot writes a fixture; an agent that is not there is a clear error', async () => {
  const r = await ballast(['snapshot', '--agent', `unix://${sock}`, '--load', '198.51.100.1/32=30']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^leaves:\n {2}- name: leaf1/m);
  const none = await ballast(['status', '--agent', `unix://${join(dir, 'none.sock')}`]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Cannot reach the agent/);
});
