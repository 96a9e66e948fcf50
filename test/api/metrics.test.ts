import assert from 'node:assert/strict';
import { test } from 'node:test';
// parse-prometheus-text-format ships no types; its default export takes text and returns families.
// @ts-expect-error untyped module
import parsePrometheus from 'parse-prometheus-text-format';
import { newRegistry, registerAgentMetrics, registerHealthMetrics, serveMetrics } from '../../src/api/metrics.js';
import type { HealthSnapshot } from '../../src/health/snapshot.js';
import { decisionNotice, FakeAgent } from './fake-agent.js';

interface Family {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string }[];
}

async function scrape(port: number): Promise<Map<string, Family>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  const families = parsePrometheus(await res.text()) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

test('agent metrics parse as Prometheus text and move when a server fails', async () => {
  const agent = new FakeAgent();
  const registry = newRegistry('agent');
  const metrics = registerAgentMetrics(registry, agent);
  const server = await serveMetrics(registry, 0);
  try {
    let m = await scrape(server.port);
    assert.equal(m.get('ballast_build_info')!.metrics[0]!.labels!.component, 'agent');
    assert.equal(m.get('ballast_prefix_healthy_servers')!.metrics[0]!.value, '2');
    assert.equal(m.get('ballast_prefix_link_bandwidth_bytes_per_second')!.metrics[0]!.value, '250000000');
    assert.equal(m.get('ballast_drift_total')!.type, 'COUNTER');

    // A server fails: the state drops to one and a decision is logged.
    const original = agent.state.bind(agent);
    agent.state = () => {
      const s = original();
      const p = s.prefixes[0]!;
      return { ...s, prefixes: [{ ...p, healthyCount: 1, liveCapacity: 10, current: { kind: 'advertise', bandwidthMbps: 1000, prepend: 0 } }] };
    };
    agent.emit(decisionNotice({ prefix: '198.51.100.1/32', old: { kind: 'advertise', bandwidthMbps: 2000, prepend: 0 }, new: { kind: 'advertise', bandwidthMbps: 1000, prepend: 0 }, target: { kind: 'advertise', bandwidthMbps: 1000, prepend: 0 }, reason: 'live-capacity', hold: 'none', healthyServers: ['srv12'], liveCapacity: 10, changed: true }));
    const timed = metrics.timeVtysh(async () => 'ok');
    await timed();
    await assert.rejects(metrics.timeVtysh(async () => { throw new Error('hung'); })());
    m = await scrape(server.port);
    assert.equal(m.get('ballast_prefix_healthy_servers')!.metrics[0]!.value, '1');
    assert.equal(m.get('ballast_prefix_link_bandwidth_bytes_per_second')!.metrics[0]!.value, '125000000');
    assert.deepEqual(m.get('ballast_decisions_total')!.metrics.map((x) => [x.labels, x.value]), [[{ prefix: '198.51.100.1/32', reason: 'live-capacity' }, '1']]);
    assert.equal(m.get('ballast_vtysh_call_duration_seconds')!.type, 'HISTOGRAM');
    // The parser keeps no histogram labels: read the two counts from the text itself.
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    assert.match(text, /^ballast_vtysh_call_duration_seconds_count\{outcome="ok"\} 1$/m);
    assert.match(text, /^ballast_vtysh_call_duration_seconds_count\{outcome="error"\} 1$/m);
    const notFound = await fetch(`http://127.0.0.1:${server.port}/other`);
    assert.equal(notFound.status, 404);
  } finally {
    metrics.dispose();
    await server.close();
  }
});

test('health metrics: per check state, last duration and transitions', async () => {
  let down = false;
  const snapshot = (): HealthSnapshot => ({
    schemaVersion: 1,
    pid: 1,
    startedAt: new Date(0).toISOString(),
    configFile: 'h.yaml',
    interface: 'lo',
    onExit: 'withdraw',
    drainFile: null,
    dryRun: false,
    services: [{
      name: 'web',
      prefixes: ['198.51.100.1/32'],
      verdict: down ? 'unhealthy' : 'healthy',
      inRotation: !down,
      drained: false,
      drains: { command: null, file: null },
      probation: false,
      checks: [{ name: 'http', type: 'http', target: 'http://127.0.0.1/', status: down ? 'down' : 'up', since: '', okStreak: 0, failStreak: 0, runs: 10, failures: down ? 3 : 0, transitions: { up: 1, down: down ? 1 : 0 }, last: { ok: !down, at: '', durationSeconds: 0.012, detail: '' }, intervalSeconds: 1, timeoutSeconds: 1, rise: 2, fall: 3 }],
    }],
  });
  const registry = newRegistry('health');
  registerHealthMetrics(registry, snapshot);
  const server = await serveMetrics(registry, 0);
  try {
    let m = await scrape(server.port);
    assert.equal(m.get('ballast_health_check_up')!.metrics[0]!.value, '1');
    assert.equal(m.get('ballast_health_check_last_duration_seconds')!.metrics[0]!.value, '0.012');
    down = true;
    m = await scrape(server.port);
    assert.equal(m.get('ballast_health_check_up')!.metrics[0]!.value, '0');
    assert.equal(m.get('ballast_health_service_in_rotation')!.metrics[0]!.value, '0');
    const t = m.get('ballast_health_check_transitions_total')!.metrics.find((x) => x.labels!.direction === 'down')!;
    assert.equal(t.value, '1');
  } finally {
    await server.close();
  }
});
