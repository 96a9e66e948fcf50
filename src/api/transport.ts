/**
 * Binding the API's listen address (listen.ts) with grpc-js: plaintext TCP is refused at start-up,
 * because the API can drain a leaf.
 */
import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { BallastError, quote } from '../util/errors.js';
import type { Listen } from './listen.js';

/** The grpc-js bind address and credentials; plaintext TCP is an error, never a fallback. */
export function bindSpec(listen: Listen): { address: string; credentials: ServerCredentials } {
  if (listen.kind === 'unix') return { address: `unix:${listen.path}`, credentials: ServerCredentials.createInsecure() };
  if (!listen.tls) {
    throw new BallastError('E_API_INSECURE', `Refusing to serve the API on tcp://${listen.host}:${listen.port} without TLS: set api.tls (cert, key, client-ca) for mutual TLS, or use a unix socket`);
  }
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new BallastError('E_API_TLS', `Cannot read the API's TLS ${what} ${quote(path)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  const credentials = ServerCredentials.createSsl(read('client CA', listen.tls.clientCa), [{ private_key: read('key', listen.tls.key), cert_chain: read('certificate', listen.tls.cert) }], true);
  return { address: `${listen.host}:${listen.port}`, credentials };
}
