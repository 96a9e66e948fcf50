/**
 * What the fault tests do to a lab (their own run directory and namespace prefix): kill, freeze and
 * restart FRR daemons and agents with the lab's own command lines, run a probe stream from the client
 * (src/lab/probe.ts), and check that nothing is left behind afterwards (holds, processes, route-maps).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadFixture } from '../../src/fabric/load.js';
import { restartAgent } from '../../src/lab/agents.js';
import { startDaemon, type Daemon } from '../../src/lab/daemons.js';
import { chrootView } from '../../src/lab/frr-versions.js';
import { netnsPids } from '../../src/lab/netns.js';
import { startProbes, type PrefixProbes } from '../../src/lab/probe.js';
import { alive, cmdline } from '../../src/lab/processes.js';
import { readState, writeState } from '../../src/lab/state.js';
import { frrOf, labInstance, passLab } from '../lab/harness.js';

// Per version pass its own (passLab): the 8.4 and 10.3 passes may run side by side in the runner's tail.
export const { runDir: RUN_DIR, nsPrefix: NS_PREFIX } = passLab('/run/ballast-lab-faults', 'flt-');
/** 200 probes a second to each address (the rate), from 64 source ports. */
export const PROBE_RATE = 200;
const PROBE_FLOWS = 64;

export function faultLab(fixture: string) {
  const L = labInstance(RUN_DIR, NS_PREFIX);
  const fabric = loadFixture(fixture);
  const ns = (node: string) => `${NS_PREFIX}${node}`;
  const dir = (node: string) => `${RUN_DIR}/${ns(node)}`;
  const role = (node: string): 'spine' | 'leaf' | 'server' => (fabric.spines.some((s) => s.name === node) ? 'spine' : fabric.leaves.some((l) => l.name === node) ? 'leaf' : 'server');
  const pidOf = (node: string, daemon: Daemon): number => Number(readFileSync(`${dir(node)}/${daemon}.pid`, 'utf8').trim());

  /** Signal a daemon of a node (by its pid file); with SIGKILL, wait until it is gone. */
  async function signal(node: string, daemon: Daemon, sig: NodeJS.Signals): Promise<number> {
    const pid = pidOf(node, daemon);
    process.kill(pid, sig);
    if (sig === 'SIGKILL') for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
    return pid;
  }

  /** Start a daemon again with the lab's command line (what watchfrr would do), recorded for `lab down`. */
  async function restart(node: string, daemon: Daemon): Promise<number> {
    const v = frrOf(role(node));
    // A killed daemon leaves its pid file: without it, the PID read back is the new daemon's own.
    rmSync(`${dir(node)}/${daemon}.pid`, { force: true });
    const pid = await startDaemon(ns(node), dir(node), daemon, { view: v === '8.4' ? null : chrootView(RUN_DIR, v) });
    const state = readState(RUN_DIR)!;
    state.daemons.push({ ns: ns(node), daemon, pid });
    writeState(state);
    return pid;
  }

  /** SIGKILL these daemons of a node, wait, start them again in the order given (zebra before bgpd). */
  async function killAndRestart(node: string, daemons: readonly Daemon[], afterMs: number): Promise<void> {
    for (const d of daemons) await signal(node, d, 'SIGKILL');
    await sleep(afterMs);
    for (const d of daemons) await restart(node, d);
  }

  const agentPid = (leaf: string): number => readState(RUN_DIR)!.daemons.filter((d) => d.ns === ns(leaf) && d.daemon === 'agent').at(-1)!.pid;
  const killAgent = async (leaf: string): Promise<number> => {
    const pid = agentPid(leaf);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
    return pid;
  };
  const startAgent = (leaf: string): Promise<number> => restartAgent(readState(RUN_DIR)!, ns(leaf));

  const vtysh = (node: string, ...commands: string[]): string =>
    execFileSync(`${dir(node)}/vtysh`, ['--vty_socket', dir(node), ...commands.flatMap((c) => ['-c', c])], { encoding: 'utf8', timeout: 10_000 });

  /** Command lines of what runs in a node's namespace. */
  const processes = async (node: string): Promise<string[]> => (await netnsPids(ns(node))).map((p) => cmdline(p) ?? '').filter(Boolean);

  /** A probe stream from the client to every anycast address, `seconds` long at most. */
  const probes = (seconds: number) =>
    startProbes(
      fabric.servers.map((s) => ({ name: s.name, ns: ns(s.name) })),
      ns('client'),
      fabric.services.map((s) => s.prefix.text),
      { rate: PROBE_RATE, flows: PROBE_FLOWS, seconds },
    );

  /**
   * Nothing left behind on the leaves: with `agents`, exactly one agent and one route monitor each, no
   * hold on a server that is not failed, only the agent's own route-maps (A, B and one inbound map per
   * server), both families bound to one slot; without, no ballast route-map at all. FRR daemons: only
   * the lab's (one bgpd and one zebra per router).
   */
  async function nothingLeft(agents: boolean, failed: readonly string[] = []): Promise<void> {
    for (const leaf of fabric.leaves) {
      const procs = await processes(leaf.name);
      const count = (re: RegExp) => procs.filter((p) => re.test(p)).length;
      assert.equal(count(/\/bgpd /), 1, `${leaf.name}: one bgpd: ${procs.join(' | ')}`);
      assert.equal(count(/\/zebra /), 1, `${leaf.name}: one zebra: ${procs.join(' | ')}`);
      // The agent runs from bin/ballast.js or the bundle (dist/main.js): `... agent -c FILE`.
      assert.equal(count(/\.js agent -c /), agents ? 1 : 0, `${leaf.name}: agents: ${procs.join(' | ')}`);
      assert.equal(count(/ip .*monitor/), agents ? 1 : 0, `${leaf.name}: route monitors: ${procs.join(' | ')}`);
      const text = vtysh(leaf.name, 'show running-config');
      const maps = [...new Set([...text.matchAll(/^route-map (BALLAST\S*) /gm)].map((m) => m[1]!))];
      if (!agents) {
        assert.deepEqual(maps, [], `${leaf.name}: no ballast route-map under native`);
        continue;
      }
      const servers = fabric.servers.filter((s) => s.leaf === leaf.name).map((s) => s.name);
      const allowed = new Set(['BALLAST-A', 'BALLAST-B', ...servers.map((s) => `BALLAST-IN-${s}`)]);
      assert.deepEqual(maps.filter((m) => !allowed.has(m)), [], `${leaf.name}: only the agent's own route-maps`);
      const bound = [...text.matchAll(/neighbor SPINES route-map (BALLAST-[AB]) out/g)].map((m) => m[1]);
      assert.ok(bound.length >= 1 && new Set(bound).size === 1, `${leaf.name}: one slot bound: ${bound.join(', ')}`);
      for (const s of servers.filter((x) => !failed.includes(x))) {
        const block = new RegExp(`^route-map BALLAST-IN-${s} permit \\d+\\n((?: .*\\n)*)`, 'gm');
        const held = [...text.matchAll(block)].some((m) => m[1]!.includes('set local-preference 50'));
        assert.ok(!held, `${leaf.name}: ${s} is healthy but still held`);
      }
    }
  }

  return { ...L, fabric, ns, dir, pidOf, signal, restart, killAndRestart, agentPid, killAgent, startAgent, vtysh, processes, probes, nothingLeft };
}

export type FaultLab = ReturnType<typeof faultLab>;

export interface Loss {
  readonly lost: number;
  readonly sent: number;
  /** Every flow of one address out at once, longest (ms). */
  readonly longestGapMs: number;
  /** One flow of one address out, longest (ms). */
  readonly longestFlowGapMs: number;
}

/** Probes lost over every address, and the longest outages of one address and of one flow. */
export function lossOf(r: ReadonlyMap<string, PrefixProbes>): Loss {
  const v = [...r.values()];
  const max = (k: 'longestGapMs' | 'longestFlowGapMs') => Math.max(0, ...v.map((p) => p[k]));
  return { lost: v.reduce((a, p) => a + p.lost, 0), sent: v.reduce((a, p) => a + p.sent + p.sendErrors, 0), longestGapMs: max('longestGapMs'), longestFlowGapMs: max('longestFlowGapMs') };
}
