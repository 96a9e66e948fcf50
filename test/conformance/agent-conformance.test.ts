/**
 * The agent's conformance cases, as data (the way holo tests its protocols): each folder under
 * test/conformance/agent/ is one case, run on the fake FRR (test/agent/fake-frr.ts):
 *
 *   agent.yaml          the agent config
 *   running.conf        FRR's running configuration before the agent starts (`{{AF}}` marks where
 *                       FRR prints the address families; the fake FRR fills in what the agent binds)
 *   frr-version         optional: the FRR version the inputs were recorded on (default 8.4.4)
 *   NN-input.json       step NN: { "advanceMs"?, "event", "server"?, "reason"?, "outside"?, "routes"? }
 *                       routes: prefix -> FRR's `show bgp ... json` answer, as FRR prints it (kept for
 *                       later steps until replaced); outside: configuration commands someone else runs
 *                       before the event (drift); event: start | resync | route-event | reconcile |
 *                       drain | undrain | stop | restart (a new agent process on the same FRR)
 *   NN-commands.txt     expected: the vtysh configuration calls of step NN, one command a line, calls
 *                       separated by a blank line
 *   NN-decisions.json   expected: the decision records the agent logged in step NN, with their cause
 *
 * Adding a case is adding a folder. BALLAST_RECORD=1 writes the expected files from what the agent
 * does now: after an FRR upgrade or a deliberate change, re-record and review the diff.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import type { AgentNotice } from '../../src/agent/notices.js';
import { FakeFrr } from '../agent/fake-frr.js';

const ROOT = fileURLToPath(new URL('./agent/', import.meta.url));
const RECORD = process.env.BALLAST_RECORD === '1';
const START = 1_000_000;

interface Step {
  readonly advanceMs?: number;
  readonly event: 'start' | 'resync' | 'route-event' | 'reconcile' | 'drain' | 'undrain' | 'stop' | 'restart';
  readonly server?: string;
  readonly reason?: string;
  readonly outside?: readonly string[];
  readonly routes?: Readonly<Record<string, unknown>>;
}

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, d.name, 'agent.yaml')))
  .map((d) => d.name)
  .sort();

test('there are agent conformance cases', () => assert.ok(cases.length > 0));

for (const name of cases) {
  test(`agent conformance: ${name}`, async () => {
    const dir = join(ROOT, name);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    const steps = readdirSync(dir)
      .filter((f) => /^\d+-input\.json$/.test(f))
      .sort()
      .map((f) => ({ n: f.slice(0, f.indexOf('-')), step: JSON.parse(read(f)) as Step }));
    assert.ok(steps.length > 0, `${name}: no NN-input.json`);
    let now = START;
    const frr = new FakeFrr(read('running.conf'));
    if (existsSync(join(dir, 'frr-version'))) frr.version = read('frr-version').trim();
    const decisions: unknown[] = [];
    const newAgent = () => {
      const a = new Agent(parseAgentConfig(read('agent.yaml'), join(dir, 'agent.yaml')), { frr: frr.run, logger: pino({ level: 'silent' }), now: () => now });
      a.subscribe((n: AgentNotice) => {
        if (n.kind === 'decision') decisions.push({ cause: n.cause, ...n.record });
      });
      return a;
    };
    let agent = newAgent();
    try {
      for (const { n, step } of steps) {
        now += step.advanceMs ?? 0;
        for (const [prefix, route] of Object.entries(step.routes ?? {})) frr.routes.set(prefix, JSON.stringify(route));
        if (step.outside) await frr.run(['configure terminal', ...step.outside]);
        const before = frr.applied.length;
        decisions.length = 0;
        if (step.event === 'restart') {
          // A new agent process on the same FRR: it must adopt what runs.
          await agent.stop();
          agent = newAgent();
          await agent.start();
        } else await run(agent, step, Object.keys(step.routes ?? {}));
        const calls = frr.applied.slice(before);
        const commands = calls.map((c) => c.join('\n')).join('\n\n') + (calls.length ? '\n' : '');
        const records = `${JSON.stringify(decisions, null, 2)}\n`;
        if (RECORD) {
          writeFileSync(join(dir, `${n}-commands.txt`), commands);
          writeFileSync(join(dir, `${n}-decisions.json`), records);
          continue;
        }
        const hint = `(BALLAST_RECORD=1 node test/run.mjs agent-conformance re-records ${name}; review the diff)`;
        assert.ok(existsSync(join(dir, `${n}-commands.txt`)), `${name}: ${n}-commands.txt is missing ${hint}`);
        assert.equal(commands, read(`${n}-commands.txt`), `${name} step ${n} (${step.event}): vtysh commands ${hint}`);
        assert.deepEqual(decisions, JSON.parse(read(`${n}-decisions.json`)), `${name} step ${n} (${step.event}): decision records ${hint}`);
      }
    } finally {
      await agent.stop();
    }
  });
}

async function run(agent: Agent, step: Step, changed: readonly string[]): Promise<void> {
  switch (step.event) {
    case 'restart':
      throw new Error('restart is handled by the runner');
    case 'start':
      return agent.start();
    case 'resync':
      return agent.resyncNow();
    case 'route-event':
      for (const p of changed) agent.routeChanged(p);
      return agent.idle();
    case 'reconcile':
      return agent.reconcileNow();
    case 'drain':
      await agent.setDrain(step.server ?? null, step.reason ?? 'conformance');
      return;
    case 'undrain':
      await agent.setDrain(step.server ?? null, null);
      return;
    case 'stop':
      return agent.stop();
  }
}
