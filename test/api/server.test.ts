import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { credentials, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProto } from 'grpc-health-check';
import { connectAgent } from '../../src/api/client.js';
import { startApiServer } from '../../src/api/server.js';
import { parseListen } from '../../src/api/listen.js';
import { AdvertisementKind } from '../../src/gen/ballast/v1/agent.js';
import { BallastError } from '../../src/util/errors.js';
import { decisionNotice, FakeAgent } from './fake-agent.js';
import { listServices } from './reflection.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-api-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('unix socket: mode 0660, GetState, Drain, Undrain, Plan and Watch round-trip', async () => {
  const agent = new FakeAgent();
  const path = join(dir, 'agent.sock');
  const server = await startApiServer(agent, parseListen(`unix://${path}`));
  const client = connectAgent(`unix://${path}`);
  try {
    assert.equal(statSync(path).mode & 0o777, 0o660);
    const state = await client.getState();
    assert.equal(state.leaf, 'leaf1');
    assert.deepEqual(state.spines, ['spine1', 'spine2']);
    const p = state.prefixes[0]!;
    assert.equal(p.prefix, '198.51.100.1/32');
    assert.deepEqual(p.current, { kind: AdvertisementKind.ADVERTISEMENT_KIND_ADVERTISE, bandwidthMbps: 2000, prepend: 0 });
    assert.equal(p.lastChange?.getTime(), 1_700_000_001_000);
    assert.equal(p.servers.length, 2);

    assert.deepEqual(await client.drain('srv11', 'disk swap'), { drained: ['srv11'], leafDrained: false });
    assert.equal((await client.getState()).prefixes[0]!.servers[0]!.drainReason, 'disk swap');
    await assert.rejects(client.drain('srv99', 'x'), (e: unknown) => e instanceof BallastError && /No server "srv99"/.test(e.message));
    assert.deepEqual(await client.undrain('srv11'), { drained: [], leafDrained: false });

    const plan = await client.whatIf(['srv11', 'srv12']);
    assert.equal(plan.prefixes[0]!.predicted?.kind, AdvertisementKind.ADVERTISEMENT_KIND_WITHDRAW);

    const seen: string[] = [];
    const w = client.watch([], (e) => seen.push(e.decision?.prefix ?? e.drift?.detail ?? '?'));
    for (let i = 0; i < 50 && agent.listeners.size === 0; i++) await new Promise((r) => setTimeout(r, 20));
    agent.emit(decisionNotice({ prefix: '198.51.100.1/32', old: null, new: { kind: 'withdraw' }, target: { kind: 'withdraw' }, reason: 'no-healthy-servers', hold: 'none', healthyServers: [], liveCapacity: 0, changed: true }));
    agent.emit({ kind: 'drift', at: Date.now(), differences: ['route-map entry restored', 'hold list restored'] });
    for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    w.stop();
    await w.done;
    assert.deepEqual(seen, ['198.51.100.1/32', 'route-map entry restored; hold list restored']);
    for (let i = 0; i < 50 && agent.listeners.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(agent.listeners.size, 0, 'a cancelled watch unsubscribes');
  } finally {
    client.close();
    await server.close();
  }
});

test('grpc.health.v1 answers SERVING and reflection lists the services', async () => {
  const path = join(dir, 'reflect.sock');
  const server = await startApiServer(new FakeAgent(), parseListen(path));
  try {
    const healthPkg = loadPackageDefinition(loadSync(healthProto)) as any;
    const health = new healthPkg.grpc.health.v1.Health(`unix:${path}`, credentials.createInsecure());
    const res = await new Promise<any>((resolve, reject) => health.Check({ service: 'ballast.v1.AgentService' }, (e: ServiceError | null, r: unknown) => (e ? reject(e) : resolve(r))));
    assert.equal(res.status, 1); // SERVING
    // Loaded at the first call (lazy-service.ts): an unknown service, the stream and a status change after it.
    const unknown = await new Promise<ServiceError>((resolve) => health.Check({ service: 'nope' }, (e: ServiceError) => resolve(e)));
    assert.equal(unknown.code, 5); // NOT_FOUND
    const watch = health.Watch({ service: '' });
    watch.on('error', () => {}); // CANCELLED, from our own cancel()
    const seen: number[] = [];
    let first!: () => void;
    const one = new Promise<void>((resolve) => (first = resolve));
    const two = new Promise<void>((resolve) => watch.on('data', (m: { status: number }) => { const n = seen.push(m.status); if (n === 1) first(); if (n === 2) resolve(); }));
    // The status changes only once the stream has said SERVING: a change before the (lazily loaded)
    // service subscribed would be the stream's only message, and a loaded machine is slow enough for that.
    await one;
    server.health.setStatus('', 'NOT_SERVING');
    await two;
    assert.deepEqual(seen, [1, 2]); // SERVING, then NOT_SERVING
    watch.cancel();
    health.close();

    const names = await listServices(`unix:${path}`);
    assert.ok(names.includes('ballast.v1.AgentService'), names.join(','));
    assert.ok(names.includes('grpc.health.v1.Health'), names.join(','));
  } finally {
    await server.close();
  }
});

test('plaintext TCP is refused at start-up with a clear error', async () => {
  await assert.rejects(startApiServer(new FakeAgent(), parseListen('tcp://127.0.0.1:0')), (e: unknown) => e instanceof BallastError && e.code === 'E_API_INSECURE' && /without TLS/.test(e.message));
  assert.throws(() => connectAgent('127.0.0.1:1'), (e: unknown) => e instanceof BallastError && e.code === 'E_API_INSECURE');
});

test('a live socket is not stolen by a second server; a stale one is replaced', async () => {
  const path = join(dir, 'twice.sock');
  const first = await startApiServer(new FakeAgent(), parseListen(path));
  await assert.rejects(startApiServer(new FakeAgent(), parseListen(path)), /another process is serving that socket/);
  await first.close();
  const second = await startApiServer(new FakeAgent(), parseListen(path));
  await second.close();
});

function makeCerts(): { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  const f = (n: string) => join(dir, n);
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=ballast test CA', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  for (const who of ['server', 'client']) {
    ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who === 'server' ? 'localhost' : 'operator'}`, '-keyout', f(`${who}.key`), '-out', f(`${who}.csr`)]);
    const ext = f(`${who}.ext`);
    execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ${ext}`]);
    ssl(['x509', '-req', '-in', f(`${who}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', f(`${who}.pem`)]);
  }
  return { ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') };
}

test('TCP with mutual TLS: a client with a certificate gets through, one without is refused', async () => {
  const c = makeCerts();
  const server = await startApiServer(new FakeAgent(), parseListen('tcp://127.0.0.1:0', { cert: c.serverCert, key: c.serverKey, clientCa: c.ca }));
  try {
    const port = server.address.split(':').pop()!;
    const good = connectAgent(`localhost:${port}`, { ca: c.ca, cert: c.clientCert, key: c.clientKey });
    assert.equal((await good.getState()).leaf, 'leaf1');
    good.close();
    // TLS but no client certificate: the handshake fails.
    const { AgentServiceClient } = await import('../../src/gen/ballast/v1/agent.js');
    const { readFileSync } = await import('node:fs');
    const anon = new AgentServiceClient(`localhost:${port}`, credentials.createSsl(readFileSync(c.ca)));
    await assert.rejects(new Promise((resolve, reject) => anon.getState({ prefixes: [] }, (e, r) => (e ? reject(e) : resolve(r)))), (e: ServiceError) => e.code === 14);
    anon.close();
  } finally {
    await server.close();
  }
});
