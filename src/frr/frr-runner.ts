/**
 * The runner the agent and the observer hand their code (`(commands, timeoutMs) => stdout`): reads
 * (every command `show ...`) over the daemons' vty sockets unless `frr.reads: vtysh`, anything else
 * (configuration) through vtysh. Both give the same text and the same errors (E_FRR_COMMAND, `timed out`).
 */
import type { VtyshSettings } from './vtysh-config.js';
import { vtySocket } from './vty-socket.js';
import { vtysh } from './vtysh.js';

export type FrrRunner = (commands: readonly string[], timeoutMs?: number) => Promise<string>;

/** `daemon`: every command to this daemon (vtysh `-d`); without it, as vtysh routes them. */
export function frrRunner(s: Pick<VtyshSettings, 'vtysh' | 'vtyDir' | 'timeoutMs' | 'reads'>, daemon?: string): FrrRunner {
  const where = { ...(s.vtyDir === null ? {} : { vtyDir: s.vtyDir }), ...(daemon === undefined ? {} : { daemon }) };
  return (commands, timeoutMs) => {
    const t = timeoutMs ?? s.timeoutMs;
    if (s.reads === 'socket' && commands.length > 0 && commands.every((c) => c.startsWith('show '))) return vtySocket(commands, { ...where, timeoutMs: t });
    return vtysh(commands, { ...where, timeoutMs: t, binary: s.vtysh });
  };
}
