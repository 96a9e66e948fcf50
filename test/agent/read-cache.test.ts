/**
 * The tick's unchanged-input fast path (src/agent/read-cache.ts, fixed-point.ts): what is byte-identical
 * to the last tick's reply is not parsed again and a prefix at a fixed point is not re-decided, yet a
 * changed prefix answer, a changed running configuration and a changed session summary each take effect
 * at the next tick, and a damping deadline still fires.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import { ReadCache } from '../../src/agent/read-cache.js';
import { parsePrefix } from '../../src/fabric/prefix.js';
import { ONE_PREFIX, ONE_PREFIX_YAML } from './config-fixture.js';
import { FakeFrr } from './fake-frr.js';
import { routeWith } from './recorded.js';

const base = readFileSync(new URL('../conformance/agent/leaf-base.conf', import.meta.url), 'utf8');
const TWO = [parsePrefix(ONE_PREFIX), parsePrefix('198.51.100.2/32')];
const COMMANDS = ['show bgp summary json', ...TWO.map((p) => `show bgp ipv4 unicast ${p.text} json`), 'show running-config'];

test('ReadCache: equal parts give the last objects back, a changed part is parsed anew', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(ONE_PREFIX, routeWith(['s11', 's12']));
  const cache = new ReadCache();
  const split = async () => cache.split(await frr.run(COMMANDS), COMMANDS, TWO, true);
  const a = await split();
  assert.equal(a.routes.length, 2);
  assert.equal(a.routes[1]!.prefix, null, 'FRR knows no such prefix: {}');
  const b = await split();
  assert.equal(b.routes, a.routes, 'the same answers: the same parse');
  assert.equal(b.running, a.running, 'the same running-config: the same parse');
  // The summary changes with every keepalive: always parsed.
  frr.spineState = 'Idle';
  const c = await split();
  assert.equal(c.routes, a.routes);
  assert.notDeepEqual(c.summary, a.summary);
  // One prefix's answer changes (and its length): parsed anew, and the running-config after it still found.
  frr.routes.set(ONE_PREFIX, routeWith(['s11', 's12', 's13']));
  const d = await split();
  assert.notEqual(d.routes, a.routes);
  assert.equal(d.routes[0]!.paths.length, a.routes[0]!.paths.length + 1);
  assert.equal(d.running, a.running, 'running-config unchanged after a longer block');
  frr.base = `${base}\n!\nip prefix-list OPERATOR seq 5 permit 192.0.2.0/24\n`;
  const e = await split();
  assert.notEqual(e.running, a.running);
  assert.ok(e.running.prefixLists.has('OPERATOR'), 'the new running-config is what is parsed');
  assert.equal(e.routes, d.routes);
  // Other commands with an equal-looking block: parsed anew.
  const one = COMMANDS.filter((c) => !c.includes('198.51.100.2/32'));
  const f = cache.split(await frr.run(one), one, [TWO[0]!], true);
  assert.equal(f.routes.length, 1);
  // A failed parse leaves nothing behind that a later equal reply could reuse wrongly.
  assert.throws(() => cache.split('{"ipv4Unicast":{}}\n{"prefix":', COMMANDS, TWO, true), { code: 'E_FRR_PARSE' });
  const g = await split();
  assert.equal(g.routes[0]!.paths.length, d.routes[0]!.paths.length);
});

test('ReadCache: a reply that differs only in the paths\' lastUpdate (FRR\'s epoch moves by a second) is the same', () => {
  // FRR's own text (fixtures/frr/agent: recorded on 8.4), its lastUpdate objects as FRR prints them.
  const answer = readFileSync(new URL('../../fixtures/frr/agent/leaf-v4-3servers-lb.json', import.meta.url), 'utf8').trim();
  assert.ok((answer.match(/"lastUpdate":\{/g) ?? []).length >= 3);
  const epochs = [...answer.matchAll(/"epoch":(\d+)/g)].map((m) => m[1]!);
  const at = (text: string, n: number) => text.replaceAll(/"epoch":(\d+)/g, (_, e: string) => `"epoch":${Number(e) + n}`).replaceAll(/(\d\d):(\d\d):(\d\d) 2026/g, (_, h: string, m: string) => `${h}:${m}:${String(n).padStart(2, '0')} 2026`);
  const commands = ['show bgp summary json', `show bgp ipv4 unicast ${ONE_PREFIX} json`, 'show running-config'];
  const running = new FakeFrr(base).runningConfig();
  const reply = (a: string) => `{"ipv4Unicast":{}}\n${a}\n${running}`;
  const cache = new ReadCache();
  const first = cache.split(reply(at(answer, 0)), commands, [TWO[0]!], true);
  assert.equal(cache.split(reply(at(answer, 1)), commands, [TWO[0]!], true).routes, first.routes, 'a second later: the same');
  assert.equal(cache.split(reply(at(answer, 59)), commands, [TWO[0]!], true).routes, first.routes);
  // Another length (an epoch with more digits): parsed anew, to the same content.
  const longer = cache.split(reply(answer.replace(`"epoch":${epochs[0]}`, `"epoch":${epochs[0]}0`)), commands, [TWO[0]!], true);
  assert.notEqual(longer.routes, first.routes);
  assert.deepEqual(longer.routes, first.routes);
  // A change right beside a lastUpdate object (the next path field): parsed anew, and seen.
  const moved = answer.replace(/("lastUpdate":\{[^}]*\},\s*)/, '$1"x":1,');
  assert.notEqual(moved, answer);
  const c = cache.split(reply(moved), commands, [TWO[0]!], true);
  assert.notEqual(c.routes, longer.routes);
  // A lastUpdate object of the same length but another shape (a bracket in place of a digit): parsed anew.
  const odd = answer.replace(`"epoch":${epochs[0]}`, `"epoch":${epochs[0]!.slice(0, -1)}]`);
  assert.throws(() => cache.split(reply(odd), commands, [TWO[0]!], true), { code: 'E_FRR_PARSE' });
  assert.equal(cache.split(reply(answer), commands, [TWO[0]!], true).routes[0]!.paths.length, first.routes[0]!.paths.length);
});

const YAML = ONE_PREFIX_YAML.replace('intervals: { resync-seconds: 3600, reconcile-seconds: 3600 }', 'intervals: { resync-seconds: 0.2, reconcile-seconds: 0.2, held-poll-seconds: 3600 }').replace(
  'damping: { hold-down-seconds: 3, min-interval-seconds: 1 }',
  'damping: { hold-down-seconds: 1, min-interval-seconds: 0 }',
);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the agent on unchanged ticks: a settled prefix is left as it is; each change takes effect at the next tick', async () => {
  const frr = new FakeFrr(base);
  frr.routes.set(ONE_PREFIX, routeWith(['s11', 's12', 's13']));
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
  const agent = new Agent(parseAgentConfig(YAML, 'agent.yaml'), { frr: frr.run, logger });
  after(() => agent.stop());
  await agent.start();
  await sleep(450);
  await agent.idle();
  // Settled: later ticks find it at its fixed point and keep the very same state.
  const settled = agent.snapshot().get(ONE_PREFIX)!;
  await sleep(450);
  await agent.idle();
  assert.equal(agent.snapshot().get(ONE_PREFIX), settled, 'not re-decided while nothing changed');
  assert.deepEqual(agent.latestRecords().get(ONE_PREFIX)!.healthyServers, ['s11', 's12', 'big']);

  // A changed prefix answer: decided at the next tick (no route event here, only the ticks).
  frr.routes.set(ONE_PREFIX, routeWith(['s11', 's12']));
  await sleep(450);
  await agent.idle();
  assert.deepEqual(agent.latestRecords().get(ONE_PREFIX)!.healthyServers, ['s11', 's12']);
  assert.deepEqual([...agent.snapshot().get(ONE_PREFIX)!.held], ['s13'], 'the absent server is pre-marked held');

  // A changed session summary: the spine session's fault is noticed at the next tick.
  frr.spineState = 'Idle';
  await sleep(450);
  await agent.idle();
  assert.ok(agent.frrFaults().some((f) => f.kind === 'spine-session-down'), 'spine session down noticed');
  frr.spineState = 'Established';

  // A changed running configuration (an owned entry deleted by hand): restored at the next tick.
  const [name, entries] = [...frr.routeMaps].find(([n]) => /^BALLAST-[AB]$/.test(n))!;
  entries.delete([...entries.keys()][0]!);
  await sleep(450);
  await agent.idle();
  assert.ok(logs.some((l) => l.event === 'drift'), 'drift noticed');
  assert.ok(frr.routeMaps.get(name)!.size > 0, 'and restored');

  // A damping deadline still fires: s13 returns, held (not admitted), and is released after the
  // hold-down (1 s), though every tick's reply in between is the same.
  frr.routes.set(ONE_PREFIX, routeWith(['s11', 's12'], { held: ['s13'] }));
  await sleep(400);
  await agent.idle();
  const waiting = agent.latestRecords().get(ONE_PREFIX)!;
  assert.deepEqual(waiting.heldServers, ['big'], 'held back first');
  assert.notEqual(agent.snapshot().get(ONE_PREFIX)!.nextCheckAt, null, 'with a deadline');
  await sleep(1100);
  await agent.idle();
  // Released at the deadline: by the damping timer, or by a tick that ran first (every 0.2 s here): a
  // prefix with a deadline pending is never at a fixed point, so each tick re-decides it.
  const release = logs.find((l) => l.event === 'decision' && (l.cause === 'damping' || l.cause === 'resync') && Array.isArray(l.heldServers) && l.heldServers.length === 0 && (l.healthyServers as string[]).includes('big'));
  assert.ok(release, `released at the deadline: ${JSON.stringify(logs.filter((l) => l.event === 'decision').slice(-3))}`);
  assert.equal(agent.snapshot().get(ONE_PREFIX)!.held.has('s13'), false);
  assert.ok(frr.clears.length > 0, 'its path re-evaluated in FRR');
  await agent.stop();
});
