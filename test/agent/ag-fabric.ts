/**
 * A small real-FRR fabric in network namespaces for the agent's own tests and benchmarks: one or two
 * spines, leaves and servers, BGP unnumbered, every namespace named `ag-*` so it never collides with
 * the lab. Processes are tracked and stopped by PID. Requires root and FRR 8.x.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AgServer {
  readonly name: string;
  readonly leaf: string;
  readonly prefixes: readonly string[];
}
export interface AgLeaf {
  readonly name: string;
  readonly asn: number;
}
export interface AgTopology {
  readonly spines: readonly string[];
  readonly leaves: readonly AgLeaf[];
  readonly servers: readonly AgServer[];
  /** Extra bgpd lines per leaf, inside `router bgp` (before the address families). */
  readonly leafExtra?: (leaf: AgLeaf) => string;
}

export const ROOT_DIR = '/run/ballast-ag';

export function frrAvailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync('/usr/lib/frr/bgpd') || !existsSync('/usr/bin/vtysh')) return 'needs FRR (/usr/lib/frr/bgpd, vtysh)';
  return null;
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function ns(name: string, cmd: string[]): string {
  return run('ip', ['netns', 'exec', name, ...cmd]);
}
export const nsName = (node: string): string => `ag-${node}`;
export const vtyDir = (node: string): string => join(ROOT_DIR, node);

function frrDir(node: string): string {
  const dir = vtyDir(node);
  mkdirSync(dir, { recursive: true });
  chownSync(dir, uidOf('frr'), gidOf('frr'));
  return dir;
}
function uidOf(user: string): number {
  return Number(run('id', ['-u', user]).trim());
}
function gidOf(user: string): number {
  return Number(run('id', ['-g', user]).trim());
}

const COMMON = ['no bgp ebgp-requires-policy', 'bgp bestpath as-path multipath-relax', 'timers bgp 3 9'];

function peerGroup(name: string): string[] {
  return [`neighbor ${name} peer-group`, `neighbor ${name} remote-as external`, `neighbor ${name} advertisement-interval 0`];
}

export function leafConfig(topo: AgTopology, leaf: AgLeaf, routerId: string): string {
  const servers = topo.servers.filter((s) => s.leaf === leaf.name);
  return [
    `hostname ${leaf.name}`,
    `router bgp ${leaf.asn}`,
    ` bgp router-id ${routerId}`,
    ...COMMON.map((l) => ` ${l}`),
    ...peerGroup('SPINE').map((l) => ` ${l}`),
    ...peerGroup('SERVERS').map((l) => ` ${l}`),
    ...topo.spines.map((sp) => ` neighbor ${sp} interface peer-group SPINE`),
    ...servers.map((s) => ` neighbor ${s.name} interface peer-group SERVERS`),
    ...(topo.leafExtra ? topo.leafExtra(leaf).split('\n').map((l) => ` ${l}`) : []),
    ' address-family ipv6 unicast',
    '  neighbor SPINE activate',
    '  neighbor SERVERS activate',
    ' exit-address-family',
    '',
  ].join('\n');
}

function spineConfig(topo: AgTopology, spine: string, routerId: string): string {
  return [
    `hostname ${spine}`,
    'router bgp 65100',
    ` bgp router-id ${routerId}`,
    ...COMMON.map((l) => ` ${l}`),
    ...peerGroup('LEAVES').map((l) => ` ${l}`),
    ...topo.leaves.map((l) => ` neighbor ${l.name} interface peer-group LEAVES`),
    ' address-family ipv6 unicast',
    '  neighbor LEAVES activate',
    ' exit-address-family',
    '',
  ].join('\n');
}

function serverConfig(server: AgServer, routerId: string): string {
  return [
    `hostname ${server.name}`,
    'ip prefix-list ANYCAST seq 5 permit 198.51.100.0/24 ge 32',
    'ip prefix-list ANYCAST seq 10 permit 203.0.113.0/24 ge 32',
    'ipv6 prefix-list ANYCAST6 seq 5 permit 2001:db8::/32 ge 128',
    'route-map ANYCAST permit 10',
    ' match ip address prefix-list ANYCAST',
    'route-map ANYCAST6 permit 10',
    ' match ipv6 address prefix-list ANYCAST6',
    'router bgp 65300',
    ` bgp router-id ${routerId}`,
    ...COMMON.map((l) => ` ${l}`),
    ...peerGroup('LEAF').map((l) => ` ${l}`),
    ` neighbor ${server.leaf} interface peer-group LEAF`,
    ' address-family ipv4 unicast',
    '  redistribute connected route-map ANYCAST',
    ' exit-address-family',
    ' address-family ipv6 unicast',
    '  neighbor LEAF activate',
    '  redistribute connected route-map ANYCAST6',
    ' exit-address-family',
    '',
  ].join('\n');
}

