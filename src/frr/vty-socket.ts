/**
 * Read-only runner over a daemon's own vty socket (`DIR/bgpd.vty`), the socket vtysh itself talks to:
 * no vtysh process per read. vtysh builds its whole command tree at every start (70-150 ms of CPU per
 * call, about 40 % of a CI run's CPU, bench/vty-socket.md); a connection to the socket costs about
 * 1 ms. Reads only (`show ...`): configuration stays on vtysh, the supported path for writes.
 *
 * The protocol (FRR lib/vty.c, vtysh/vtysh.c): each command is sent followed by one NUL byte; the daemon
 * answers with the command's output, then `00 00 00 RET` (RET: FRR's CMD_* code). A new connection starts
 * in VIEW_NODE: `enable` first (answer: nothing, RET 0), so `show running-config` works too. vtysh prints
 * a daemon's output as it arrives and adds nothing between commands, so the concatenated outputs are what
 * `vtysh -c A -c B` prints, except `show running-config`: vtysh re-assembles that from the daemon's lines
 * (header, vtysh.conf lines, `end`); the daemon's own rendering parses to the same RunningConfig
 * (test/frr/running-config-raw.test.ts).
 *
 * One connection per call and daemon, closed at the end: nothing is carried between calls, so an answer
 * that arrives after a timeout can never be taken for the next call's.
 *
 * The commands for one daemon are sent in one write, not one at a time: the daemon's vty reads its
 * socket and runs each NUL-terminated command as it meets it, answering them in order (lib/vty.c;
 * 204 commands at once answered in order by 8.4.4 and 10.3 here). One write and a few 64 KB reads per
 * tick instead of a write and a read per command: at 200 prefixes those were about a third of the idle
 * agent's CPU (bench/agent.md, fifth pass).
 */
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { BallastError } from '../util/errors.js';

export interface VtySocketOptions {
  /** The daemons' vty socket directory; default /var/run/frr, as vtysh's. */
  readonly vtyDir?: string;
  readonly timeoutMs?: number;
  /** Send every command to this daemon; without it each command goes to the daemon that owns it (daemonFor). */
  readonly daemon?: string;
  /** Cap on the total answer; a larger one fails the call. */
  readonly maxBytes?: number;
}

export const DEFAULT_VTY_DIR = '/var/run/frr';
const DEFAULT_TIMEOUT_MS = 5_000;
/** As execFile's maxBuffer for vtysh (src/util/exec.ts). */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** The RETs vtysh takes for success (vtysh_main.c): CMD_SUCCESS, CMD_WARNING, CMD_SUCCESS_DAEMON. */
const OK_RETS = new Set([0, 1, 10]);
const RET_NAMES: Record<number, string> = { 2: 'unknown command', 3: 'ambiguous command', 4: 'incomplete command', 6: 'nothing to do', 11: 'no file', 13: 'configuration failed', 14: 'not my instance', 16: 'no daemon' };

/**
 * The daemon that answers a read when no daemon is given (the observer, which vtysh served without `-d`):
 * zebra its routes and interfaces; bgpd everything else it reads (`show bgp`, `show running-config` for the
 * BGP instance's settings, `show version`, which every daemon answers alike).
 */
export function daemonFor(command: string): string {
  return /^show (ip|ipv6) (route|nht|protocol)\b|^show (interface|zebra|nexthop-group)\b/.test(command) ? 'zebra' : 'bgpd';
}

