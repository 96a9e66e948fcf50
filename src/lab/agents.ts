/**
 * `--leaf-policy ballast`: one leaf agent per leaf namespace, configured from the fixture (its
 * prefixes, servers and capacities, and the fixture's policy), and one read-only observer per spine
 * namespace (`ballast observe`), started after the BGP sessions are up and recorded in the state file
 * by PID, so `lab down` ends them like the FRR daemons. Sockets live in each node's run directory.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Address6 } from 'ip-address';
import { stringify } from 'yaml';
import type { Fabric, Leaf } from '../fabric/types.js';
import { BallastError } from '../util/errors.js';
import { ballastScript } from '../util/self.js';
import { leafRuns, type LabTopology } from './topology.js';
import { writeState, type LabState } from './state.js';
import { nodeVtysh } from './daemons.js';

const BIN = ballastScript();

/** The agent config of one lab leaf, as YAML text (written beside the leaf's FRR files). */
/** The agent's API socket in a lab leaf's directory (reachable from outside the namespace: it is a file). */
export function agentSocket(leafDir: string): string {
  return join(leafDir, 'agent.sock');
}

/** Each lab agent serves metrics on this port of its own namespace's loopback. */
export const LAB_METRICS_PORT = 9273;

export function agentConfigYaml(fabric: Fabric, leaf: Leaf, vtyDir: string, overrides: { reconcileSeconds?: number; resyncSeconds?: number } = {}): string {
  const servers = fabric.servers.filter((s) => s.leaf === leaf.name);
  const prefixes = fabric.services.map((s) => s.prefix.text).filter((p) => servers.some((s) => s.prefixes.includes(p)));
  const p = fabric.policy;
  return stringify({
    leaf: leaf.name,
    // The node's own vtysh (the host's or its chroot's): daemons.ts writes it beside the configs.
    frr: { vtysh: nodeVtysh(vtyDir), 'vty-socket-dir': vtyDir, 'timeout-ms': 3000 },
    bgp: { asn: leaf.asn, 'spine-peer-group': 'SPINES' },
    prefixes,
    servers: {
      match: { 'peer-group': 'SERVERS' },
      list: servers.map((s) => ({ neighbor: s.name, capacity: s.capacity, prefixes: s.prefixes.filter((x) => prefixes.includes(x)) })),
    },
    policy: {
      mode: p.mode,
      'mbps-per-unit': p.mbpsPerUnit,
      'weight-servers': p.weightServers,
      prepend: { 'below-fraction': p.prependBelowFraction, 'below-servers': p.prependBelowServers, length: p.prependLength },
      damping: { 'hold-down-seconds': p.damping.holdDownSeconds, 'min-interval-seconds': p.damping.minIntervalSeconds, 'min-change-fraction': p.damping.minChangeFraction },
    },
    intervals: { 'resync-seconds': overrides.resyncSeconds ?? 5, 'reconcile-seconds': overrides.reconcileSeconds ?? 5 },
    api: { listen: `unix://${agentSocket(vtyDir)}`, 'metrics-port': LAB_METRICS_PORT, 'state-file': join(vtyDir, 'agent-state.json') },
  });
}

/** The observer's API socket in a lab spine's directory, beside where a leaf's agent keeps its own. */
export function observerSocket(spineDir: string): string {
  return join(spineDir, 'observer.sock');
}

/** The /24 (IPv4) or /48 (IPv6) around a lab prefix: observers take covering ranges, as in production. */
export function coveringRange(prefix: string): string {
  const [address] = prefix.split('/') as [string];
  if (!address.includes(':')) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  return `${new Address6(`${address}/48`).startAddress().correctForm()}/48`;
}

/** The observer config of one lab spine: the covering ranges of the fixture's prefixes, the kernel read in place. */
export function observerConfigYaml(fabric: Fabric, node: string, vtyDir: string): string {
  return stringify({
    node,
    frr: { vtysh: nodeVtysh(vtyDir), 'vty-socket-dir': vtyDir, 'timeout-ms': 3000 },
    prefixes: [...new Set(fabric.services.map((s) => coveringRange(s.prefix.text)))],
    kernel: true,
    intervals: { 'poll-seconds': 1 },
    api: { listen: `unix://${observerSocket(vtyDir)}`, 'metrics-port': LAB_METRICS_PORT },
  });
}

