/**
 * The API server: AgentService, grpc.health.v1 and server reflection (so grpcurl works), on a unix
 * socket (mode 0660) or on TCP with mutual TLS. Reflection and health read their .proto files at run
 * time, which is why proto/ ships with the package; both are loaded at their first call
 * (lazy-service.ts), not at start.
 */
import { chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from '@grpc/grpc-js';
import type { HealthImplementation } from 'grpc-health-check';
import { AgentServiceService } from '../gen/ballast/v1/agent.js';
import { BallastError } from '../util/errors.js';
import { claimSocketPath } from '../util/socket.js';
import type { AgentApi } from './agent-api.js';
import { agentService } from './agent-service.js';
import { type Listen } from './listen.js';
import { addLazyServices, collectingServer } from './lazy-service.js';
import { bindSpec } from './transport.js';

const PROTO_ROOT = fileURLToPath(new URL('../../proto', import.meta.url));
export const AGENT_SERVICE_NAME = 'ballast.v1.AgentService';

export interface ApiServer {
  /** `unix:/path` or `host:port` actually bound (the port resolved when 0 was asked). */
  readonly address: string;
  readonly health: HealthStatus;
  close(): Promise<void>;
}

type ServingStatus = Parameters<HealthImplementation['setStatus']>[1];

/** grpc.health.v1's statuses, kept here until the first health call loads the implementation. */
export interface HealthStatus {
  setStatus(service: string, status: ServingStatus): void;
}

const HEALTH = '/grpc.health.v1.Health/';
const HEALTH_METHODS = [
  { path: `${HEALTH}Check`, requestStream: false, responseStream: false },
  { path: `${HEALTH}Watch`, requestStream: false, responseStream: true },
  { path: `${HEALTH}List`, requestStream: false, responseStream: false },
];
const REFLECTION_METHODS = ['v1', 'v1alpha'].map((v) => ({ path: `/grpc.reflection.${v}.ServerReflection/ServerReflectionInfo`, requestStream: true, responseStream: true }));

function addHealth(server: Server, initial: Record<string, ServingStatus>): HealthStatus {
  const statuses = new Map(Object.entries(initial));
  let real: HealthImplementation | null = null;
  addLazyServices(server, HEALTH_METHODS, async () => {
    const { HealthImplementation } = await import('grpc-health-check');
    const impl = new HealthImplementation(Object.fromEntries(statuses));
    const c = collectingServer();
    impl.addToServer(c.server as Server);
    real = impl;
    return c.loaded;
  });
  return {
    setStatus(service, status) {
      statuses.set(service, status);
      real?.setStatus(service, status);
    },
  };
}

function addReflection(server: Server): void {
  addLazyServices(server, REFLECTION_METHODS, async () => {
    const [{ loadSync }, { ReflectionService }, { protoPath: healthProtoPath }] = await Promise.all([import('@grpc/proto-loader'), import('@grpc/reflection'), import('grpc-health-check')]);
    const definitions = loadSync([join(PROTO_ROOT, 'ballast/v1/agent.proto'), healthProtoPath], { includeDirs: [PROTO_ROOT, dirname(healthProtoPath)] });
    const c = collectingServer();
    new ReflectionService(definitions).addToServer(c.server as Server);
    return c.loaded;
  });
}

export async function startApiServer(api: AgentApi, listen: Listen): Promise<ApiServer> {
  const { address, credentials } = bindSpec(listen);
  if (listen.kind === 'unix') await claimSocketPath(listen.path, () => new BallastError('E_API_LISTEN', `Cannot listen on unix:${listen.path}: another process is serving that socket`));
  const server = new Server();
  server.addService(AgentServiceService, agentService(api));
  const health = addHealth(server, { '': 'SERVING', [AGENT_SERVICE_NAME]: 'SERVING' });
  addReflection(server);
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
