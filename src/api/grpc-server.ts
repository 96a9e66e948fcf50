/**
 * The API's gRPC side, loaded by server.ts when it is first needed: AgentService, grpc.health.v1 and
 * server reflection (so grpcurl works). Reflection and health read their .proto files at run time,
 * which is why proto/ ships with the package; both are loaded at their first call (lazy-service.ts).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { HealthImplementation } from 'grpc-health-check';
import { AgentServiceService } from '../gen/ballast/v1/agent.js';
import { BallastError } from '../util/errors.js';
import type { AgentApi } from './agent-api.js';
import { agentService } from './agent-service.js';
import type { Listen } from './listen.js';
import { addLazyServices, collectingServer } from './lazy-service.js';
import { bindSpec } from './transport.js';

const PROTO_ROOT = fileURLToPath(new URL('../../proto', import.meta.url));

export type ServingStatus = Parameters<HealthImplementation['setStatus']>[1];

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

function addHealth(server: Server, statuses: Map<string, ServingStatus>): HealthStatus {
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

/** The gRPC server with every service, not bound; `statuses` are the health statuses so far (shared). */
export function grpcServer(api: AgentApi, statuses: Map<string, ServingStatus>): { server: Server; health: HealthStatus } {
  const server = new Server();
  server.addService(AgentServiceService, agentService(api));
  const health = addHealth(server, statuses);
  addReflection(server);
  return { server, health };
}

/** Shut down: health NOT_SERVING, then let calls finish; watch streams never end by themselves, so cut them after 500 ms. */
export function shutdown(server: Server, health: HealthStatus): Promise<void> {
  return new Promise<void>((resolve) => {
    health.setStatus('', 'NOT_SERVING');
    server.tryShutdown(() => resolve());
    setTimeout(() => server.forceShutdown(), 500).unref();
  });
}

/** TCP with mutual TLS (plaintext refused): bound by grpc-js itself. */
export async function bindTcp(api: AgentApi, listen: Listen & { kind: 'tcp' }, statuses: Map<string, ServingStatus>): Promise<{ address: string; health: HealthStatus; close(): Promise<void> }> {
  const { address, credentials } = bindSpec(listen);
  const { server, health } = grpcServer(api, statuses);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (err, p) => (err ? reject(new BallastError('E_API_LISTEN', `Cannot listen on ${address}: ${err.message}`)) : resolve(p)));
  });
  return { address: `${listen.host}:${port}`, health, close: () => shutdown(server, health) };
}

/** Connections accepted by server.ts's unix socket, handed to a server built on the first one. */
export function unixInjector(api: AgentApi, statuses: Map<string, ServingStatus>): { inject(socket: import('node:net').Socket): void; health: HealthStatus; close(): Promise<void> } {
  const { server, health } = grpcServer(api, statuses);
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  return { inject: (socket) => injector.injectConnection(socket), health, close: () => shutdown(server, health) };
}
