/**
 * Kernel route events as a trigger for targeted re-reads: `ip -ts monitor route` in the leaf's network
 * namespace prints one line per RTM_NEWROUTE/RTM_DELROUTE (zebra installs a changed BGP route about
 * 130 ms after a server withdraws). Only the destination is used; what the leaf really has is then read
 * from bgpd. `ip -json monitor` prints no JSON in iproute2 6.1, hence the text parser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

const ROUTE_TYPES = new Set(['unicast', 'local', 'broadcast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'anycast']);

/**
 * The destination of one monitor line as a canonical-looking prefix (`198.51.100.1/32`,
 * `2001:db8::1/128`), or null for nexthop continuation lines and anything that is not a route.
 */
export function parseMonitorLine(line: string): string | null {
  if (line === '' || /^\s/.test(line)) return null;
  const words = line.replace(/^\[[^\]]*\]\s*/, '').trim().split(/\s+/);
  let i = 0;
  if (words[i] === 'Deleted') i++;
  if (words[i] !== undefined && ROUTE_TYPES.has(words[i]!)) i++;
  const dst = words[i];
  if (dst === undefined || dst === 'default' || !/^[0-9a-fA-F:.]+(\/\d+)?$/.test(dst) || !/[.:]/.test(dst)) return null;
  if (dst.includes('/')) return dst.toLowerCase();
  return `${dst.toLowerCase()}/${dst.includes(':') ? 128 : 32}`;
}

const SETPRIV = '/usr/bin/setpriv';

/** The command run so that it gets SIGKILL when this process dies (util-linux setpriv, Debian's own). */
export function withParentDeathSignal(command: readonly string[]): string[] {
  return existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...command] : [...command];
}

export interface RouteMonitor {
  stop(): void;
}

/**
 * Run `ip -ts monitor route` and call onRoute per destination; restart it (after a pause) if it exits.
 * onError reports why it stopped, so the daemon can log it; the periodic resync covers any gap.
 */
export function startRouteMonitor(
  onRoute: (prefix: string) => void,
  onError: (message: string) => void,
  /** The `ip` command; tests prefix it with `ip netns exec NS`. */
  ipCommand: readonly string[] = ['ip'],
): RouteMonitor {
  const [ipBinary, ...ipArgs] = ipCommand as [string, ...string[]];
  let child: ChildProcess | null = null;
  let stopped = false;
  let restart: NodeJS.Timeout | null = null;
  const launch = () => {
    // Under setpriv --pdeathsig the kernel kills the monitor when the agent dies, even by SIGKILL
    // (an orphaned monitor otherwise lives on, one more per agent restart).
    const [bin, ...args] = withParentDeathSignal([ipBinary, ...ipArgs, '-ts', 'monitor', 'route']);
    const c = spawn(bin!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    createInterface({ input: c.stdout! }).on('line', (line) => {
      const p = parseMonitorLine(line);
      if (p !== null) onRoute(p);
    });
    c.on('error', (err) => onError(`cannot run ${ipBinary} monitor: ${err.message}`));
    c.on('exit', (code, signal) => {
      child = null;
      if (stopped) return;
      onError(`${ipBinary} monitor exited (${signal ?? code}); restarting in 1 s`);
      restart = setTimeout(launch, 1000);
    });
  };
  launch();
  return {
    stop() {
      stopped = true;
      if (restart) clearTimeout(restart);
      if (child?.pid !== undefined) child.kill('SIGTERM');
    },
  };
}
