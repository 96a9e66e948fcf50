/**
 * vtysh runner: the only way ballast talks to a running FRR. One daemon set is addressed by its vty
 * socket directory (`--vty_socket DIR`), so many FRR instances can live on one host. execFile, never
 * a shell; every call has a timeout. Callers that write must serialize their calls themselves.
 */
import { BallastError } from '../util/errors.js';
import { run } from '../util/exec.js';

export interface VtyshOptions {
  /** Directory holding the daemons' vty sockets; omit for the system FRR in /var/run/frr. */
  readonly vtyDir?: string;
  readonly timeoutMs?: number;
  /** vtysh binary; tests and unusual installs override it. */
  readonly binary?: string;
  /**
   * Talk to this daemon only (`-d bgpd`): its own running configuration, not vtysh's merge with
   * zebra's copies, and configuration that fails as a whole when the daemon is not running (without
   * it, vtysh writes route-maps into zebra alone while bgpd is down, and shows them as if bgpd had them).
   */
  readonly daemon?: string;
}

/** One vtysh call costs 60-80 ms of wall time; 5 s means a daemon is stuck, not slow. */
const DEFAULT_VTYSH_TIMEOUT_MS = 5_000;

/** Run commands in order in one vtysh call (`-c A -c B ...`) and return its stdout. */
export async function vtysh(commands: readonly string[], options: VtyshOptions = {}): Promise<string> {
  if (commands.length === 0) throw new BallastError('E_USAGE', 'vtysh needs at least one command');
  const args: string[] = [];
  if (options.vtyDir !== undefined) args.push('--vty_socket', options.vtyDir);
  if (options.daemon !== undefined) args.push('-d', options.daemon);
  for (const c of commands) {
    // A newline would smuggle a second command past the caller's validation.
    if (/[\r\n]/.test(c)) throw new BallastError('E_USAGE', `Refusing vtysh command with a line break: ${JSON.stringify(c)}`);
    args.push('-c', c);
  }
  const { stdout } = await run(options.binary ?? 'vtysh', args, { timeoutMs: options.timeoutMs ?? DEFAULT_VTYSH_TIMEOUT_MS, code: 'E_FRR_COMMAND' });
  return stdout;
}
