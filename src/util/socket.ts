/** Unix sockets the daemons serve (the agent's API, the health checker's control socket). */
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';

/** Whether a process accepts connections on the unix socket at `path`. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Make the socket's directory and remove a socket file left by a crashed process. One that still
 * answers belongs to a running process: `busy()` is thrown (two servers would fight over one path).
 */
export async function claimSocketPath(path: string, busy: () => Error): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  if (!existsSync(path)) return;
  if (await socketAnswers(path)) throw busy();
  unlinkSync(path);
}
