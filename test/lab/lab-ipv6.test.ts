// End-to-end, IPv6 anycast: fixtures/heterogeneous.yaml (198.51.100.10/32 and 2001:db8:100::10/128, the
// /128 served by a subset of the servers) on real FRR (8.4, 10.3 or mixed: BALLAST_TEST_FRR) with
// --leaf-policy num-multipaths. One `up` serves every check. Own lab directory and namespace prefix,
// so it never meets lab.test.ts's lab.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listNetns } from '../../src/lab/netns.js';
import { alive } from '../../src/lab/processes.js';
import { daemonsOf, FRR_ARGS, frrOf, fmt, labInstance, labSkip, testFixture, viewMounts, type Comparison, passLab } from './harness.js';

const skip = await labSkip();
const tmp = mkdtempSync(join(tmpdir(), 'ballast-v6-lab-'));
const FIXTURE = testFixture('fixtures/heterogeneous.yaml', tmp);
const { runDir: RUN_DIR, nsPrefix: NS_PREFIX } = passLab('/run/ballast-lab-v6test', 'b6t-');
const V4 = '198.51.100.10/32';
const V6 = '2001:db8:100::10/128';

const L = labInstance(RUN_DIR, NS_PREFIX);
const cli = L.lab;

async function cliJson<T>(args: readonly string[]): Promise<T> {
  const r = await cli([...args, '--json']);
  assert.equal(r.code, 0, `ballast lab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Status {
  readonly sessions: { readonly state: string }[];
  readonly weights: Comparison[];
}
interface Traffic {
  readonly sendErrors: number;
  readonly prefixes: { readonly prefix: string; readonly received: number; readonly maxDiffPoints: number; readonly servers: { server: string; measured: number; predicted: number }[] }[];
}


/** Every spine and leaf kernel equals the prediction, for both prefixes (each present in the status). */
function assertAllEqual(s: Status, when: string): void {
  for (const prefix of [V4, V6]) assert.ok(s.weights.some((x) => x.prefix === prefix), `${when}: ${prefix} compared`);
  for (const x of s.weights) assert.ok(x.equal, `${when}: ${x.prefix} on ${x.router} kernel ${fmt(x.kernel)}, predicted ${fmt(x.predicted)}`);
}

after(async () => {
  if (!skip) await cli(['down']);
  rmSync(tmp, { recursive: true, force: true });
});

// num-multipaths counts paths: 4/2/3 IPv4 servers and 2/1/2 IPv6 servers behind leaf01/02/03.
// FRR 8.4 spines: floor(n*100/sum); FRR 10.3 spines: max(1, floor(n*254/max)).
const SPINE_WEIGHTS = frrOf('spine') === '8.4'
  ? { v4: { leaf01: 44, leaf02: 22, leaf03: 33 }, v6: { leaf01: 40, leaf02: 20, leaf03: 40 } }
  : { v4: { leaf01: 254, leaf02: 127, leaf03: 190 }, v6: { leaf01: 254, leaf02: 127, leaf03: 254 } };

test('IPv6 anycast: kernels equal the prediction for both prefixes through fail/heal; traffic within 2 points', { skip }, async (t) => {
  const up = await cliJson<{ seconds: number; daemons: { pid: number }[] }>(['up', FIXTURE, '--leaf-policy', 'num-multipaths', ...FRR_ARGS]);
  t.diagnostic(`up in ${up.seconds.toFixed(1)} s`);
  assert.equal(up.daemons.length, 2 * daemonsOf('spine') + 3 * daemonsOf('leaf') + 9 * daemonsOf('server'));

  const status = await cliJson<Status>(['status']);
  assert.equal(status.sessions.length, 2 * (2 * 3 + 9));
  assert.ok(status.sessions.every((s) => s.state === 'Established'));
  assertAllEqual(status, 'after up');
  const spine = (prefix: string, name: string) => status.weights.find((x) => x.prefix === prefix && x.router === name)!.kernel;
  for (const name of ['spine01', 'spine02']) {
    assert.deepEqual(spine(V4, name), SPINE_WEIGHTS.v4);
    assert.deepEqual(spine(V6, name), SPINE_WEIGHTS.v6);
  }

  const traffic = await cliJson<Traffic>(['traffic', '--flows', '4000']);
  assert.equal(traffic.sendErrors, 0);
  for (const p of traffic.prefixes) {
    t.diagnostic(`${p.prefix}: ${p.received}/4000, ${p.servers.map((s) => `${s.server} ${(s.measured * 100).toFixed(1)}/${(s.predicted * 100).toFixed(1)}`).join(', ')}; largest difference ${p.maxDiffPoints.toFixed(2)} points`);
    assert.equal(p.received, 4000, p.prefix);
    assert.ok(p.maxDiffPoints <= 2, `${p.prefix}: measured shares ${p.maxDiffPoints.toFixed(2)} points from the prediction`);
  }

  // server05 is leaf02's only IPv6 server (leaf02 leaves the /128's ECMP, keeps the /32's), server02
  // one of leaf01's two; each step waits for the kernels, then status compares all of them.
  const steps: [string, string][] = [['fail', 'server05'], ['fail', 'server02'], ['heal', 'server05'], ['heal', 'server02']];
  for (const [action, server] of steps) {
    const r = await cli([action, server]);
    assert.equal(r.code, 0, r.stderr);
    const s = await cliJson<Status>(['status']);
    t.diagnostic(`after ${action} ${server}: ${r.stdout.trim()}; ${s.weights.filter((x) => x.role === 'spine' && x.router === 'spine01').map((x) => `${x.prefix} ${fmt(x.kernel)}`).join('; ')}`);
    assertAllEqual(s, `after ${action} ${server}`);
    if (action === 'fail' && server === 'server02') {
      // Unequal again (leaf01 one IPv6 server, leaf03 two: 33/66): the hash still follows the weights.
      const shares = await cliJson<Traffic>(['traffic', '--flows', '4000']);
      const p = shares.prefixes.find((x) => x.prefix === V6)!;
      t.diagnostic(`${V6} with server02 and server05 failed: ${p.servers.map((x) => `${x.server} ${(x.measured * 100).toFixed(1)}/${(x.predicted * 100).toFixed(1)}`).join(', ')}; largest difference ${p.maxDiffPoints.toFixed(2)} points`);
      assert.equal(p.received, 4000);
      assert.ok(p.maxDiffPoints <= 2, `${V6} after two failures: ${p.maxDiffPoints.toFixed(2)} points from the prediction`);
    }
  }

  const down = await cliJson<{ namespaces: number }>(['down']);
  assert.equal(down.namespaces, 15);
  assert.deepEqual((await listNetns()).filter((n) => n.startsWith(NS_PREFIX)), [], 'no lab namespaces');
  assert.ok(!existsSync(RUN_DIR), `${RUN_DIR} removed`);
  assert.deepEqual(viewMounts(RUN_DIR), [], 'no chroot mount left');
  // Ended: gone, or a zombie waiting for PID 1 to reap it (processes.ts, alive).
  for (const d of up.daemons) assert.ok(!alive(d.pid), `daemon ${d.pid} ended`);
});
