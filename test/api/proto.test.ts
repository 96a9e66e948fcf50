import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const buf = join('node_modules', '.bin', 'buf');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

test('buf lint is clean', () => {
  const r = spawnSync(buf, ['lint'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the committed generated code in src/gen is what buf generate produces now', () => {
  const out = mkdtempSync(join(tmpdir(), 'ballast-gen-'));
  try {
    const r = spawnSync(buf, ['generate', '--output', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const fresh = files(join(out, 'src', 'gen')).map((f) => relative(join(out, 'src', 'gen'), f)).sort();
    const committed = files('src/gen').map((f) => relative('src/gen', f)).sort();
    assert.deepEqual(committed, fresh, 'the same files');
    for (const f of fresh) {
      assert.equal(readFileSync(join('src/gen', f), 'utf8'), readFileSync(join(out, 'src', 'gen', f), 'utf8'), `src/gen/${f} is stale: run npm run proto:gen`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
