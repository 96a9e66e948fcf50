/** TCP check: passes when a connection is accepted; the connection is closed at once. */
import { connect } from 'node:net';
import type { TcpProbe } from '../types.js';

export function probeTcp(probe: TcpProbe, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: probe.host, port: probe.port });
    const onAbort = () => socket.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(`connected to ${probe.host}:${probe.port}`);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      reject(new Error(`connect to ${probe.host}:${probe.port}: ${err.code ?? err.message}`));
    });
  });
}
