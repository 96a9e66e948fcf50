/**
 * The API server (AgentService, grpc.health.v1, server reflection: grpc-server.ts) on a unix socket
 * (mode 0660) or on TCP with mutual TLS. On the unix socket the agent listens itself and loads
 * grpc-js only when the first client connects (`ballast status`, a probe): an agent nobody asks
 * keeps about 6 MiB less resident (bench/agent.md). The connection is handed to grpc-js unread
 * (paused on accept), so the first client sees no difference.
 */
import { chmodSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { BallastError } from '../util/errors.js';
import { claimSocketPath } from '../util/socket.js';
import type { AgentApi } from './agent-api.js';
import type { HealthStatus, ServingStatus } from './grpc-server.js';
import type { Listen } from './listen.js';

export const AGENT_SERVICE_NAME = 'ballast.v1.AgentService';

export interface ApiServer {
  /** `unix:/path` or `host:port` actually bound (the port resolved when 0 was asked). */
  readonly address: string;
  readonly health: HealthStatus;
  close(): Promise<void>;
}

export async function startApiServer(api: AgentApi, listen: Listen): Promise<ApiServer> {
  const statuses = new Map<string, ServingStatus>([['', 'SERVING'], [AGENT_SERVICE_NAME, 'SERVING']]);
  if (listen.kind === 'tcp') return (await import('./grpc-server.js')).bindTcp(api, listen, statuses);
  await claimSocketPath(listen.path, () => new BallastError('E_API_LISTEN', `Cannot listen on unix:${listen.path}: another process is serving that socket`));
  let grpc: Promise<Awaited<ReturnType<typeof import('./grpc-server.js')['unixInjector']>>> | null = null;
  const load = () => (grpc ??= import('./grpc-server.js').then((m) => m.unixInjector(api, statuses)));
  const sockets = new Set<Socket>();
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    load().then((g) => {
      g.inject(socket);
      socket.resume(); // paused on accept; http2 reads the handle from here on
    }, () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new BallastError('E_API_LISTEN', `Cannot listen on unix:${listen.path}: ${err.message}`)));
    server.listen(listen.path, () => resolve());
  });
  chmodSync(listen.path, listen.mode);
  return {
    address: `unix:${listen.path}`,
    health: {
      setStatus(service, status) {
        statuses.set(service, status);
        void grpc?.then((g) => g.health.setStatus(service, status));
      },
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (grpc) await (await grpc).close();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
