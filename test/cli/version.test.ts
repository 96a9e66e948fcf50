import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TESTED_FRR, VERSION } from '../../src/cli/version.js';

test('the version is package.json\'s (the Debian packages take theirs from there)', () => {
  assert.equal(VERSION, JSON.parse(readFileSync('package.json', 'utf8')).version);
});

test('--version prints the version and the FRR versions it was tested with', () => {
  const r = spawnSync(process.execPath, ['bin/ballast.js', '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^ballast ${VERSION.replaceAll('.', '\\.')}\\n`));
  assert.match(r.stdout, new RegExp(`^tested with FRR ${TESTED_FRR.join(', ').replaceAll('.', '\\.')}$`, 'm'));
});
