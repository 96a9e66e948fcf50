/**
 * docs/errors.md is the table of stable codes: every code in ERROR_CODES has exactly one row, the
 * rows' exit statuses and gRPC statuses are what the CLI and the API really answer, and src/ writes
 * no code that is not in ERROR_CODES.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { grpcError } from '../../src/api/agent-service.js';
import { reportError } from '../../src/cli/run.js';
import { BallastError, ERROR_CODES, type ErrorCode } from '../../src/util/errors.js';

const root = new URL('../../', import.meta.url);
const rows = readFileSync(new URL('docs/errors.md', root), 'utf8')
  .split('\n')
  .flatMap((line) => {
    const m = /^\| `(E_[A-Z0-9_]+)` \| (.+?) \| (\d+) \| ([A-Z_]+|-) \|$/.exec(line);
    return m ? [{ code: m[1]!, meaning: m[2]!, exit: Number(m[3]), grpc: m[4]! }] : [];
  });

test('docs/errors.md lists every code once, and nothing else', () => {
  const listed = rows.map((r) => r.code);
  assert.deepEqual([...listed].sort(), [...new Set(listed)].sort(), 'a code listed twice');
  assert.deepEqual([...listed].sort(), [...ERROR_CODES].sort());
  for (const r of rows) assert.ok(r.meaning.length > 10, `${r.code} says what it means`);
});

test("each row's exit status is the CLI's, and its gRPC status the API's", () => {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    for (const r of rows) assert.equal(reportError(new BallastError(r.code as ErrorCode, 'x')), r.exit, r.code);
  } finally {
    process.stderr.write = write;
  }
  for (const r of rows) {
    const answered = status[grpcError(new BallastError(r.code as ErrorCode, 'x')).code];
    if (r.grpc === '-') assert.equal(answered, 'UNAVAILABLE', `${r.code}: anything not listed is UNAVAILABLE`);
    else assert.equal(answered, r.grpc, r.code);
  }
});

test('src/ uses no code outside ERROR_CODES', () => {
  const known = new Set<string>(ERROR_CODES);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return n === 'gen' ? [] : walk(p);
      return n.endsWith('.ts') ? [p] : [];
    });
  const unknown: string[] = [];
  for (const file of walk(new URL('src', root).pathname)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](E_[A-Z0-9_]+)['"`]/g)) if (!known.has(m[1]!)) unknown.push(`${file}: ${m[1]}`);
  }
  assert.deepEqual(unknown, []);
});
