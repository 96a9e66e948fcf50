/**
 * The API server: AgentService, grpc.health.v1 and server reflection (so grpcurl works), on a unix
 * socket (mode 0660) or on TCP with mutual TLS. Reflection and health read their .proto files at run
 * time, which is why proto/ ships with the package.
 */
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { AgentServiceService } from '../gen/ballast/v1/agent.js';
import { BallastError } from '../util/errors.js';
import { claimSocketPath } from '../util/socket.js';
import type { AgentApi } from './agent-api.js';
import { agentService } from './agent-service.js';
import { type Listen } from './listen.js';
import { bindSpec } from './transport.js';

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
  if (listen.kind === 'unix') await claimSocketPath(listen.path, () => new BallastError('E_API_LISTEN', `Cannot listen on unix:${listen.path}: another process is serving that socket`));
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
