/**
 * The one place ballast starts short-lived programs (ip, vtysh, sysctl): execFile (never a shell), a timeout on every
 * call, and failures turned into BallastError with the command line and its stderr.
 */
import { execFile } from 'node:child_process';
import { BallastError, type ErrorCode } from './errors.js';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  /** Text written to the program's stdin. */
  readonly input?: string;
  /** Error code when the program fails; default E_LAB. */
  readonly code?: ErrorCode;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) {
        resolve({ stdout, stderr });
        return;
      }
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
      const line = [file, ...args].join(' ');
      if (e.killed) {
        reject(new BallastError(options.code ?? 'E_LAB', `Command timed out after ${timeout} ms: ${line}`, { cause: err }));
        return;
      }
      if (e.code === 'ENOENT') {
        reject(missingTool(file, err));
        return;
      }
      const detail = stderr.trim().split('\n').slice(-3).join(' | ') || stdout.trim().split('\n').slice(-3).join(' | ') || e.message;
      reject(new BallastError(options.code ?? 'E_LAB', `Command failed: ${line}: ${detail}`, { cause: err }));
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A program that could not be started because it is not there (spawn's ENOENT). */
export function missingTool(file: string, cause: unknown): BallastError {
  return new BallastError('E_MISSING_TOOL', `Cannot run ${JSON.stringify(file)}: not installed or not on PATH`, { cause });
}
