/**
 * A real Prometheus (Debian's package) scraping the lab. The lab's daemons serve metrics on their own
 * namespace's loopback, which the host cannot reach: one small relay per namespace (run inside it
 * with `ip netns exec`) forwards a unix socket to that port, and a host proxy on 127.0.0.1 maps
 * /NODE/metrics to the node's relay. Prometheus scrapes the proxy with one target per node, labelled
 * instance=NODE. Everything is started here and stopped by stop(), by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import { createServer as netServer } from 'node:net';
import { join, resolve } from 'node:path';

const RELAY = `const net=require('node:net');const [sock,port]=process.argv.slice(1);net.createServer((c)=>{const t=net.connect(Number(port),'127.0.0.1');c.pipe(t).pipe(c);t.on('error',()=>c.destroy());c.on('error',()=>t.destroy());}).listen(sock);`;

export const PROMETHEUS = '/usr/bin/prometheus';

export interface Target {
  readonly job: string;
  readonly node: string;
  /** The namespace and port of a namespaced target; or `host` for a port on the host's loopback. */
  readonly ns: string | null;
  readonly port: number;
}

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface RunningPrometheus {
  readonly url: string;
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(dir: string, targets: readonly Target[], rulesFile: string): Promise<RunningPrometheus> {
  mkdirSync(dir, { recursive: true });
  const children: ChildProcess[] = [];
  const sockets = new Map<string, string>();
  for (const t of targets) {
    if (t.ns === null) continue;
    const sock = join(dir, `${t.node}.sock`);
    children.push(spawn('ip', ['netns', 'exec', t.ns, process.execPath, '-e', RELAY, sock, String(t.port)], { stdio: 'ignore' }));
    sockets.set(t.node, sock);
  }
  const proxy: Server = createServer((req, res) => {
    const node = (req.url ?? '').split('/')[1] ?? '';
    const t = targets.find((x) => x.node === node);
    if (!t) return void res.writeHead(404).end();
    const upstream = get(t.ns === null ? { host: '127.0.0.1', port: t.port, path: '/metrics' } : { socketPath: sockets.get(node)!, path: '/metrics' }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('error', (err) => res.writeHead(502).end(String(err)));
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const proxyPort = (proxy.address() as { port: number }).port;
  const jobs = [...new Set(targets.map((t) => t.job))];
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
    rule_files: [resolve(rulesFile)],
    scrape_configs: jobs.map((job) => ({
      job_name: job,
      static_configs: targets.filter((t) => t.job === job).map((t) => ({ targets: [`127.0.0.1:${proxyPort}`], labels: { node: t.node } })),
      relabel_configs: [
        { source_labels: ['node'], target_label: '__metrics_path__', replacement: '/$1/metrics' },
        { source_labels: ['node'], target_label: 'instance' },
      ],
    })),
  };
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const port = await freePort();
  const prom = spawn(PROMETHEUS, [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prom.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  children.push(prom);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    for (const c of children) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    await new Promise<void>((r) => proxy.close(() => r()));
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (prom.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited ${prom.exitCode}: ${log.slice(-500)}`);
    }
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 30 s: ${log.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async query(expr) {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await r.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`PromQL ${expr}: ${body.error}`);
      return body.data.result;
    },
    stop,
  };
}

export const prometheusInstalled = (): boolean => existsSync(PROMETHEUS);
