/**
 * The API server: AgentService, grpc.health.v1 and server reflection (so grpcurl works), on a unix
 * socket (mode 0660) or on TCP with mutual TLS. Reflection and health read their .proto files at run
 * time, which is why proto/ ships with the package.
 */
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { AgentServiceService } from '../gen/ballast/v1/agent.js';
import { BallastError } from '../util/errors.js';
import type { AgentApi } from './agent-api.js';
import { agentService } from './agent-service.js';
import { bindSpec, type Listen } from './transport.js';

const PROTO_ROOT = fileURLToPath(new URL('../../proto', import.meta.url));
export const AGENT_SERVICE_NAME = 'ballast.v1.AgentService';

export interface ApiServer {
  /** `unix:/path` or `host:port` actually bound (the port resolved when 0 was asked). */
  readonly address: string;
  readonly health: HealthImplementation;
  close(): Promise<void>;
}

export async function startApiServer(api: AgentApi, listen: Listen): Promise<ApiServer> {
  const { address, credentials } = bindSpec(listen);
  if (listen.kind === 'unix') await prepareSocketPath(listen.path);
  const server = new Server();
  server.addService(AgentServiceService, agentService(api));
  const health = new HealthImplementation({ '': 'SERVING', [AGENT_SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);
  const definitions = loadSync([join(PROTO_ROOT, 'ballast/v1/agent.proto'), healthProtoPath], { includeDirs: [PROTO_ROOT, dirname(healthProtoPath)] });
  new ReflectionService(definitions).addToServer(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (err, p) => (err ? reject(new BallastError('E_API_LISTEN', `Cannot listen on ${address}: ${err.message}`)) : resolve(p)));
  });
  if (listen.kind === 'unix') chmodSync(listen.path, listen.mode);
  const bound = listen.kind === 'unix' ? address : `${listen.host}:${port}`;
  return {
    address: bound,
    health,
    close: () =>
      new Promise<void>((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        server.tryShutdown(() => resolve());
        // Watch streams never end by themselves: give them a moment, then cut them.
        setTimeout(() => server.forceShutdown(), 500).unref();
      }),
  };
}

/** Make the socket's directory; replace a stale socket, but refuse one another agent still serves. */
async function prepareSocketPath(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  if (!existsSync(path)) return;
  const live = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (live) throw new BallastError('E_API_LISTEN', `Cannot listen on unix:${path}: another process is serving that socket`);
  unlinkSync(path);
}
