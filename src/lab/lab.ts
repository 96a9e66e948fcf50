/**
 * Lab lifecycle: `up` builds the topology (topology.ts) step by step, recording every creation in the state
 * file first; `down` undoes exactly what the state file records. An interrupted or failed `up` runs
 * `down` before it returns, and a killed one leaves a state file that `down` finishes.
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadFixture } from '../fabric/load.js';
import { BallastError } from '../util/errors.js';
import { frrUser, prepareNodeDir, startDaemon, type FrrUser, type NodeFrr } from './daemons.js';
import { assertChrootReady, chrootFrrUser, mountView, prepareViewRun, unmountViews } from './frr-chroot.js';
import { isChrootVersion, labDaemons, mountsUnder, type LabFrrVersion } from './frr-versions.js';
import * as netns from './netns.js';
import { indexFabric } from '../forwarding/fabric-index.js';
import { resolveLink } from '../whatif/scenario.js';
import { checkLabPrefix, CLIENT_ADDRESS, CLIENT_ADDRESS6, hostPrefix, linkInterfaces, NETNS_PREFIX, labTopology, type LabTopology, type LeafPolicyName } from './topology.js';
import { agentLeaves, startAgents, startObservers } from './agents.js';
import { assertLabAvailable } from './preflight.js';
import { alive, cmdline, removeCrashLogDirs, terminate } from './processes.js';
import { DEFAULT_RUN_DIR, readState, writeState, type LabState } from './state.js';
import { readSessions, serversNotHeard, waitFor } from './observe.js';
import type { ClientMode } from './client.js';
import { predictLab } from './predict.js';
import { waitConverged } from './status.js';
import { chrootView as chrootViewOf } from './frr-versions.js';

export interface UpOptions {
  readonly fixture: string;
  readonly leafPolicy: LeafPolicyName;
  readonly runDir?: string;
  /** Namespaces are named PREFIX + node name; default NETNS_PREFIX. */
  readonly nsPrefix?: string;
  /** Aborting (Ctrl-C) stops `up` between steps and removes what it created. */
  readonly signal?: AbortSignal;
  /** Progress lines for stderr. */
  readonly log?: (line: string) => void;
  /** How long to wait for every BGP session to reach Established. */
  readonly establishTimeoutMs?: number;
  /** Run every node on this FRR version; absent: each node's fixture `frr:`, else the host's 8.4. */
  readonly frr?: LabFrrVersion;
  /** `bgp`: the client peers with every spine and weights them by what they advertise (client.ts). */
  readonly client?: ClientMode;
}

export interface UpResult {
  readonly topology: LabTopology;
  readonly state: LabState;
  readonly seconds: number;
}

