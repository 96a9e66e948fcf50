/**
 * A long-lived `ip -j -batch -`: commands written to its stdin, one JSON line read back per command.
 * The agent's kernel check ran a new `ip -batch` at every reconcile; at 200 prefixes that fork (of a
 * ~50 MiB process, its page tables copied) was a third of the idle agent's CPU and all of its
 * children's (bench/agent.md, fifth pass). iproute2 flushes stdout after each command in batch mode,
 * so one process answers every check; it stops on the first command it cannot run (without -force),
 * which ends the call at once instead of leaving it to the timeout.
 *
 * Calls run one after another. A call that times out, or output nobody asked for, kills the process;
 * the next call starts a fresh one, so an answer can never be taken for a later call's. The child's
 * stdin is the agent's pipe: when the agent dies, even by SIGKILL, ip reads EOF and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BallastError } from './errors.js';
import { missingTool } from './exec.js';

interface Waiter {
  readonly lines: number;
  readonly resolve: (lines: string[]) => void;
  readonly reject: (err: BallastError) => void;
}

export class IpBatch {
  private child: ChildProcess | null = null;
  private out: string[] = [];
  private partial = '';
  private stderr = '';
  private waiter: Waiter | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly argv: readonly string[];

  /** `argv`: the program and its arguments, e.g. ['ip', '-j', '-batch', '-']. */
  constructor(argv: readonly string[]) {
    this.argv = argv;
  }

  /** The process's PID while one runs (the tests check that calls share one). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Run these commands (one line each, no line breaks); their output lines, one per command. */
  run(commands: readonly string[], timeoutMs: number): Promise<string[]> {
    for (const c of commands) if (/[\r\n]/.test(c)) throw new BallastError('E_USAGE', `Refusing ip batch command with a line break: ${JSON.stringify(c)}`);
    const next = this.queue.then(() => this.once(commands, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stop the process (the agent stopping). */
  close(): void {
    this.kill(new BallastError('E_FRR_COMMAND', `${this.line()} closed`));
  }

  private once(commands: readonly string[], timeoutMs: number): Promise<string[]> {
    if (commands.length === 0) return Promise.resolve([]);
    const child = this.child ?? this.start();
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => this.kill(new BallastError('E_FRR_COMMAND', `Command timed out after ${timeoutMs} ms: ${this.line()}`)), timeoutMs);
      this.waiter = {
        lines: commands.length,
        resolve: (lines) => (clearTimeout(timer), resolve(lines)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      };
      child.stdin!.write(commands.map((c) => `${c}\n`).join(''));
      this.deliver();
    });
  }

  private start(): ChildProcess {
    const [file, ...args] = this.argv;
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.out = [];
    this.partial = '';
    this.stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      if (this.child !== child) return;
      const parts = (this.partial + s).split('\n');
      this.partial = parts.pop()!;
      this.out.push(...parts);
      this.deliver();
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      if (this.child === child) this.stderr = (this.stderr + s).slice(-2000);
    });
    // A write to a process that just exited: its exit below says why.
    child.stdin!.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (this.child !== child) return;
      this.kill(err.code === 'ENOENT' ? missingTool(file!, err) : new BallastError('E_FRR_COMMAND', `${this.line()}: ${err.message}`, { cause: err }));
    });
    // 'close', not 'exit': by then its stderr (the reason) and its last lines have been read.
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      const detail = this.stderr.trim().split('\n').slice(-3).join(' | ');
      this.kill(new BallastError('E_FRR_COMMAND', `Command failed: ${this.line()} exited (${signal ?? `code ${code}`})${detail ? `: ${detail}` : ''}`));
    });
    // The agent's event loop does not wait for it; its end of the pipes closes with the agent.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  }

  private deliver(): void {
    const w = this.waiter;
    if (w === null) {
      if (this.out.length > 0) this.kill(new BallastError('E_FRR_COMMAND', `${this.line()} printed ${this.out.length} line(s) nobody asked for`));
      return;
    }
    if (this.out.length < w.lines) return;
    // More lines than commands: this answer cannot be trusted either.
    if (this.out.length > w.lines) return this.kill(new BallastError('E_FRR_COMMAND', `${this.line()} printed more lines than it was given commands`));
    const lines = this.out.splice(0, w.lines);
    this.waiter = null;
    w.resolve(lines);
  }

  /** End the process (if any) and fail the waiting call with `err`. */
  private kill(err: BallastError): void {
    const child = this.child;
    this.child = null;
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const w = this.waiter;
    this.waiter = null;
    w?.reject(err);
  }

  private line(): string {
    return this.argv.join(' ');
  }
}
