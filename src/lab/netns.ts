/** Thin wrappers over iproute2 and sysctl for the lab's namespaces. Every call names its namespace. */
import { run } from '../util/exec.js';

const IP = 'ip';

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
  const { stdout } = await run(IP, ['netns', 'pids', ns]);
  return stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1);
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
