import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadHealthConfig, parseHealthConfig } from '../../src/health/config.js';
import { BallastError, InputError } from '../../src/util/errors.js';

test('the example config loads with defaults filled in', () => {
  const c = loadHealthConfig('fixtures/health/example.yaml');
  assert.equal(c.interface, 'lo');
  assert.equal(c.onExit, 'withdraw');
  assert.equal(c.drainFile, '/etc/ballast/health.drain');
  assert.equal(c.reconcileMs, 10_000);
  const [web, dns] = c.services;
  assert.deepEqual(web?.prefixes.map((p) => p.text), ['198.51.100.1/32', '2001:db8::1/128']);
  assert.deepEqual(web?.checks.map((k) => [k.name, k.intervalMs, k.timeoutMs, k.rise, k.fall]), [
    ['http', 1000, 500, 2, 3],
    ['port', 1000, 500, 2, 2],
  ]);
  assert.deepEqual(web?.checks[0]?.probe, { type: 'http', url: 'http://127.0.0.1:8080/healthz', expectStatus: [200, 204], bodyMatch: '^ok', insecure: false });
  assert.deepEqual(web?.checks[1]?.probe, { type: 'tcp', host: '127.0.0.1', port: 8080 });
  assert.deepEqual(dns?.prefixes.map((p) => p.text), ['203.0.113.53/32']);
  assert.equal(dns?.checks[0]?.name, 'command', 'an unnamed check is named after its type');
  assert.deepEqual(dns?.checks[0]?.probe, { type: 'command', argv: ['/usr/bin/dig', '+short', '+time=1', '@127.0.0.1', 'example.org'] });
  assert.equal(dns?.checks[0]?.intervalMs, 5000);
});

test('a minimal config needs only services; numbers are accepted as command arguments', () => {
  const c = parseHealthConfig('services:\n  - name: s\n    prefixes: 198.51.100.9/32\n    checks:\n      - type: command\n        command: [/bin/sleep, 0.1]\n', 'min.yaml');
  assert.equal(c.runtimeDir, '/run/ballast');
  assert.equal(c.drainFile, null);
  assert.deepEqual(c.services[0]?.checks[0]?.probe, { type: 'command', argv: ['/bin/sleep', '0.1'] });
});

// Each deliberately bad config names the error it must produce on its first line.
const dir = 'fixtures/bad-health';
for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
  const file = join(dir, name);
  const expect = /^# expect: (E_[A-Z_]+) at (\d+):(\d+)/.exec(readFileSync(file, 'utf8'));
  test(`${file} is refused with ${expect?.[1]} at ${expect?.[2]}:${expect?.[3]}`, () => {
    assert.ok(expect, `${file} must start with "# expect: E_CODE at LINE:COL"`);
    assert.throws(
      () => loadHealthConfig(file),
      (err: unknown) => {
        assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
        assert.equal(err.code, expect[1]);
        assert.deepEqual([err.position.line, err.position.col], [Number(expect[2]), Number(expect[3])], err.format());
        assert.ok(err.format().startsWith(`${file}:${expect[2]}:${expect[3]}: `), err.format());
        return true;
      },
    );
  });
}

test('a missing file is a read error naming the file', () => {
  assert.throws(() => loadHealthConfig('/nonexistent/health.yaml'), (err: unknown) => err instanceof BallastError && err.code === 'E_FILE_READ' && err.message.includes('"/nonexistent/health.yaml"'));
});
