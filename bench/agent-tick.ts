/**
 * The agent's own JavaScript per periodic tick (resync + reconcile) at N prefixes, on the tests' fake
 * vtysh (test/agent/fake-frr.ts), nothing changing between ticks: what the idle loop costs besides
 * vtysh and ip. ROOT is a checkout (to compare two): bench/agent.md, fourth pass.
 *   node --jitless --max-semi-space-size=1 --import tsx bench/agent-tick.ts ROOT [N=200] [TICKS=30]
 * Each tick's answers differ from the last in their lastUpdate epochs, as FRR's do (BALLAST_BENCH_SAME_EPOCH=1: not).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
const [root = process.cwd(), nArg, ticksArg] = process.argv.slice(2);
const N = Number(nArg ?? 200), TICKS = Number(ticksArg ?? 30), flip = process.env.BALLAST_BENCH_SAME_EPOCH === undefined;
const { Agent } = await import(`${root}/src/agent/agent.ts`);
const { parseAgentConfig } = await import(`${root}/src/agent/config.ts`);
const { FakeFrr } = await import(`${root}/test/agent/fake-frr.ts`);
const { routeWith } = await import(`${root}/test/agent/recorded.ts`);
const { heapCompactor } = await import(`${root}/src/util/heap.ts`);
const { pino } = await import('pino');
const base = readFileSync(`${root}/test/conformance/agent/leaf-base.conf`, 'utf8');
const prefixes = Array.from({ length: N }, (_, i) => `198.51.100.${i + 1}/32`);
// The tests' leaf (config-fixture.ts) with N prefixes, every server serving all of them, the timers out of the way.
const { ONE_PREFIX_YAML } = await import(`${root}/test/agent/config-fixture.ts`);
const yaml = (ONE_PREFIX_YAML as string).replace('prefixes: [198.51.100.1/32]', `prefixes: [${prefixes.join(', ')}]`).replace(', prefixes: [198.51.100.1/32] }', ' }');
const frr = new FakeFrr(base);
const one = routeWith(['s11', 's12', 's13']);
for (const p of prefixes) frr.routes.set(p, one.replaceAll('198.51.100.1/32', p));
let frrMs = 0;
// BALLAST_BENCH_PIPE=1: the tick's big read arrives through a pipe from a child (`cat` of the fake's
// answer, written beforehand), as vtysh's does: then the process's CPU is the agent's, fork and read included.
const pipe = process.env.BALLAST_BENCH_PIPE !== undefined;
const { run: exec } = await import(`${root}/src/util/exec.ts`);
const { rmSync, writeFileSync } = await import('node:fs');
let replies = 0;
const run = async (c: readonly string[]) => {
  const t = performance.now();
  const out = await frr.run(c);
  if (!pipe || c.length < N) return (frrMs += performance.now() - t), out;
  const file = `/tmp/ballast-agent-tick-${process.pid}-${replies++ % 2}.txt`;
  writeFileSync(file, out);
  frrMs += performance.now() - t;
  return (await exec('cat', [file], { timeoutMs: 5000, code: 'E_FRR_COMMAND' })).stdout;
};
const agent = new Agent(parseAgentConfig(yaml, 'agent.yaml'), { frr: run, logger: pino({ level: 'info' }, { write: () => undefined }), compact: heapCompactor() });
await agent.start();
const tick = (agent as unknown as { tick: (d: object) => Promise<void> }).tick.bind(agent);
for (let i = 0; i < 3; i++) await tick({ resync: true, reconcile: true, heldPoll: false });
frrMs = 0;
let fakeCpu = 0;
const cpu0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < TICKS; i++) {
  // As FRR does: a path's lastUpdate epoch moves by a second from one read to the next (read-cache.ts).
  const f0 = performance.now(), fc0 = process.cpuUsage();
  if (flip) for (const p of prefixes) frr.routes.set(p, frr.routes.get(p)!.replace(/"epoch": (\d+)/g, (_: string, e: string) => `"epoch": ${Number(e) + (i % 2 === 0 ? 1 : -1)}`));
  frrMs += performance.now() - f0; // the fake's work, not the agent's
  const fc = process.cpuUsage(fc0);
  fakeCpu += (fc.user + fc.system) / 1000;
  await tick({ resync: true, reconcile: true, heldPoll: false });
}
const wall = performance.now() - t0; const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ root, N, TICKS, msPerTick: +(wall / TICKS).toFixed(2), fakeFrrMsPerTick: +(frrMs / TICKS).toFixed(2), agentMsPerTick: +((wall - frrMs) / TICKS).toFixed(2), cpuMsPerTick: +((cpu.user + cpu.system) / 1000 / TICKS).toFixed(2), flipCpuMsPerTick: +(fakeCpu / TICKS).toFixed(2), pipe, decisions: agent.counters.decisions, applies: agent.counters.applies }));
await agent.stop();
if (pipe) for (const k of [0, 1]) rmSync(`/tmp/ballast-agent-tick-${process.pid}-${k}.txt`, { force: true });