/** The leaves that run an agent: all under `ballast`, the `ballast` ones of a mixed fleet under `configured`. */
export function agentLeaves(topology: LabTopology): string[] {
  return topology.fabric.leaves.filter((l) => leafRuns(topology.leafPolicy, l) === 'ballast').map((l) => l.name);
}

/** Start an agent in every leaf namespace that runs ballast and wait until each has applied its first state. */
export async function startAgents(topology: LabTopology, state: LabState, timeoutMs = 20_000): Promise<void> {
  const names = agentLeaves(topology);
  const leaves = topology.nodes.filter((n) => n.role === 'leaf' && names.includes(n.name));
  await startDaemons(state, 'agent', leaves.map((node) => {
    const dir = `${topology.runDir}/${node.ns}`;
    const leaf = topology.fabric.leaves.find((l) => l.name === node.name)!;
    return { ns: node.ns, dir, config: agentConfigYaml(topology.fabric, leaf, dir) };
  }), timeoutMs);
}

/** Start an observer in every spine namespace and wait until each has read its spine once. */
export async function startObservers(topology: LabTopology, state: LabState, timeoutMs = 20_000): Promise<void> {
  const spines = topology.nodes.filter((n) => n.role === 'spine');
  await startDaemons(state, 'observer', spines.map((node) => {
    const dir = `${topology.runDir}/${node.ns}`;
    return { ns: node.ns, dir, config: observerConfigYaml(topology.fabric, node.name, dir) };
  }), timeoutMs);
}

/** Start a leaf's agent again with the configuration it ran with (after it was killed: the fault tests). */
export async function restartAgent(state: LabState, ns: string, timeoutMs = 20_000): Promise<number> {
  const dir = `${state.runDir}/${ns}`;
  await startDaemons(state, 'agent', [{ ns, dir, config: readFileSync(join(dir, 'agent.yaml'), 'utf8') }], timeoutMs);
  return state.daemons.filter((d) => d.ns === ns && d.daemon === 'agent').at(-1)!.pid;
}

/** Spawn `ballast agent|observe -c DIR/NAME.yaml` in each namespace, recorded by PID, and wait for "started". */
async function startDaemons(state: LabState, daemon: 'agent' | 'observer', nodes: readonly { ns: string; dir: string; config: string }[], timeoutMs: number): Promise<void> {
  const logs: { log: string; from: number }[] = [];
  for (const node of nodes) {
    const file = join(node.dir, `${daemon}.yaml`);
    writeFileSync(file, node.config);
    const log = join(node.dir, `${daemon}.log`);
    const fd = openSync(log, 'a');
    // A restarted daemon appends to its log: only what it writes from here on counts.
    const from = fstatSync(fd).size;
    // `ip netns exec` execs node in place: the PID recorded is the daemon's own.
    // BALLAST_NODE_OPTIONS: node flags for the daemons, as the package's /usr/bin/ballast takes them.
    const flags = (process.env.BALLAST_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn('ip', ['netns', 'exec', node.ns, process.execPath, ...flags, BIN, daemon === 'agent' ? 'agent' : 'observe', '-c', file], { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
    if (child.pid === undefined) throw new BallastError('E_LAB', `Cannot start the ${daemon} in ${node.ns}`);
    state.daemons.push({ ns: node.ns, daemon, pid: child.pid });
    writeState(state);
    logs.push({ log, from });
  }
  const deadline = Date.now() + timeoutMs;
  for (const { log, from } of logs) {
    for (;;) {
      const text = readFileSync(log, 'utf8').slice(from);
      if (text.includes('"event":"started"')) break;
      const fatal = /^ballast: .*$/m.exec(text);
      if (fatal) throw new BallastError('E_LAB', `The ${daemon} failed to start (${log}): ${fatal[0]}`);
      if (Date.now() > deadline) throw new BallastError('E_LAB_TIMEOUT', `The ${daemon} did not start within ${timeoutMs} ms; see ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
