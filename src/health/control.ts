/**
 * How `ballast health status|drain|undrain` reach the running checker: a unix socket in the
 * runtime directory (default /run/ballast/health.sock, mode 0600), one JSON request line in, one JSON
 * response line out. A filesystem socket (not an abstract one) so it is reachable from any network
 * namespace: the lab runs one checker per server namespace, each with its own runtime directory.
 */
import { chmodSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { BallastError, quote, type ErrorCode } from '../util/errors.js';
import { claimSocketPath } from '../util/socket.js';

export const SOCKET_NAME = 'health.sock';
export const socketPath = (runtimeDir: string): string => join(runtimeDir, SOCKET_NAME);

export type ControlRequest =
  | { readonly op: 'status' }
  | { readonly op: 'drain'; readonly service?: string; readonly reason?: string }
  | { readonly op: 'undrain'; readonly service?: string };

export type ControlResponse<T> = { readonly ok: true; readonly snapshot: T } | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

const MAX_REQUEST = 16 * 1024;

export function parseRequest(line: string): ControlRequest {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new BallastError('E_HEALTH_CONTROL', `Cannot parse control request ${quote(line.slice(0, 60))}: expected one JSON object`);
  }
  const r = v as Record<string, unknown>;
  const optional = (key: string): string | undefined => {
    const x = r[key];
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'string' || x.length > 500) throw new BallastError('E_HEALTH_CONTROL', `Control request field ${quote(key)} is ${quote(x)}, expected a string of at most 500 characters`);
    return x;
  };
  switch (r?.op) {
    case 'status':
      return { op: 'status' };
    case 'drain': {
      const service = optional('service');
      const reason = optional('reason');
      return { op: 'drain', ...(service === undefined ? {} : { service }), ...(reason === undefined ? {} : { reason }) };
    }
    case 'undrain': {
      const service = optional('service');
      return { op: 'undrain', ...(service === undefined ? {} : { service }) };
    }
    default:
      throw new BallastError('E_HEALTH_CONTROL', `Unknown control operation ${quote(r?.op)}, expected "status", "drain" or "undrain"`);
  }
}

/**
 * Listen on `path`. A socket file left by a crashed checker is replaced; one that still answers
 * belongs to a running checker and is an error (two checkers would fight over the addresses).
 */
export async function listenControl<T>(path: string, handle: (req: ControlRequest) => Promise<T>): Promise<Server> {
  await claimSocketPath(path, () => new BallastError('E_HEALTH_CONTROL', `Another health checker is already listening on ${quote(path)}; stop it or give this one another runtime-dir`));
  const server = createServer((socket) => serve(socket, handle));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new BallastError('E_HEALTH_CONTROL', `Cannot listen on ${quote(path)}: ${err.code ?? err.message}`)));
    server.listen(path, () => resolve());
  });
  // Drain and undrain change routing: only root (the socket's owner) may ask.
  chmodSync(path, 0o600);
  return server;
}

function serve<T>(socket: Socket, handle: (req: ControlRequest) => Promise<T>): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    const newline = buffer.indexOf('\n');
    if (newline < 0) {
      if (buffer.length > MAX_REQUEST) socket.destroy();
      return;
    }
    socket.removeAllListeners('data');
    const line = buffer.slice(0, newline);
    void (async () => {
      let response: ControlResponse<T>;
      try {
        response = { ok: true, snapshot: await handle(parseRequest(line)) };
      } catch (err) {
        const code = err instanceof BallastError ? err.code : 'E_HEALTH_CONTROL';
        response = { ok: false, error: { code, message: err instanceof Error ? err.message : String(err) } };
      }
      socket.end(`${JSON.stringify(response)}\n`);
    })();
  });
}

/** Send one request to the checker listening on `path`; its error answers become BallastErrors. */
export function request<T>(path: string, req: ControlRequest, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new BallastError('E_HEALTH_CONTROL', `The health checker at ${quote(path)} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify(req)}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? ' (is `ballast health` running with this runtime-dir?)' : '';
      reject(new BallastError('E_HEALTH_CONTROL', `Cannot reach the health checker at ${quote(path)}: ${err.code ?? err.message}${hint}`));
    });
    socket.once('end', () => {
      clearTimeout(timer);
      let response: ControlResponse<T>;
      try {
        response = JSON.parse(buffer) as ControlResponse<T>;
      } catch {
        reject(new BallastError('E_HEALTH_CONTROL', `Cannot parse the health checker's answer ${quote(buffer.slice(0, 60))}`));
        return;
      }
      if (response.ok) resolve(response.snapshot);
      else reject(new BallastError(response.error.code as ErrorCode, response.error.message));
    });
  });
}
