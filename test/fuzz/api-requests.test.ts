/**
 * Fuzzing the gRPC API: random requests (random bytes through the generated decoders, and well-typed
 * messages with hostile strings) against the real service, adapter and agent on the fake vtysh.
 * Every call must end in OK or a caller's-mistake status (INVALID_ARGUMENT, NOT_FOUND), never an
 * INTERNAL error or a throw; a refused call changes nothing (drain state, FRR configuration).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import fc from 'fast-check';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import { fileDrainStore } from '../../src/agent/drain-store.js';
import { agentApi } from '../../src/api/agent-adapter.js';
import { agentService } from '../../src/api/agent-service.js';
import { DrainRequest, GetStateRequest, UndrainRequest, WhatIfRequest } from '../../src/gen/ballast/v1/agent.js';
import { ONE_PREFIX, ONE_PREFIX_YAML } from '../agent/config-fixture.js';
import { FakeFrr } from '../agent/fake-frr.js';
import { routeWith } from '../agent/recorded.js';
import { fuzzAsync, RUNS } from './harness.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'ballast-fuzz-api-'));
const frr = new FakeFrr(base);
frr.routes.set(ONE_PREFIX, routeWith(['s11', 's12', 's13']));
const agent = new Agent(parseAgentConfig(ONE_PREFIX_YAML, 'agent.yaml'), { frr: frr.run, logger: pino({ level: 'silent' }), drainStore: fileDrainStore(join(dir, 'state.json')) });
const service = agentService(agentApi(agent, { dryRun: false }));
after(async () => {
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
});

const hostile = fc.oneof(
  fc.constantFrom('', 's11', 's12', 'big', 'srv99', 'leaf', ' ', '*', '../../etc/passwd', 's11\n', 'route-map X deny 10', '\u0000', ONE_PREFIX, '198.51.100.2/32'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 150, max: 5000 }).map((n) => 'r'.repeat(n)),
);

type Call = { method: 'getState' | 'drain' | 'undrain' | 'whatIf'; request: unknown } | { method: 'bytes'; kind: 'getState' | 'drain' | 'undrain' | 'whatIf'; bytes: Uint8Array };
const calls: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ method: fc.constant('getState' as const), request: fc.record({ prefixes: fc.array(hostile, { maxLength: 5 }) }) }),
  fc.record({ method: fc.constant('drain' as const), request: fc.record({ server: hostile, reason: hostile }) }),
  fc.record({ method: fc.constant('undrain' as const), request: fc.record({ server: hostile }) }),
  fc.record({ method: fc.constant('whatIf' as const), request: fc.record({ fail: fc.array(hostile, { maxLength: 8 }) }) }),
  fc.record({ method: fc.constant('bytes' as const), kind: fc.constantFrom('getState' as const, 'drain' as const, 'undrain' as const, 'whatIf' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
);

const DECODERS = { getState: GetStateRequest, drain: DrainRequest, undrain: UndrainRequest, whatIf: WhatIfRequest };

function invoke(method: 'getState' | 'drain' | 'undrain' | 'whatIf', request: unknown): Promise<{ code: status; details?: string }> {
  return new Promise((resolve) => {
    const handler = service[method] as (call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => void;
    handler({ request } as ServerUnaryCall<unknown, unknown>, (err) => resolve(err ? { code: (err as { code: status }).code, details: (err as { details?: string }).details ?? '' } : { code: status.OK }));
  });
}

const snapshot = () => JSON.stringify({ drains: [...agent.drainState.servers.keys()].sort(), leaf: agent.drainState.leaf !== null, applied: frr.applied.length });

test('gRPC requests: random bytes and hostile strings end in OK or a caller error, and a refusal changes nothing', { timeout: 300_000 }, async (t) => {
  await agent.start();
  // Drains and undrains apply to FRR; a quarter of the usual count keeps this test to seconds.
  const c = await fuzzAsync(t, 'grpc requests', calls, async (call) => {
    let method: 'getState' | 'drain' | 'undrain' | 'whatIf';
    let request: unknown;
    if (call.method === 'bytes') {
      method = call.kind;
      try {
        request = DECODERS[call.kind].decode(call.bytes);
      } catch {
        return 'undecodable'; // grpc-js answers INTERNAL "Error deserializing request" itself; no handler runs.
      }
    } else {
      method = call.method;
      request = call.request;
    }
    const before = snapshot();
    const r = await invoke(method, request);
    if (r.code === status.OK) return null;
    assert.ok([status.INVALID_ARGUMENT, status.NOT_FOUND].includes(r.code), `${method} ${JSON.stringify(request)?.slice(0, 200)} -> ${r.code} ${r.details}`);
    assert.equal(snapshot(), before, 'a refused request changed nothing');
    return status[r.code];
  }, { runs: Math.max(1000, Math.floor(RUNS / 4)) });
  assert.ok(c.accepted > 0 && c.rejected > 0);
  assert.ok(!frr.applied.flat().some((l) => /\bdeny\b/.test(l)), 'no deny ever reached FRR');
});
