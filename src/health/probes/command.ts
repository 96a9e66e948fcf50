/**
 * Command check: runs argv without a shell; exit status 0 passes. The child leads its own process
 * group so a timeout kills everything it started (a shell script's `sleep` as well), and the result
 * is taken at the child's exit, not when its pipes close: a grandchild holding stdout open must not
 * stretch the check past its timeout.
 */
import { spawn } from 'node:child_process';
import type { CommandProbe } from '../types.js';

const MAX_OUTPUT = 2048;

export function probeCommand(probe: CommandProbe, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = probe.argv;
    const child = spawn(file, args, { shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const killGroup = () => {
      // The negative pid addresses the group this child leads; it may already be gone.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already exited */
        }
      }
    };
    signal.addEventListener('abort', killGroup, { once: true });
    child.once('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', killGroup);
      reject(new Error(`Cannot run ${JSON.stringify(file)}: ${err.code ?? err.message}`));
    });
    child.once('exit', (code, sig) => {
      signal.removeEventListener('abort', killGroup);
      child.stdout.destroy();
      child.stderr.destroy();
      const text = output.trim().split('\n').slice(-1)[0]?.slice(0, 200) ?? '';
      if (code === 0) resolve(text === '' ? 'exit 0' : `exit 0: ${text}`);
      else reject(new Error(`${file} ${sig ? `killed by ${sig}` : `exited with ${code}`}${text === '' ? '' : `: ${text}`}`));
    });
  });
}
