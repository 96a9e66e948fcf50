/**
 * Where the API listens, as the agent config names it. A unix socket by default (file permissions are
 * the access control); TCP only with mutual TLS, because the API can drain a leaf. Pure parsing, no
 * grpc-js: the agent config reads this without loading the gRPC stack (transport.ts binds it).
 */
import { BallastError, quote } from '../util/errors.js';

export const DEFAULT_SOCKET = '/run/ballast/agent.sock';

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  /** CA that signs the clients' certificates: every client must present one. */
  readonly clientCa: string;
}

export type Listen =
  | { readonly kind: 'unix'; readonly path: string; readonly mode: number }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls: TlsFiles | null };

/** `unix:///run/ballast/agent.sock`, a bare absolute path, or `tcp://127.0.0.1:50051`. */
export function parseListen(text: string, tls: TlsFiles | null = null, mode = 0o660): Listen {
  if (text.startsWith('unix://')) return { kind: 'unix', path: text.slice('unix://'.length), mode };
  if (text.startsWith('/')) return { kind: 'unix', path: text, mode };
  const m = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) {
    throw new BallastError('E_API_LISTEN', `Cannot listen on ${quote(text)}: expected unix:///path/to.sock, an absolute socket path, or tcp://host:port`);
  }
  return { kind: 'tcp', host: m[1]!, port: Number(m[2]), tls };
}
