// End-to-end: the lab's client as a BGP border router (`lab up --client bgp`) on real FRR. It peers
// with both spines of lab-421 and weights them by the link-bandwidth sum each re-advertises; with
// leaf1/spine1 down its kernel must equal the prediction to the last weight, and 4000 flows split
// within 2 points. Own lab directory and namespace prefix.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fmt, FRR_ARGS, labInstance, labSkip, TEST_FRR, testFixture, type Comparison } from './harness.js';

const skip = await labSkip();
const tmp = mkdtempSync(join(tmpdir(), 'ballast-lab-border-'));
const FIXTURE = testFixture('fixtures/lab-421.yaml', tmp);
const L = labInstance('/run/ballast-lab-border', 'bbd-');
// The client runs the lab's --frr (8.4 for mixed): 8.4 floor(bw*100/sum), 10.3 max(1, floor(bw*254/max)).
// Whole: 7 Mbps behind each spine (4 + 2 + 1 paths). leaf1/spine1 down: spine1 3 Mbps, spine2 7.
const CLIENT = TEST_FRR === '10.3' ? { all: { spine1: 254, spine2: 254 }, cut: { spine1: 108, spine2: 254 } } : { all: { spine1: 50, spine2: 50 }, cut: { spine1: 30, spine2: 70 } };

after(async () => {
  if (!skip) await L.lab(['down']);
  rmSync(tmp, { recursive: true, force: true });
});

const client = (w: Comparison[], prefix = '198.51.100.1/32') => w.find((x) => x.router === 'client' && x.prefix === prefix);

test('a BGP client: kernel weights learned from the spines, equal to the prediction with leaf1/spine1 down; traffic within 2 points', { skip }, async (t) => {
  t.after(() => L.lab(['down']));
  await L.ok(['up', FIXTURE, '--leaf-policy', 'num-multipaths', '--client', 'bgp', ...FRR_ARGS]);
  const status = JSON.parse((await L.lab(['status', '--json'])).stdout) as { sessions: { state: string }[]; weights: Comparison[] };
  assert.equal(status.sessions.length, 30, '26 fabric sessions and 2 client-spine links, both ends');
  assert.ok(status.sessions.every((s) => s.state === 'Established'));
  for (const w of status.weights) t.diagnostic(`${w.prefix} ${w.router}: kernel ${fmt(w.kernel)}, predicted ${fmt(w.predicted)}`);
  assert.ok(status.weights.every((w) => w.equal), 'every kernel as predicted');
  assert.deepEqual(client(status.weights)!.kernel, CLIENT.all);

  const cut = await L.lab(['fail', 'leaf1/spine1']);
  assert.equal(cut.code, 0, cut.stderr);
  t.diagnostic(cut.stdout.trim());
  const seconds = await L.until('leaf1/spine1 down, client re-weighted', 15_000);
  t.diagnostic(`every kernel as predicted ${seconds.toFixed(2)} s after fail returned`);
  const w = await L.weights();
  for (const x of w.filter((x) => x.router === 'client')) t.diagnostic(`${x.prefix} client: kernel ${fmt(x.kernel)}, predicted ${fmt(x.predicted)}`);
  assert.deepEqual(client(w)!.kernel, CLIENT.cut);
  assert.deepEqual(client(w)!.predicted, CLIENT.cut);
  await L.trafficWithin2Points('client bgp, leaf1/spine1 down', t);
});
