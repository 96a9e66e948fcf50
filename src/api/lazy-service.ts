/**
 * A gRPC service registered when the server starts but loaded on its first call. grpc-js routes a
 * call by its path alone, so the placeholder carries the messages as bytes; the first call imports
 * the real definition and implementation (and the protobuf code behind them) and every call is then
 * handed to them with its messages decoded and encoded by the real definition. Server reflection and
 * grpc.health.v1 are asked for by grpcurl or a probe now and then, never by the agent itself, and
 * loading them at start (proto-loader, protobufjs, the descriptors) costs the agent about 5 MiB
 * resident for its whole life (bench/agent.md).
 */
import { status, type MethodDefinition, type Server, type ServerMethodDefinition, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';

export interface LazyMethod {
  /** `/package.Service/Method`, as on the wire. */
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

/** What the real code registers (a package may register several services, as reflection does v1 and v1alpha). */
export interface LoadedServices {
  readonly services: readonly { readonly definition: ServiceDefinition; readonly implementation: UntypedServiceImplementation }[];
}

/** A server stand-in that records what real code would register (`x.addToServer(collect)`). */
export function collectingServer(): { server: Pick<Server, 'addService'>; loaded: LoadedServices } {
  const services: { definition: ServiceDefinition; implementation: UntypedServiceImplementation }[] = [];
  return { server: { addService: (definition, implementation) => void services.push({ definition, implementation }) }, loaded: { services } };
}

const bytes = (b: Buffer): Buffer => b;
type AnyDefinition = ServerMethodDefinition<unknown, unknown> & { originalName?: string };
type Handler = (call: unknown, callback?: (err: unknown, value?: unknown) => void) => void;

export function addLazyServices(server: Server, methods: readonly LazyMethod[], load: () => Promise<LoadedServices>): void {
  let loading: Promise<LoadedServices> | null = null;
  const definition: Record<string, MethodDefinition<Buffer, Buffer>> = {};
  const implementation: UntypedServiceImplementation = {};
  for (const m of methods) {
    // Keyed by path: reflection's v1 and v1alpha share their method name.
    const name = m.path;
    definition[name] = { path: m.path, requestStream: m.requestStream, responseStream: m.responseStream, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes };
    const handler: Handler = (call, callback) => {
      (loading ??= load()).then(
        (loaded) => {
          const real = findMethod(loaded, m.path);
          if (real === null) return fail(call, callback, status.UNIMPLEMENTED, `${m.path} is not implemented by the loaded service`);
          real.handler(decodedCall(call as Record<string | symbol, unknown>, m, real.definition), callback && ((err, value) => callback(err, value === undefined || value === null ? value : real.definition.responseSerialize(value))));
        },
        (err: unknown) => {
          loading = null; // the next call tries again
          fail(call, callback, status.UNAVAILABLE, `cannot load ${m.path}: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
    };
    implementation[name] = handler as never;
  }
  server.addService(definition as ServiceDefinition, implementation);
}

function findMethod(loaded: LoadedServices, path: string): { definition: AnyDefinition; handler: Handler } | null {
  for (const { definition, implementation } of loaded.services) {
    for (const [key, d] of Object.entries(definition) as [string, AnyDefinition][]) {
      if (d.path !== path) continue;
      const h = (implementation[key] ?? (d.originalName ? implementation[d.originalName] : undefined)) as Handler | undefined;
      return h ? { definition: d, handler: h } : null;
    }
  }
  return null;
}

function fail(call: unknown, callback: ((err: unknown) => void) | undefined, code: status, details: string): void {
  if (callback) callback({ code, details });
  else (call as { emit(e: string, v: unknown): void }).emit('error', { code, details });
}

/** The call as the real handler expects it: its request decoded, what it writes encoded, streamed requests decoded. */
function decodedCall(call: Record<string | symbol, unknown>, m: LazyMethod, d: AnyDefinition): unknown {
  const request = m.requestStream ? undefined : d.requestDeserialize(call.request as Buffer);
  const proxy: unknown = new Proxy(call, {
    get(target, prop) {
      if (prop === 'request' && !m.requestStream) return request;
      if (prop === 'write') return (msg: unknown, ...rest: unknown[]) => (target.write as (...a: unknown[]) => boolean).call(target, d.responseSerialize(msg), ...rest);
      if (m.requestStream && (prop === 'on' || prop === 'once' || prop === 'addListener')) {
        return (event: string, listener: (...a: unknown[]) => void) => {
          (target[prop] as (e: string, l: (...a: unknown[]) => void) => unknown).call(target, event, event === 'data' ? (...a: unknown[]) => listener(d.requestDeserialize(a[0] as Buffer)) : listener);
          return proxy;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return proxy;
}