/** Run read-only commands in order over the daemons' vty sockets; the outputs concatenated, as vtysh prints them. */
export async function vtySocket(commands: readonly string[], options: VtySocketOptions = {}): Promise<string> {
  if (commands.length === 0) throw new BallastError('E_USAGE', 'A vty socket read needs at least one command');
  for (const c of commands) {
    // A NUL or newline would end the command early and smuggle a second one past the caller's validation.
    if (/[\0\r\n]/.test(c)) throw new BallastError('E_USAGE', `Refusing vty command with a line break: ${JSON.stringify(c)}`);
    if (!c.startsWith('show ')) throw new BallastError('E_USAGE', `The vty socket runner only reads (show ...): ${JSON.stringify(c)}`);
  }
  const dir = options.vtyDir ?? DEFAULT_VTY_DIR;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const session = new Session(dir, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const timer = new Promise<never>((_, reject) => {
    session.timer = setTimeout(() => reject(new BallastError('E_FRR_COMMAND', `vty socket read timed out after ${timeoutMs} ms: ${session.where()}: ${commands.join(' | ')}`)), timeoutMs);
  });
  try {
    return await Promise.race([session.runAll(commands, options.daemon), timer]);
  } finally {
    clearTimeout(session.timer);
    session.close();
  }
}

/** The connections of one call (one per daemon, opened on first use) and the answer so far. */
class Session {
  timer: NodeJS.Timeout | undefined;
  private readonly conns = new Map<string, Connection>();
  /** Every socket opened, also one still connecting when the call times out. */
  private readonly sockets: Socket[] = [];
  private current = '';
  private closed = false;
  private total = 0;

  private readonly dir: string;
  private readonly maxBytes: number;

  constructor(dir: string, maxBytes: number) {
    this.dir = dir;
    this.maxBytes = maxBytes;
  }

  where(): string {
    return this.current || this.dir;
  }

  async runAll(commands: readonly string[], daemon: string | undefined): Promise<string> {
    const out: string[] = [];
    // Consecutive commands for the same daemon go as one batch.
    for (let i = 0; i < commands.length; ) {
      const d = daemon ?? daemonFor(commands[i]!);
      let j = i + 1;
      while (j < commands.length && (daemon ?? daemonFor(commands[j]!)) === d) j++;
      let conn = this.conns.get(d);
      const path = join(this.dir, `${d}.vty`);
      this.current = path;
      const batch = commands.slice(i, j);
      if (conn === undefined) {
        conn = await this.connect(path, d);
        this.conns.set(d, conn);
        // A new connection starts in VIEW_NODE; `enable` answers nothing.
        out.push(await conn.run(['enable', ...batch]));
      } else out.push(await conn.run(batch));
      i = j;
    }
    return out.join('');
  }

  /**
   * A daemon that is frozen or swamped stops accepting: once its listen backlog is full, a non-blocking
   * connect fails with EAGAIN where vtysh's blocking connect waits. Wait too (until the call's timeout),
   * so a stuck daemon reads as `timed out` (the vtysh-timeout fault), as it did through vtysh.
   */
  private async connect(path: string, daemon: string): Promise<Connection> {
    for (;;) {
      // The call may have timed out during the wait below: a socket opened after close() would stay open.
      if (this.closed) throw new BallastError('E_FRR_COMMAND', `vty socket read of ${path} ended before it connected`);
      const socket = createConnection(path);
      this.sockets.push(socket);
      try {
        return await Connection.open(socket, path, daemon, (n) => this.count(n, path));
      } catch (err) {
        if ((err as { cause?: { code?: unknown } }).cause?.code !== 'EAGAIN' || this.closed) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private count(n: number, path: string): void {
    this.total += n;
    if (this.total > this.maxBytes) throw new BallastError('E_FRR_COMMAND', `vty socket answer larger than ${this.maxBytes} bytes: ${path}`);
  }

  close(): void {
    this.closed = true;
    for (const c of this.conns.values()) c.destroy();
    for (const s of this.sockets) s.destroy();
  }
}

/** One connection to one daemon's vty socket; one batch of commands at a time. */
class Connection {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Where the answer being read starts, and from where to look for its terminator (offsets in the batch's bytes). */
  private answerStart = 0;
  private scanFrom = 0;
  /** The answers read so far: where each one's text starts and ends. */
  private answers: [number, number][] = [];
  private pending: { resolve: (text: string) => void; reject: (err: unknown) => void; commands: readonly string[] } | null = null;
  private failure: BallastError | null = null;

  private readonly socket: Socket;
  private readonly path: string;
  private readonly daemon: string;
  private readonly count: (n: number) => void;

  private constructor(socket: Socket, path: string, daemon: string, count: (n: number) => void) {
    this.socket = socket;
    this.path = path;
    this.daemon = daemon;
    this.count = count;
    socket.on('data', (b: Buffer) => this.data(b));
    socket.on('error', (err) => this.fail(new BallastError('E_FRR_COMMAND', `vty socket ${path} failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new BallastError('E_FRR_COMMAND', `${daemon} closed its vty socket ${path} before answering${this.pending ? ` ${JSON.stringify(this.pending.commands[this.answers.length])}` : ''}`)));
  }

  static open(socket: Socket, path: string, daemon: string, count: (n: number) => void): Promise<Connection> {
    return new Promise((resolve, reject) => {
      socket.once('error', (err) => reject(connectError(err as NodeJS.ErrnoException, path, daemon)));
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(new Connection(socket, path, daemon, count));
      });
    });
  }

  /** Send the commands at once; their outputs concatenated, in order (but `enable`'s, which is empty). */
  run(commands: readonly string[]): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, commands };
      this.chunks = [];
      this.size = 0;
      this.answerStart = 0;
      this.scanFrom = 0;
      this.answers = [];
      this.socket.write(commands.map((c) => `${c}\0`).join(''));
    });
  }

  destroy(): void {
    this.pending = null;
    this.socket.destroy();
  }

  private data(b: Buffer): void {
    const p = this.pending;
    if (!p) return this.fail(new BallastError('E_FRR_COMMAND', `${this.daemon} sent ${b.length} bytes nobody asked for on ${this.path}`));
    try {
      this.count(b.length);
    } catch (err) {
      return this.fail(err as BallastError);
    }
    this.chunks.push(b);
    this.size += b.length;
    // Output is text: the first NUL after an answer's start begins its terminator `00 00 00 RET`.
    // Only bytes not searched yet are searched; the chunks are joined once, when the batch is whole.
    for (;;) {
      const nul = this.scanFrom < this.size ? this.find0(this.scanFrom) : -1;
      if (nul < 0) {
        this.scanFrom = this.size;
        return;
      }
      this.scanFrom = nul;
      if (this.size < nul + 4) return;
      const [z1, z2, ret] = [this.byteAt(nul + 1), this.byteAt(nul + 2), this.byteAt(nul + 3)];
      const command = p.commands[this.answers.length]!;
      if (z1 !== 0 || z2 !== 0) return this.fail(new BallastError('E_FRR_COMMAND', `${this.daemon} answered ${JSON.stringify(command)} on ${this.path} with a malformed terminator`));
      this.answers.push([this.answerStart, nul]);
      this.answerStart = this.scanFrom = nul + 4;
      if (!OK_RETS.has(ret)) {
        const all = Buffer.concat(this.chunks, this.size);
        const [from, to] = this.answers[this.answers.length - 1]!;
        const detail = all.subarray(from, to).toString('utf8').trim().split('\n').slice(-3).join(' | ');
        return this.fail(new BallastError('E_FRR_COMMAND', `${this.daemon} refused ${JSON.stringify(command)} (${RET_NAMES[ret] ?? `code ${ret}`})${detail ? `: ${detail}` : ''}`));
      }
      if (this.answers.length < p.commands.length) continue;
      if (this.size > this.answerStart) return this.fail(new BallastError('E_FRR_COMMAND', `${this.daemon} answered ${JSON.stringify(command)} on ${this.path} with a malformed terminator (bytes after the last answer)`));
      const all = Buffer.concat(this.chunks, this.size);
      const texts = this.answers.filter((_, i) => p.commands[i] !== 'enable').map(([from, to]) => all.subarray(from, to));
      this.pending = null;
      this.chunks = [];
      p.resolve(Buffer.concat(texts).toString('utf8'));
      return;
    }
  }

  /** The offset of the first NUL at or after `from` in the batch's bytes, or -1. */
  private find0(from: number): number {
    let base = 0;
    for (const c of this.chunks) {
      if (from < base + c.length) {
        const i = c.indexOf(0, Math.max(0, from - base));
        if (i >= 0) return base + i;
      }
      base += c.length;
    }
    return -1;
  }

  private byteAt(at: number): number {
    let base = 0;
    for (const c of this.chunks) {
      if (at < base + c.length) return c[at - base]!;
      base += c.length;
    }
    return -1;
  }

  private fail(err: BallastError): void {
    this.failure ??= err;
    const p = this.pending;
    this.pending = null;
    this.socket.destroy();
    p?.reject(this.failure);
  }
}

/** Say what is wrong with the socket and what would help: it is missing, or the agent may not open it. */
function connectError(err: NodeJS.ErrnoException, path: string, daemon: string): BallastError {
  const why =
    err.code === 'ENOENT'
      ? `${path} does not exist (is ${daemon} running, and is frr.vty-socket-dir its --vty_socket directory?)`
      : err.code === 'EACCES' || err.code === 'EPERM'
        ? `permission denied on ${path}: run as root or in group frrvty (the socket's group, as for vtysh), or set frr.reads: vtysh`
        : err.code === 'ECONNREFUSED'
          ? `nothing listens on ${path} (${daemon} stopped or restarting)`
          : `${path}: ${err.message}`;
  return new BallastError('E_FRR_COMMAND', `Cannot connect to ${daemon}'s vty socket: ${why}`, { cause: err });
}
