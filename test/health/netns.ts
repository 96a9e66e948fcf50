// A throwaway network namespace for tests that change addresses: named hc-<purpose>-<pid>, always deleted.
import { execFileSync } from 'node:child_process';

/** Why namespace tests cannot run here, or null when they can. */
export function netnsSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 "ip netns" is not available';
  }
  return null;
}

export function createNetns(purpose: string): string {
  const name = `hc-${purpose}-${process.pid}`;
  execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
  return name;
}

export function deleteNetns(name: string): void {
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe' });
  } catch {
    /* already gone */
  }
}

export function addressesIn(ns: string, dev = 'lo'): string[] {
  const out = execFileSync('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', dev], { encoding: 'utf8' });
  const links = JSON.parse(out) as { addr_info: { local: string; prefixlen: number }[] }[];
  return links.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).sort();
}
