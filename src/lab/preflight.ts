/** What the lab needs from the host, checked before anything is created, with how to get it. */
import { accessSync, constants } from 'node:fs';
import { BallastError } from '../util/errors.js';
import { run } from '../util/exec.js';
import { DAEMONS, FRR_DAEMON_DIR } from './daemons.js';

/** Null when the lab can run here, else the reason (tests print it when they skip). */
export async function labUnavailable(options: { hostFrr?: boolean } = {}): Promise<string | null> {
  if (process.platform !== 'linux') return 'the lab needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, FRR daemons): run it with sudo';
  // A lab all on a chroot's FRR needs no FRR on the host.
  for (const d of options.hostFrr === false ? [] : DAEMONS) {
    try {
      accessSync(`${FRR_DAEMON_DIR}/${d}`, constants.X_OK);
    } catch {
      return `FRR is missing (${FRR_DAEMON_DIR}/${d}): apt-get install frr`;
    }
  }
  const tools = [['vtysh', ['-h']], ['ip', ['-V']], ['sysctl', ['--version']]] as const;
  for (const [tool, args] of tools.filter(([t]) => t !== 'vtysh' || options.hostFrr !== false)) {
    try {
      await run(tool, args, { timeoutMs: 5_000 });
    } catch {
      return `${tool} is missing: apt-get install ${tool === 'vtysh' ? 'frr' : tool === 'ip' ? 'iproute2' : 'procps'}`;
    }
  }
  return null;
}

export async function assertLabAvailable(options: { hostFrr?: boolean } = {}): Promise<void> {
  const reason = await labUnavailable(options);
  if (reason === null) return;
  throw new BallastError(reason.includes('root') ? 'E_NOT_ROOT' : 'E_MISSING_TOOL', `Cannot run the lab: ${reason}`);
}
