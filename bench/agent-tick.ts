// Per-tick JS cost of the agent at N prefixes on the fake vtysh: node --jitless --import tsx tick.ts ROOT N TICKS
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
const [root, nArg, ticksArg] = process.argv.slice(2);
const N = Number(nArg ?? 200), TICKS = Number(ticksArg ?? 30);
const { Agent } = await import(`${root}/src/agent/agent.ts`);
const { parseAgentConfig } = await import(`${root}/src/agent/config.ts`);
const { FakeFrr } = await import(`${root}/test/agent/fake-frr.ts`);
const { routeWith } = await import(`${root}/test/agent/recorded.ts`);
const { heapCompactor } = await import(`${root}/src/util/heap.ts`);
const { pino } = await import('pino');
const base = readFileSync(`${root}/test/conformance/agent/leaf-base.conf`, 'utf8');
const prefixes = Array.from({ length: N }, (_, i) => `198.51.100.${i + 1}/32`);
const yaml = `leaf: l1
frr:
  vty-socket-dir: /run/ballast-ag/l1
  timeout-ms: 2000
bgp:
  asn: 65201
  spine-peer-group: SPINE
prefixes: [${prefixes.join(', ')}]
servers:
  match: { peer-group: SERVERS }
  default-capacity: 10
  list:
    - { neighbor: s11, capacity: 10 }
    - { neighbor: s12 }
    - { neighbor: s13, name: big, capacity: 20 }
policy:
  mode: link-bandwidth
  mbps-per-unit: 100
  damping: { hold-down-seconds: 3, min-interval-seconds: 1 }
intervals: { resync-seconds: 3600, reconcile-seconds: 3600, held-poll-seconds: 3600 }
events: { route-monitor: false }
`;
const frr = new FakeFrr(base);
const one = routeWith(['s11', 's12', 's13']);
for (const p of prefixes) frr.routes.set(p, one.replaceAll('198.51.100.1/32', p));
let frrMs = 0;
const run = async (c: readonly string[]) => { const t = performance.now(); const out = await frr.run(c); frrMs += performance.now() - t; return out; };
const agent = new Agent(parseAgentConfig(yaml, 'agent.yaml'), { frr: run, logger: pino({ level: 'info' }, { write: () => undefined }), compact: heapCompactor() });
await agent.start();
const tick = (agent as unknown as { tick: (d: object) => Promise<void> }).tick.bind(agent);
for (let i = 0; i < 3; i++) await tick({ resync: true, reconcile: true, heldPoll: false });
frrMs = 0;
const cpu0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < TICKS; i++) await tick({ resync: true, reconcile: true, heldPoll: false });
const wall = performance.now() - t0; const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ root, N, TICKS, msPerTick: +(wall / TICKS).toFixed(2), fakeFrrMsPerTick: +(frrMs / TICKS).toFixed(2), agentMsPerTick: +((wall - frrMs) / TICKS).toFixed(2), cpuMsPerTick: +((cpu.user + cpu.system) / 1000 / TICKS).toFixed(2), decisions: agent.counters.decisions, applies: agent.counters.applies }));
await agent.stop();
