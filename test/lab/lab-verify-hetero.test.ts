// ballast verify on the heterogeneous fixture (1x/2x/4x servers, an IPv4 and an IPv6 prefix) on real
// FRR 8.4: agents on the leaves, observers (covering ranges) on the spines. Verify is 0 after up,
// after the leaves' agents switch to covering ranges (SIGHUP), and after each failure and repair;
// 1 naming spine01 and both prefixes when spine01 ignores link-bandwidth; 0 when undone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { agentSocket, observerSocket } from '../../src/lab/agents.js';
import type { LabState } from '../../src/lab/state.js';
import { labInstance, labSkip, TEST_FRR, passLab } from './harness.js';

// Once per CI run, on the host's FRR 8.4: not again per BALLAST_TEST_FRR.
const skip = TEST_FRR !== '8.4' ? `runs on FRR 8.4 only (BALLAST_TEST_FRR=${TEST_FRR})` : await labSkip();
const { runDir: RUN_DIR, nsPrefix: NS } = passLab('/run/ballast-lab-verifyhet', 'bvh-');
const L = labInstance(RUN_DIR, NS);
const dir = (node: string) => `${RUN_DIR}/${NS}${node}`;
const LEAVES = ['leaf01', 'leaf02', 'leaf03'];
const agents = [...LEAVES.map((l) => `unix://${agentSocket(dir(l))}`), ...['spine01', 'spine02'].map((s) => `unix://${observerSocket(dir(s))}`)].flatMap((a) => ['--agent', a]);
const V4 = '198.51.100.10/32';
const V6 = '2001:db8:100::10/128';

after(async () => {
  if (!skip) await L.lab(['down']);
});

interface VerifyJson { equal: boolean; checks: { prefix: string; router: string; equal: boolean }[]; findings: { router: string; cause: string }[] }

async function verify(t: { diagnostic(s: string): void }, when: string, expect: 0 | 1): Promise<VerifyJson> {
  const t0 = performance.now();
  const r = await L.ballast(['verify', ...agents, '--json', '--settle', expect === 0 ? '20' : '3']);
  assert.equal(r.code, expect, `verify ${when}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  const v = JSON.parse(r.stdout) as VerifyJson;
  t.diagnostic(`verify ${when}: exit ${r.code} in ${((performance.now() - t0) / 1000).toFixed(2)} s (${v.checks.filter((c) => c.equal).length}/${v.checks.length} as predicted)`);
  return v;
}

test('heterogeneous: verify through failures and a tampered spine, agents on covering ranges', { skip, timeout: 600_000 }, async (t) => {
  await L.ok(['up', 'fixtures/heterogeneous.yaml', '--leaf-policy', 'ballast']);
  const up = await verify(t, 'after up', 0);
  assert.deepEqual(up.checks.map((c) => `${c.prefix} ${c.router}`).sort(), [`${V6} spine01`, `${V6} spine02`, `${V4} spine01`, `${V4} spine02`].sort());

  // The leaves' agents move to covering ranges (SIGHUP): they find the same host routes themselves.
  const state = JSON.parse(readFileSync(`${RUN_DIR}/state.json`, 'utf8')) as LabState;
  for (const leaf of LEAVES) {
    const file = `${dir(leaf)}/agent.yaml`;
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/^prefixes:\n(?: {2}- .*\n)+/m, 'prefixes:\n  - 198.51.100.0/24\n  - 2001:db8:100::/48\n'));
    const pid = state.daemons.find((d) => d.ns === `${NS}${leaf}` && d.daemon === 'agent')!.pid;
    process.kill(pid, 'SIGHUP');
  }
  await new Promise((r) => setTimeout(r, 1500));
  for (const leaf of LEAVES) {
    const log = readFileSync(`${dir(leaf)}/agent.log`, 'utf8');
    assert.match(log, /"event":"reloaded"/, `${leaf} reloaded`);
    assert.doesNotMatch(log, /reload-refused/, log.split('\n').filter((l) => l.includes('reload-refused')).join('\n'));
  }
  const status = await L.ballast(['status', '--agent', `unix://${agentSocket(dir('leaf02'))}`, '--json']);
  const st = JSON.parse(status.stdout) as { agents: { state: { prefixes: { prefix: string; healthyServers: number }[] } }[] };
  assert.deepEqual(st.agents[0]!.state.prefixes.map((p) => `${p.prefix}:${p.healthyServers}`).sort(), [`${V6}:1`, `${V4}:2`].sort(), 'leaf02 found both host routes inside its ranges');
  await verify(t, 'with agents on covering ranges', 0);

  // The biggest server (4x) fails and returns: leaf02's value halves and comes back (lab-421 runs more steps).
  for (const [action, server] of [['fail', 'server05'], ['heal', 'server05']] as const) {
    await L.ok([action, server]);
    await verify(t, `after ${action} ${server}`, 0);
  }

  const tamper = (on: boolean) => execFileSync('vtysh', ['--vty_socket', dir('spine01'), '-c', 'configure terminal', '-c', 'router bgp 65100', '-c', `${on ? '' : 'no '}bgp bestpath bandwidth ignore`], { timeout: 10_000 });
  tamper(true);
  const bad = await verify(t, 'with spine01 ignoring link-bandwidth', 1);
  assert.deepEqual(bad.checks.filter((c) => !c.equal).map((c) => `${c.prefix} ${c.router}`).sort(), [`${V6} spine01`, `${V4} spine01`].sort());
  assert.deepEqual(bad.findings.map((f) => `${f.router} ${f.cause}`), ['spine01 bestpath-bandwidth-ignore']);
  tamper(false);
  await verify(t, 'after the tampering is undone', 0);
});
