import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHealthConfig } from '../../src/health/config.js';
import { initialState, step } from '../../src/health/machine.js';
import { renderStatus } from '../../src/health/render.js';
import { buildSnapshot } from '../../src/health/snapshot.js';
import { specsOf } from '../../src/health/daemon.js';

const plain = { red: (s: string) => s, yellow: (s: string) => s, green: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };

test('status text: verdict, rotation, drains and one line per check with its streak and last result', () => {
  const config = parseHealthConfig('services:\n  - name: web\n    prefixes: 198.51.100.1/32\n    checks:\n      - { type: tcp, port: 80 }\n', '/etc/ballast/health.yaml');
  const specs = specsOf(config);
  let state = initialState(specs, 0);
  state = step(state, specs, { type: 'result', service: 'web', check: 'tcp', result: { ok: false, at: 1000, durationMs: 1.4, detail: 'connect to 127.0.0.1:80: ECONNREFUSED' } }, 1000).state;
  state = step(state, specs, { type: 'drain', service: null, reason: 'rack move' }, 2000).state;
  const snap = buildSnapshot(config, state, { pid: 42, startedAt: 0, dryRun: false });
  assert.equal(snap.services[0]?.checks[0]?.last?.durationSeconds, 0.0014);
  assert.equal(
    renderStatus(snap, plain),
    [
      'pid 42, since 1970-01-01T00:00:00.000Z, interface lo, on exit withdraw',
      'web  unhealthy  withdrawn  198.51.100.1/32',
      '  drained (command) since 1970-01-01T00:00:02.000Z: rack move',
      '  tcp  down  tcp 127.0.0.1:80  1 failed in a row (rise 2, fall 3), 1 runs, 1 failed, went up 0x down 1x',
      '       last: FAIL in 1 ms: connect to 127.0.0.1:80: ECONNREFUSED',
    ].join('\n'),
  );
});
