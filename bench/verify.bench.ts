/**
 * `ballast verify`'s comparison (snapshot -> fabric -> prediction -> diff) on scripted states, the
 * part that runs once per --watch round: lab-421 size and a fabric of 64 leaves x 16 servers x 4
 * spines x 50 prefixes. The gRPC reads are not in it (one GetState per agent, in parallel).
 */
import { AdvertisementKind, GetStateResponse } from '../src/gen/ballast/v1/agent.js';
import { verifyFabric } from '../src/verify/verify.js';
import type { Benchmark } from './run.js';

const policy = { mode: 'link-bandwidth', weightServers: true, prependBelowFraction: 0, prependBelowServers: 0, prependLength: 2, holdDownSeconds: 10, minIntervalSeconds: 1, minChangeFraction: 0 };

function states(leaves: number, servers: number, spines: number, prefixes: number): GetStateResponse[] {
  const spineNames = Array.from({ length: spines }, (_, i) => `spine${i + 1}`);
  const ps = Array.from({ length: prefixes }, (_, i) => `198.51.100.${i + 1}/32`);
  const out: GetStateResponse[] = [];
  for (let l = 0; l < leaves; l++) {
    const healthy = 1 + (l % servers);
    out.push(GetStateResponse.fromPartial({
      role: 'agent', leaf: `leaf${l}`, node: `leaf${l}`, asn: 65201 + l, mbpsPerUnit: 10, spines: spineNames, policy,
      prefixes: ps.map((prefix) => ({ prefix, healthyServers: healthy, configuredServers: servers, liveCapacity: healthy * 10, configuredCapacity: servers * 10, current: { kind: AdvertisementKind.ADVERTISEMENT_KIND_ADVERTISE, bandwidthMbps: healthy * 100, prepend: 0 }, damping: { hold: 'none' }, servers: Array.from({ length: servers }, (_, s) => ({ name: `l${l}s${s}`, peer: `s${s}`, capacity: 10, healthy: s < healthy, drained: false, drainReason: '', asn: 65300 })) })),
    }));
  }
  for (const name of spineNames) {
    out.push(GetStateResponse.fromPartial({
      role: 'observer', node: name, frrVersion: '8.4.4', bestpathBandwidth: 'default',
      prefixes: ps.map((prefix) => ({ prefix, installed: Array.from({ length: leaves }, (_, l) => ({ peer: `leaf${l}`, weight: 1, kernelWeight: 1 })), received: [] })),
    }));
  }
  return out;
}

function measure(leaves: number, servers: number, spines: number, prefixes: number): Record<string, number> {
  const opts = { spineWeights: null, missingBandwidth: 'ecmp-fallback' as const, tolerance: 0 };
  const runs = 5;
  // Cold: every round's agents differ (a failure each round), so the fabric is rebuilt from YAML.
  let cold = 0;
  let checks = 0;
  for (let i = 0; i <= runs; i++) {
    const s = states(leaves, servers, spines, prefixes);
    s[0]!.prefixes[0]!.liveCapacity = i;
    const t0 = performance.now();
    checks = verifyFabric(s, opts).checks.length;
    if (i > 0) cold += performance.now() - t0;
  }
  // Warm: the agents are unchanged since the last round (a --watch round in a quiet fabric).
  const s = states(leaves, servers, spines, prefixes);
  verifyFabric(s, opts);
  const t1 = performance.now();
  for (let i = 0; i < runs; i++) verifyFabric(s, opts);
  return { checks, coldMsPerRound: Number((cold / runs).toFixed(1)), warmMsPerRound: Number(((performance.now() - t1) / runs).toFixed(1)) };
}

export const benchmarks: Benchmark[] = [
  { name: 'verify-lab421', description: 'verify round, 3 leaves x 1-4 servers, 2 spines, 2 prefixes', run: () => measure(3, 4, 2, 2) },
  { name: 'verify-64x16x4x50', description: 'verify round, 64 leaves x 16 servers, 4 spines, 50 prefixes (200 prefix x spine checks)', run: () => measure(64, 16, 4, 50) },
];
