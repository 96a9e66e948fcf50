/**
 * `ballast agent nvue-snippet --frr-conf` against the way NVUE applies frr.conf: FRR's own
 * frr-reload.py (Debian's frr-pythontools) reloads the operator's file of a lab leaf while its agent
 * runs. Without the snippet the reload would delete every object the agent owns (its --test deltas
 * say so); with it no owned route-map, prefix-list or binding is ever missing (running-config
 * sampled through the reload), only the agent's values (here a hold entry) are reset, and the agent
 * puts them back at its next reconcile, still running. FRR 8.4 only (the host's frr-reload.py).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listNetns } from '../../src/lab/netns.js';
import { labInstance, labSkip, TEST_FRR } from './harness.js';

const RUN_DIR = '/run/ballast-lab-nvue';
const NS = 'bnv-';
const RELOAD = '/usr/lib/frr/frr-reload.py';
// Skipped, with the reason printed, where the lab cannot run or frr-reload.py is not installed.
const skip = (await labSkip()) || (TEST_FRR !== '8.4' ? 'FRR 8.4 only (the host frr-reload.py)' : !existsSync(RELOAD) ? `no ${RELOAD} (apt-get install frr-pythontools)` : false);
if (skip) console.log(`# skipped lab-nvue-snippet: ${skip}`);
const L = labInstance(RUN_DIR, NS);
const tmp = mkdtempSync('/tmp/ballast-nvue-');
after(() => rmSync(tmp, { recursive: true, force: true }));

const DIR = `${RUN_DIR}/${NS}leaf01`;
const vtysh = (c: string) => execFileSync('vtysh', ['--vty_socket', DIR, '-c', c], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(200);
  }
}

/** frr-reload.py as NVUE runs it: the whole file, the deltas applied (or only printed, --test). */
function reload(file: string, mode: '--reload' | '--test'): string {
  const confdir = join(tmp, 'etc');
  mkdirSync(confdir, { recursive: true });
  writeFileSync(join(confdir, 'vtysh.conf'), 'service integrated-vtysh-config\n');
  // The file at CONFDIR/frr.conf: frr-reload.py then skips its final `write` (the lab's files stay as they are).
  writeFileSync(join(confdir, 'frr.conf'), readFileSync(file, 'utf8'));
  const r = spawnSync('ip', ['netns', 'exec', `${NS}leaf01`, 'python3', RELOAD, mode, '--stdout', '--bindir', '/usr/bin', '--confdir', confdir, '--rundir', tmp, '--vty_socket', DIR, join(confdir, 'frr.conf')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `frr-reload.py ${mode}: ${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

test('frr-reload.py with the nvue-snippet keeps every object the agent owns; the agent restores its values', { skip }, async () => {
  const fixture = 'fixtures/lab-tiny.yaml';
  try {
    await L.ok(['up', fixture, '--leaf-policy', 'ballast']);
    // The agent starts on A (nothing healthy yet) and switches to B once the servers' routes arrive:
    // wait for the healthy leaf (link-bandwidth set in the bound map), whichever slot that is.
    const healthy = /neighbor SPINES route-map (BALLAST-[AB]) out[\s\S]*route-map \1 permit \d+\n match ip address prefix-list \S+\n set extcommunity bandwidth cumulative/;
    await until('the agent bound a healthy map', 20_000, () => healthy.test(vtysh('show running-config')));
    const snippet = (await L.ballast(['agent', 'nvue-snippet', '-c', join(DIR, 'agent.yaml'), '--frr-conf'])).stdout;
    const needed = snippet.split('\n').filter((l) => /^(route-map \S+ permit \d+|ip(v6)? prefix-list .*|  neighbor \S+ route-map \S+ (in|out))$/.test(l));
    assert.ok(needed.some((l) => l.startsWith('route-map BALLAST-IN-server01 ')) && needed.some((l) => l.startsWith('route-map BALLAST-B ')), snippet);
    // The operator's file: what the lab configured this leaf with (no agent objects), then the snippet.
    const operator = ['zebra.conf', 'bgpd.conf'].map((f) => readFileSync(join(DIR, f), 'utf8')).join('\n');
    writeFileSync(join(tmp, 'without.conf'), operator);
    writeFileSync(join(tmp, 'with.conf'), `${operator}\n${snippet}`);

    // The control: without the snippet the reload would remove the agent's maps and bindings.
    const without = reload(join(tmp, 'without.conf'), '--test');
    assert.match(without, /no route-map BALLAST-A permit 65000/);
    assert.match(without, /no neighbor SPINES route-map BALLAST-[AB] out/);

    // server01 leaves: the agent pre-marks its return with a hold entry (a value the snippet lacks).
    execFileSync('ip', ['-n', `${NS}server01`, 'addr', 'del', '198.51.100.1/32', 'dev', 'lo']);
    const hold = /route-map BALLAST-IN-server01 permit \d+\n( .*\n)*? set local-preference 50/;
    await until('the agent held server01', 20_000, () => hold.test(vtysh('show running-config')));
    const driftBefore = (readFileSync(join(DIR, 'agent.log'), 'utf8').match(/"event":"drift"/g) ?? []).length;

    // NVUE's apply: reload the operator's file with the snippet, sampling running-config meanwhile.
    // What the agent has is never missing (the B map exists only after the agent's first switch,
    // or once the snippet declared it); after the reload the whole skeleton is there.
    const lines = () => vtysh('show running-config').split('\n');
    const had = needed.filter((l) => lines().includes(l));
    assert.ok(had.some((l) => l.startsWith('route-map BALLAST-A ')) && had.some((l) => l.includes('route-map BALLAST-IN-server01 in')), had.join('\n'));
    const missing: string[] = [];
    let sampling = true;
    let unbound = 0;
    const sampler = (async () => {
      while (sampling) {
        const running = lines();
        for (const l of had) if (!running.includes(l)) missing.push(l);
        // The slot bound may change (the snippet declares A, the agent may run B): one per family, always.
        if (running.filter((l) => /^  neighbor SPINES route-map BALLAST-[AB] out$/.test(l)).length !== 2) unbound += 1;
        await sleep(100);
      }
    })();
    const slotBefore = /neighbor SPINES route-map (BALLAST-[AB]) out/.exec(lines().join('\n'))?.[1];
    const t0 = Date.now();
    const applied = reload(join(tmp, 'with.conf'), '--reload');
    const reloadMs = Date.now() - t0;
    const after = lines();
    assert.deepEqual(needed.filter((l) => !after.includes(l)), [], 'the whole skeleton is there after the reload');
    const reset = !hold.test(after.join('\n') + '\n');
    await until('the agent restored the hold', 15_000, () => hold.test(vtysh('show running-config')));
    const restoredMs = Date.now() - t0;
    sampling = false;
    await sampler;
    console.log(`# frr-reload.py --reload took ${reloadMs} ms; hold reset by it: ${reset}; restored ${restoredMs} ms after the reload began; bound before: ${slotBefore}; samples without an outbound binding: ${unbound}`);
    assert.equal(unbound, 0, 'the spines always had an outbound map bound');
    assert.deepEqual([...new Set(missing)], [], 'nothing the agent had was missing at any sample');
    assert.doesNotMatch(applied, /no route-map BALLAST-(A|B|IN-\S+)\s*$/m, 'no owned map deleted whole');
    const log = readFileSync(join(DIR, 'agent.log'), 'utf8');
    if (reset) assert.ok((log.match(/"event":"drift"/g) ?? []).length > driftBefore, 'the restore was counted as drift');
    assert.doesNotMatch(log, /"event":"(frr-error|verify-failed)"/);
    const state = JSON.parse(readFileSync(join(RUN_DIR, 'state.json'), 'utf8')) as { daemons: { ns: string; daemon: string; pid: number }[] };
    process.kill(state.daemons.find((d) => d.ns === `${NS}leaf01` && d.daemon === 'agent')!.pid, 0); // still running
  } finally {
    await L.lab(['down']);
  }
  assert.deepEqual((await listNetns()).filter((n) => n.startsWith(NS)), [], 'no lab namespace left');
});

