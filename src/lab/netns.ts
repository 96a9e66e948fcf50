/** Thin wrappers over iproute2 and sysctl for the lab's namespaces. Every call names its namespace. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../util/exec.js';

const IP = 'ip';
/** Where iproute2 binds named network namespaces. */
export const NETNS_DIR = '/run/netns';

export async function addNetns(ns: string): Promise<void> {
  await run(IP, ['netns', 'add', ns]);
}

export async function deleteNetns(ns: string): Promise<void> {
  await run(IP, ['netns', 'delete', ns]);
}

export async function listNetns(): Promise<string[]> {
  const { stdout } = await run(IP, ['-j', 'netns', 'list']);
  if (!stdout.trim()) return [];
  return (JSON.parse(stdout) as { name: string }[]).map((n) => n.name);
}

/** PIDs of every process inside a namespace: all of them are the lab's, since the lab created it. */
export async function netnsPids(ns: string): Promise<number[]> {
  return pidsByNetns([ns]).get(ns) ?? [];
}

/**
 * The processes inside each of these namespaces, from one scan of /proc: what `ip netns pids` finds
 * (a process whose network namespace is the one bound at NETNS_DIR/NAME), without a process per
 * namespace (15 of them took ~0.5 s of every `lab down`). A namespace that is gone has none.
 */
export function pidsByNetns(names: readonly string[], procDir = '/proc', netnsDir = NETNS_DIR): Map<string, number[]> {
  const byInode = new Map<string, string>();
  for (const name of names) {
    try {
      const st = statSync(join(netnsDir, name));
      byInode.set(`${st.dev}:${st.ino}`, name);
    } catch {
      /* not there (any more): no processes */
    }
  }
  const out = new Map<string, number[]>(names.map((n) => [n, []]));
  if (byInode.size === 0) return out;
  for (const entry of readdirSync(procDir)) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1) continue;
    let st;
    try {
      st = statSync(join(procDir, entry, 'ns', 'net'));
    } catch {
      continue; // exited meanwhile, or a kernel thread
    }
    const name = byInode.get(`${st.dev}:${st.ino}`);
    if (name !== undefined) out.get(name)!.push(pid);
  }
  return out;
}

/** A veth pair created straight into its two namespaces: nothing ever appears in the host's. */
export async function addVeth(a: { ns: string; ifname: string; mac: string }, b: { ns: string; ifname: string; mac: string }): Promise<void> {
  // `name` first: a bare `a` would parse as `address` (docs/frr.md "Running FRR per namespace").
  await run(IP, ['link', 'add', 'name', a.ifname, 'address', a.mac, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.ifname, 'address', b.mac, 'netns', b.ns]);
}

export async function linkUp(ns: string, ifname: string): Promise<void> {
  await run(IP, ['-n', ns, 'link', 'set', 'dev', ifname, 'up']);
}

export async function linkDown(ns: string, ifname: string): Promise<void> {
  await run(IP, ['-n', ns, 'link', 'set', 'dev', ifname, 'down']);
}

/** Whether an interface is administratively up. */
export async function isLinkUp(ns: string, ifname: string): Promise<boolean> {
  const { stdout } = await run(IP, ['-n', ns, '-j', 'link', 'show', 'dev', ifname]);
  const links = JSON.parse(stdout || '[]') as { flags?: string[] }[];
  return links[0]?.flags?.includes('UP') ?? false;
}

/** `flags` such as `nodad` follow the device. */
export async function addAddress(ns: string, address: string, dev: string, flags: readonly string[] = []): Promise<void> {
  await run(IP, ['-n', ns, 'address', 'add', address, 'dev', dev, ...flags]);
}

export async function deleteAddress(ns: string, address: string, dev: string): Promise<void> {
  await run(IP, ['-n', ns, 'address', 'delete', address, 'dev', dev]);
}

/** IPv4 and IPv6 addresses on an interface, without their lengths. */
export async function addresses(ns: string, dev: string): Promise<string[]> {
  const { stdout } = await run(IP, ['-n', ns, '-j', 'address', 'show', 'dev', dev]);
  const links = JSON.parse(stdout || '[]') as { addr_info?: { local?: string }[] }[];
  return links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local ?? '')).filter(Boolean);
}

export async function addRoute(ns: string, args: readonly string[]): Promise<void> {
  await run(IP, ['-n', ns, 'route', 'add', ...args]);
}

/** `ip -j [-6] route show` output for the given selector, unparsed (kernel-route.ts parses it). */
export async function routesJson(ns: string, selector: readonly string[], family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<unknown> {
  const { stdout } = await run(IP, ['-n', ns, '-j', ...(family === 'ipv6' ? ['-6'] : []), 'route', 'show', ...selector]);
  return JSON.parse(stdout || '[]') as unknown;
}

export async function setSysctls(ns: string, values: Readonly<Record<string, string | number>>): Promise<void> {
  await run(IP, ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...Object.entries(values).map(([k, v]) => `${k}=${v}`)]);
}
