/** Ask a gRPC server, through server reflection (what grpcurl uses), which services it offers. */
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const REFLECTION_PROTO = 'node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto';

/** `address` as grpc-js takes it, e.g. `unix:/run/x.sock`. */
export function listServices(address: string): Promise<string[]> {
  const pkg = loadPackageDefinition(loadSync(REFLECTION_PROTO)) as any;
  const client = new pkg.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
  return new Promise<string[]>((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.on('data', (m: any) => {
      resolve(m.listServicesResponse.service.map((s: { name: string }) => s.name));
      stream.end();
    });
    stream.on('error', reject);
    stream.write({ listServices: '' });
  }).finally(() => client.close());
}
