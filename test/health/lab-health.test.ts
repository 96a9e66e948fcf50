// `lab up --health` for real: FRR fabric, an HTTP service and a checker per server namespace.
// Stopping one server's service takes it out of its leaf's ECMP; starting it brings it back; a drain
// does the same while the service stays up. Needs root and FRR; its namespaces are hc-*.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseHealthConfig } from '../../src/health/config.js';
import { request } from '../../src/health/control.js';
import { LAB_CHECK, labHealthConfig, readLabHealth, serverSocket, setLabService, startLabHealth } from '../../src/lab/health.js';
import { labDown, labUp } from '../../src/lab/lab.js';
import { listNetns } from '../../src/lab/netns.js';
import { labUnavailable } from '../../src/lab/preflight.js';
import { loadFixture } from '../../src/fabric/load.js';

const RUN_DIR = '/run/ballast-lab-hc-test';
// Its own namespace prefix, so a demo lab (bl-*) or the lab's own tests can run beside it.
const NS = 'hc-';

test('the lab checker config is a valid health config for the server\'s prefixes', () => {
  const c = parseHealthConfig(labHealthConfig('/run/x/health/srv11', ['198.51.100.1/32', '198.51.100.2/32']), 'lab.yaml');
  assert.deepEqual(c.services[0]?.prefixes.map((p) => p.text), ['198.51.100.1/32', '198.51.100.2/32']);
  assert.equal(c.services[0]?.checks[0]?.intervalMs, LAB_CHECK.intervalSeconds * 1000);
  assert.equal(c.runtimeDir, '/run/x/health/srv11/run');
});

async function skipReason(): Promise<string | null> {
  const unavailable = await labUnavailable();
  if (unavailable) return unavailable;
  if ((await listNetns()).some((n) => n === `${NS}spine1` || n === `${NS}client`)) return `another lab with namespace prefix ${NS} is up`;
  return null;
}
const reason = await skipReason();

after(async () => {
  if (!reason) await labDown(RUN_DIR);
});

const nexthops = (ns: string, prefix: string): number => {
  const routes = JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'route', 'show', prefix], { encoding: 'utf8' }) || '[]') as { nexthops?: unknown[]; dev?: string }[];
  return routes[0]?.nexthops?.length ?? (routes[0]?.dev ? 1 : 0);
};
const onLo = (ns: string, address: string): boolean => execFileSync('ip', ['-n', ns, 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' }).includes(` ${address}/`);

async function until(cond: () => boolean, what: string, ms: number): Promise<void> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (cond()) return;
    await sleep(50);
  }
  assert.fail(`timed out after ${ms} ms waiting until ${what}`);
}

test('lab up --health: service stop/start and drain/undrain move srv11 out of and back into leaf1\'s ECMP', { skip: reason ? `lab tests skipped: ${reason}` : false }, async () => {
  const up = await labUp({ fixture: 'fixtures/lab-421.yaml', leafPolicy: 'num-multipaths', runDir: RUN_DIR, nsPrefix: NS });
  await startLabHealth(up.state, loadFixture('fixtures/lab-421.yaml'));
  const P = '198.51.100.1/32';
  assert.equal(nexthops(`${NS}leaf1`, P), 4, 'leaf1 starts with its 4 servers');
  assert.equal(readLabHealth(RUN_DIR)?.servers.length, 7);
  // Bound from the docs: fall x interval + one interval, plus generous room for BGP on a busy 2-core machine.
  const bound = (LAB_CHECK.fall + 1) * LAB_CHECK.intervalSeconds * 1000 + 3000;

  await setLabService(RUN_DIR, 'srv11', false);
  await until(() => !onLo(`${NS}srv11`, '198.51.100.1'), 'srv11 withdraws its address', bound);
  await until(() => nexthops(`${NS}leaf1`, P) === 3, 'leaf1 drops srv11 from its ECMP', 5000);
  await setLabService(RUN_DIR, 'srv11', true);
  await until(() => nexthops(`${NS}leaf1`, P) === 4, 'srv11 is back in leaf1\'s ECMP', bound);

  const snap = await request<{ services: { inRotation: boolean }[] }>(serverSocket(RUN_DIR, 'srv12'), { op: 'drain', reason: 'test' });
  assert.equal(snap.services[0]?.inRotation, false);
  assert.ok(!onLo(`${NS}srv12`, '198.51.100.1'), 'drain answers after the withdraw');
  await until(() => nexthops(`${NS}leaf1`, P) === 3, 'leaf1 drops drained srv12', 5000);
  await request(serverSocket(RUN_DIR, 'srv12'), { op: 'undrain' });
  await until(() => nexthops(`${NS}leaf1`, P) === 4, 'srv12 is back after undrain', bound);
});
