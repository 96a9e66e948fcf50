// `ballast lab setup --frr 10.3` and what `lab up` says without it. Needs root (debootstrap, chroot);
// creates no namespace. An unreachable archive is 127.0.0.1:9 (discard port, nothing listens).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chrootReady } from '../../src/lab/frr-setup.js';
import { labInstance } from './harness.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : false;
const RUN_DIR = '/run/ballast-lab-setuptest';

test('an unreachable archive fails with E_LAB_FRR_ARCHIVE and marks no stage done', { skip }, async () => {
  const cache = mkdtempSync(join(tmpdir(), 'ballast-frr-cache-'));
  try {
    process.env.BALLAST_FRR_CACHE = cache;
    const r = await labInstance(RUN_DIR, 'bst-').lab(['setup', '--frr', '10.3', '--mirror', 'http://127.0.0.1:9/debian']);
    delete process.env.BALLAST_FRR_CACHE;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Cannot reach the Debian archive http:\/\/127\.0\.0\.1:9\/debian .*\[E_LAB_FRR_ARCHIVE\]/);
    assert.match(r.stderr, /debootstrap: starting/, 'progress on stderr');
    assert.ok(!existsSync(join(cache, '10.3/.done-debootstrap')));
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('lab up --frr 10.3 without the chroot says how to get it and creates nothing', { skip }, async () => {
  const cache = mkdtempSync(join(tmpdir(), 'ballast-frr-cache-'));
  try {
    process.env.BALLAST_FRR_CACHE = cache;
    const r = await labInstance(RUN_DIR, 'bst-').lab(['up', 'fixtures/lab-421.yaml', '--frr', '10.3']);
    delete process.env.BALLAST_FRR_CACHE;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /run "ballast lab setup --frr 10\.3" first.*\[E_LAB_FRR_MISSING\]/);
    assert.ok(!existsSync(RUN_DIR), 'nothing created');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('setup again on a built chroot does nothing (idempotent)', { skip: skip || (!chrootReady('10.3') && 'FRR 10.3 not set up') }, async () => {
  const r = await labInstance(RUN_DIR, 'bst-').lab(['setup', '--frr', '10.3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { ran: string[]; root: string };
  assert.deepEqual(out.ran, []);
  assert.match(r.stderr, /FRR 10\.3-\S+ ready/);
});