export async function labUp(options: UpOptions): Promise<UpResult> {
  const started = performance.now();
  const runDir = options.runDir ?? DEFAULT_RUN_DIR;
  const log = options.log ?? (() => {});
  const existing = readState(runDir);
  if (existing) {
    throw new BallastError('E_LAB_EXISTS', `A lab is already up (${existing.fixture}, ${existing.namespaces.length} namespaces, state ${runDir}/state.json): run "ballast lab down" first`);
  }
  const fabric = loadFixture(options.fixture);
  // Validate everything before the first namespace exists.
  const topology = labTopology(fabric, options.leafPolicy, runDir, options.nsPrefix ?? NETNS_PREFIX, options.frr, options.client);
  const routers = topology.nodes.filter((n) => n.frr);
  const versions = [...new Set(routers.map((n) => n.frrVersion!))];
  await assertLabAvailable({ hostFrr: versions.includes('8.4') });
  const chroots = versions.filter(isChrootVersion);
  for (const v of chroots) assertChrootReady(v);
  log(`FRR ${versions.map((v) => `${v} (${routers.filter((n) => n.frrVersion === v).length} routers)`).join(', ')}`);
  for (const note of topology.notes) log(`note: ${note}`);
  const taken = new Set(await netns.listNetns());
  const clash = topology.nodes.find((n) => taken.has(n.ns));
  if (clash) throw new BallastError('E_LAB_EXISTS', `Network namespace ${clash.ns} already exists but is not recorded in ${runDir}/state.json; it is not the lab's to remove`);
  const users = new Map<LabFrrVersion, FrrUser>();
  if (versions.includes('8.4')) users.set('8.4', await frrUser());
  for (const v of chroots) users.set(v, await chrootFrrUser(v));

  const state: LabState = {
    schemaVersion: 1,
    fixture: resolve(options.fixture),
    leafPolicy: options.leafPolicy,
    runDir,
    nsPrefix: topology.nsPrefix,
    startedAt: new Date().toISOString(),
    phase: 'creating',
    namespaces: [],
    daemons: [],
    failed: fabric.servers.filter((s) => s.state !== 'up').map((s) => s.name),
    ...(options.frr ? { frr: options.frr } : {}),
    ...(options.client && options.client !== 'static' ? { client: options.client } : {}),
    mounts: [],
    views: [],
  };
  const step = (): void => {
    if (options.signal?.aborted) throw new BallastError('E_LAB_INTERRUPTED', 'Lab start-up interrupted; everything it created has been removed');
  };
  try {
    writeState(state);
    log(`creating ${topology.nodes.length} namespaces`);
    for (const node of topology.nodes) {
      step();
      // Recorded before it exists: if `ip netns add` half-succeeds, `down` still tries to remove it.
      state.namespaces.push(node.ns);
      writeState(state);
      await netns.addNetns(node.ns);
    }
    // Kernels before 6.11 have no per-namespace seed: flows then hash alike at every hop (docs/frr.md "Traffic in namespaces").
    // The seed lives under net.ipv4 but seeds IPv6 multipath hashing too (kernel commit 4ee2a8cace3f);
    // IPv6 has its own hash policy sysctl, absent from very old kernels.
    const seeds = existsSync('/proc/sys/net/ipv4/fib_multipath_hash_seed');
    if (!seeds) log('warning: this kernel has no net.ipv4.fib_multipath_hash_seed (needs >= 6.11); traffic shares will be skewed');
    const v6Policy = topology.families.includes('ipv6') && existsSync('/proc/sys/net/ipv6/fib_multipath_hash_policy');
    if (topology.families.includes('ipv6') && !v6Policy) log('warning: this kernel has no net.ipv6.fib_multipath_hash_policy; IPv6 traffic shares will be skewed');
    await Promise.all(
      topology.nodes.map(async (node) => {
        await netns.linkUp(node.ns, 'lo');
        await netns.setSysctls(node.ns, {
          'net.ipv4.ip_forward': node.forwarding ? 1 : 0,
          'net.ipv6.conf.all.forwarding': node.forwarding ? 1 : 0,
          'net.ipv4.conf.all.rp_filter': 0,
          'net.ipv4.conf.default.rp_filter': 0,
          'net.ipv4.fib_multipath_hash_policy': 1,
          ...(seeds ? { 'net.ipv4.fib_multipath_hash_seed': node.hashSeed } : {}),
          ...(v6Policy ? { 'net.ipv6.fib_multipath_hash_policy': 1 } : {}),
          // With automatic flow labels an IPv6 sender stamps an L4 hash on the packet; veth keeps it
          // across namespaces and policy 1 reuses a packet's L4 hash, so every hop would hash a flow
          // alike, seeds or not (measured: one server of a leaf got all of its flows). Off: each
          // router hashes the 5-tuple with its own seed, as IPv4 does.
          ...(topology.families.includes('ipv6') ? { 'net.ipv6.auto_flowlabels': 0 } : {}),
        });
      }),
    );
    step();
    log(`creating ${topology.links.length} links`);
    for (const link of topology.links) await netns.addVeth(link.a, link.b);
    await Promise.all(
      topology.links.flatMap((link) =>
        [link.a, link.b].map(async (end) => {
          if (end.address) await netns.addAddress(end.ns, end.address, end.ifname);
          // nodad: usable at once, not tentative for a second while duplicate detection runs.
          if (end.address6) await netns.addAddress(end.ns, end.address6, end.ifname, ['nodad']);
          await netns.linkUp(end.ns, end.ifname);
        }),
      ),
    );
    for (const [ns, addresses] of topology.anycast) for (const a of addresses) await netns.addAddress(ns, hostPrefix(a), 'lo');
    const clientNs = topology.nodes.find((n) => n.role === 'client')!.ns;
    await netns.addAddress(clientNs, `${CLIENT_ADDRESS}/32`, 'lo');
    if (topology.families.includes('ipv6')) await netns.addAddress(clientNs, `${CLIENT_ADDRESS6}/128`, 'lo');
    for (const service of topology.client === 'static' ? fabric.services : []) {
      const v6 = service.prefix.family === 'ipv6';
      const hops = topology.clientNexthops.flatMap((h) => ['nexthop', 'via', v6 ? h.via6! : h.via, 'dev', h.dev, 'weight', String(h.weight)]);
      await netns.addRoute(clientNs, [service.prefix.text, 'src', v6 ? CLIENT_ADDRESS6 : CLIENT_ADDRESS, ...hops]);
    }
    step();
    log('starting FRR');
    const views = new Map<LabFrrVersion, string>();
    for (const v of chroots) {
      state.views!.push(chrootViewOf(runDir, v));
      const view = await mountView(runDir, v, (point) => {
        state.mounts!.push(point);
        writeState(state);
      });
      await prepareViewRun(view, users.get(v)!);
      views.set(v, view);
    }
    const nodeFrr = (node: (typeof routers)[number]): NodeFrr => ({ view: views.get(node.frrVersion!) ?? null });
    for (const node of routers) prepareNodeDir(`${runDir}/${node.ns}`, node.frr!, users.get(node.frrVersion!)!, nodeFrr(node));
    // mgmtd (FRR 10), then zebra first everywhere: bgpd retries its zebra connection, but starting it late costs seconds.
    for (const daemon of ['mgmtd', 'zebra', 'bgpd'] as const) {
      const nodes = routers.filter((n) => labDaemons(n.frrVersion!).includes(daemon));
      const pids = await Promise.all(nodes.map((node) => startDaemon(node.ns, `${runDir}/${node.ns}`, daemon, nodeFrr(node))));
      nodes.forEach((node, i) => state.daemons.push({ ns: node.ns, daemon, pid: pids[i]! }));
      writeState(state);
      step();
    }
    log('waiting for BGP sessions');
    await waitFor(
      async () => {
        step();
        const sessions = await readSessions(topology.nodes, runDir);
        const down = sessions.filter((s) => s.state !== 'Established');
        return down.length === 0 && sessions.length === expectedSessions(topology) ? true : null;
      },
      options.establishTimeoutMs ?? 60_000,
      'every BGP session to reach Established',
    );
    if (agentLeaves(topology).length > 0) {
      // Bounded, and never fatal: a server whose health checker has not added its addresses yet announces nothing.
      await waitFor(async () => (serversNotHeard(await readSessions(topology.nodes, runDir), fabric.servers, state.failed).length === 0 ? true : null), 10_000, "every server's routes at its leaf").catch((err: unknown) => {
        if (!(err instanceof BallastError && err.code === 'E_LAB_TIMEOUT')) throw err;
        log(`warning: ${err.message}`);
      });
      // Side by side: an observer reads its spine and needs nothing from the agents.
      log('starting the leaf agents and the spine observers');
      await Promise.all([startAgents(topology, state), startObservers(topology, state)]);
    }
    // Sessions up is not routes installed: wait (bounded) for the spines to hold what is predicted,
    // so `up` followed at once by `traffic` measures the converged fabric.
    log('waiting for the spine and leaf kernels to hold the predicted weights');
    try {
      await waitConverged({ state, fabric, topology, predictions: predictLab(fabric, options.leafPolicy, state.failed, options.frr, [], topology.client) }, 20_000);
    } catch (err) {
      if (!(err instanceof BallastError && err.code === 'E_LAB_TIMEOUT')) throw err;
      log('warning: the kernels differ from the prediction after 20 s; see "ballast lab status"');
    }
    state.phase = 'up';
    writeState(state);
    return { topology, state, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    log('cleaning up');
    await labDown(runDir);
    throw err;
  }
}

/** Both ends of every spine-leaf and leaf-server link run BGP. */
export function expectedSessions(topology: LabTopology): number {
  const routerNs = new Set(topology.nodes.filter((n) => n.frr).map((n) => n.ns));
  return topology.links.filter((l) => routerNs.has(l.a.ns) && routerNs.has(l.b.ns)).length * 2;
}

export interface DownResult {
  /** False when there was no lab. */
  readonly removed: boolean;
  readonly namespaces: number;
  readonly processes: number;
  readonly seconds: number;
}

export async function labDown(runDir: string = DEFAULT_RUN_DIR): Promise<DownResult> {
  const started = performance.now();
  const state = readState(runDir);
  if (!state) return { removed: false, namespaces: 0, processes: 0, seconds: 0 };
  const present = new Set(await netns.listNetns());
  const namespaces = state.namespaces.filter((ns) => present.has(ns));
  // Everything inside a namespace the lab created is the lab's; recorded daemons are checked again
  // by their command line (which names our run directory) in case the PID was reused.
  const pids = new Set<number>();
  for (const d of state.daemons) if (alive(d.pid) && cmdline(d.pid)?.includes(`${runDir}/`)) pids.add(d.pid);
  // Several rounds: a daemon an interrupted `up` was still starting may enter its namespace late.
  // No grace: nothing a lab process would do on a clean exit outlives its namespace (zebra's
  // routes, bgpd's sessions, an agent's holds), and the clean exits took ~3.5 s of every `down`
  // (FRR's 2 s, the agents' and observers' 1.6 s). What a hard kill leaves, the crash-log
  // directories, is removed below.
  for (let round = 0; round < 5; round++) {
    const found = new Set<number>();
    for (const list of netns.pidsByNetns(namespaces).values()) for (const pid of list) found.add(pid);
    if (round > 0 && found.size === 0) break;
    for (const pid of found) pids.add(pid);
    await terminate([...(round === 0 ? pids : found)], 0);
  }
  await Promise.all(namespaces.map((ns) => netns.deleteNetns(ns)));
  removeCrashLogDirs(new Set([...pids, ...state.daemons.map((d) => d.pid)]));
  // Chroot views: unmounted before anything is deleted; a run directory is never removed while
  // something is mounted below it (rm would reach through a bind mount into the chroot).
  const stuck = await unmountViews(state.mounts ?? [], state.views ?? []);
  const below = mountsUnder(runDir);
  if (stuck.length > 0 || below.length > 0) {
    throw new BallastError('E_LAB', `Cannot unmount ${[...stuck, ...below].join(', ')}; the lab's processes are gone, the mounts and ${runDir} are kept: unmount them by hand, then run "ballast lab down" again`);
  }
  rmSync(runDir, { recursive: true, force: true });
  return { removed: true, namespaces: namespaces.length, processes: pids.size, seconds: (performance.now() - started) / 1000 };
}

/** The lab's state, or an error telling the user to start one. */
export function requireLab(runDir: string = DEFAULT_RUN_DIR): LabState {
  const state = readState(runDir);
  if (!state || state.phase !== 'up') throw new BallastError('E_LAB', state ? 'The lab is still starting or its start-up was interrupted: run "ballast lab down"' : 'No lab is up: run "ballast lab up FIXTURE" first');
  return state;
}

/**
 * Take a leaf-spine or spine/super-spine link down (fail) or up (heal): both ends of its veth pair,
 * so neither FRR sees carrier and the session drops at once. `name` is LEAF/SPINE[#N] or SPINE/SUPER
 * in either order; without #N every parallel link of the pair.
 */
export async function labSetLink(name: string, healthy: boolean, runDir: string = DEFAULT_RUN_DIR): Promise<{ changed: boolean; links: string[] }> {
  const state = requireLab(runDir);
  const fabric = loadFixture(state.fixture);
  const index = indexFabric(fabric);
  const links = resolveLink(index, name);
  const prefix = state.nsPrefix ?? NETNS_PREFIX;
  let changed = false;
  for (const link of links) {
    // A leaf-spine link, or a spine's link to a super-spine (each end named after the other node).
    const [lower, upper] = link.name.split(/[/#]/) as [string, string];
    const ends: readonly (readonly [string, string])[] =
      link.kind === 'uplink'
        ? [[`${prefix}${lower}`, upper], [`${prefix}${upper}`, lower]]
        : ((ifs) => [[`${prefix}${lower}`, ifs.onLeaf], [`${prefix}${upper}`, ifs.onSpine]] as const)(linkInterfaces(lower, upper, index.linkOrdinal[link.index]!));
    for (const [ns, ifname] of ends) {
      if ((await netns.isLinkUp(ns, ifname)) === healthy) continue;
      await (healthy ? netns.linkUp(ns, ifname) : netns.linkDown(ns, ifname));
      changed = true;
    }
  }
  const names = links.map((l) => l.name);
  const before = state.failedLinks ?? [];
  state.failedLinks = healthy ? before.filter((n) => !names.includes(n)) : [...new Set([...before, ...names])];
  writeState(state);
  return { changed, links: names };
}

/** Remove (fail) or restore (heal) a server's anycast addresses: the health checker's action. */
export async function labSetServer(serverName: string, healthy: boolean, runDir: string = DEFAULT_RUN_DIR): Promise<{ changed: boolean; addresses: string[] }> {
  const state = requireLab(runDir);
  const fabric = loadFixture(state.fixture);
  const server = fabric.servers.find((s) => s.name === serverName);
  if (!server) throw new BallastError('E_USAGE', `No server ${JSON.stringify(serverName)} in the lab; servers: ${fabric.servers.map((s) => s.name).join(', ')}`);
  const ns = `${state.nsPrefix ?? NETNS_PREFIX}${server.name}`;
  const present = new Set(await netns.addresses(ns, 'lo'));
  const addresses = server.prefixes.map(checkLabPrefix);
  let changed = false;
  for (const a of addresses) {
    if (healthy && !present.has(a)) {
      await netns.addAddress(ns, hostPrefix(a), 'lo');
      changed = true;
    } else if (!healthy && present.has(a)) {
      await netns.deleteAddress(ns, hostPrefix(a), 'lo');
      changed = true;
    }
  }
  state.failed = healthy ? state.failed.filter((n) => n !== server.name) : [...new Set([...state.failed, server.name])];
  writeState(state);
  return { changed, addresses };
}