/** Bring the fabric up and wait until every session is Established. Cleans up on failure. */
export async function agUp(topo: AgTopology, timeoutMs = 40_000): Promise<void> {
  agDown(topo);
  try {
    const nodes = allNodes(topo);
    for (const n of nodes) {
      run('ip', ['netns', 'add', nsName(n)]);
      ns(nsName(n), ['ip', 'link', 'set', 'lo', 'up']);
      ns(nsName(n), ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    }
    const link = (a: string, b: string) => {
      // Interfaces are named after the peer on each side.
      run('ip', ['link', 'add', 'name', `t-${a}`.slice(0, 15), 'type', 'veth', 'peer', 'name', `t-${b}`.slice(0, 15)]);
      run('ip', ['link', 'set', `t-${a}`.slice(0, 15), 'netns', nsName(b), 'name', a]);
      run('ip', ['link', 'set', `t-${b}`.slice(0, 15), 'netns', nsName(a), 'name', b]);
      ns(nsName(a), ['ip', 'link', 'set', b, 'up']);
      ns(nsName(b), ['ip', 'link', 'set', a, 'up']);
    };
    for (const sp of topo.spines) for (const l of topo.leaves) link(sp, l.name);
    for (const s of topo.servers) link(s.leaf, s.name);
    let id = 1;
    for (const n of nodes) {
      const routerId = `100.64.0.${id++}`;
      const leaf = topo.leaves.find((l) => l.name === n);
      const server = topo.servers.find((s) => s.name === n);
      const conf = leaf ? leafConfig(topo, leaf, routerId) : server ? serverConfig(server, routerId) : spineConfig(topo, n, routerId);
      if (server) for (const p of server.prefixes) addAddress(server, p);
      startFrr(n, conf);
    }
    await waitEstablished(topo, timeoutMs);
  } catch (err) {
    agDown(topo);
    throw err;
  }
}

function addAddress(server: AgServer, prefix: string): void {
  ns(nsName(server.name), ['ip', prefix.includes(':') ? '-6' : '-4', 'addr', 'add', prefix, 'dev', 'lo']);
}

export function agFail(server: AgServer, prefix?: string): void {
  for (const p of prefix ? [prefix] : server.prefixes) ns(nsName(server.name), ['ip', p.includes(':') ? '-6' : '-4', 'addr', 'del', p, 'dev', 'lo']);
}
export function agHeal(server: AgServer, prefix?: string): void {
  for (const p of prefix ? [prefix] : server.prefixes) addAddress(server, p);
}

function startFrr(node: string, bgpConf: string): void {
  const dir = frrDir(node);
  writeFileSync(join(dir, 'zebra.conf'), `hostname ${node}\n`);
  writeFileSync(join(dir, 'bgpd.conf'), bgpConf);
  const common = ['-i', '', '-z', join(dir, 'zserv.api'), '--vty_socket', dir, '-P', '0', '-d'];
  for (const daemon of ['zebra', 'bgpd']) {
    const args = [...common];
    args[1] = join(dir, `${daemon}.pid`);
    ns(nsName(node), [`/usr/lib/frr/${daemon}`, '-f', join(dir, `${daemon}.conf`), ...args]);
  }
}

export function vtysh(node: string, ...commands: string[]): string {
  return run('vtysh', ['--vty_socket', vtyDir(node), ...commands.flatMap((c) => ['-c', c])]);
}

async function waitEstablished(topo: AgTopology, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const want = topo.spines.length * topo.leaves.length * 2 + topo.servers.length * 2;
  for (;;) {
    let up = 0;
    for (const n of allNodes(topo)) {
      try {
        const s = JSON.parse(vtysh(n, 'show bgp ipv4 unicast summary json')) as { peers?: Record<string, { state: string }> };
        up += Object.values(s.peers ?? {}).filter((p) => p.state === 'Established').length;
      } catch {
        /* daemon still starting */
      }
    }
    if (up >= want) return;
    if (Date.now() > deadline) throw new Error(`ag fabric: ${up}/${want} sessions Established after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function allNodes(topo: AgTopology): string[] {
  return [...topo.spines, ...topo.leaves.map((l) => l.name), ...topo.servers.map((s) => s.name)];
}

/** Stop the daemons by PID and remove the namespaces and files. Harmless when nothing is up. */
export function agDown(topo: AgTopology): void {
  for (const n of allNodes(topo)) {
    for (const daemon of ['bgpd', 'zebra']) {
      const pidFile = join(vtyDir(n), `${daemon}.pid`);
      if (!existsSync(pidFile)) continue;
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 1) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
    }
  }
  const t = Date.now();
  while (Date.now() - t < 3000 && allNodes(topo).some((n) => daemonAlive(n))) spawnSync('sleep', ['0.1']);
  for (const n of allNodes(topo)) {
    for (const daemon of ['bgpd', 'zebra']) {
      const pid = readPid(n, daemon);
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    spawnSync('ip', ['netns', 'del', nsName(n)], { stdio: 'ignore' });
    rmSync(vtyDir(n), { recursive: true, force: true });
  }
}

function readPid(node: string, daemon: string): number | null {
  const pidFile = join(vtyDir(node), `${daemon}.pid`);
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return pid > 1 ? pid : null;
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
function daemonAlive(node: string): boolean {
  return ['bgpd', 'zebra'].some((d) => {
    const pid = readPid(node, d);
    return pid !== null && alive(pid);
  });
}
