/**
 * `lab traffic`: the client namespace sends one-datagram UDP flows (distinct source ports) to every
 * anycast prefix; a listener in each server namespace counts what arrives. Node itself cannot enter a
 * namespace, so both sides are small Node programs started with `ip netns exec`, bounded in time and
 * ended by PID. Traffic never leaves the lab's namespaces: the client's only routes lead to the spines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BallastError } from '../util/errors.js';
import { terminate } from './processes.js';
import { CLIENT_ADDRESS, CLIENT_ADDRESS6, TRAFFIC_PORT } from './topology.js';

export const MAX_FLOWS = 20_000;
const SOURCE_PORT_BASE = 20_000;
/** Hard limit on any traffic run: listeners exit by themselves after this, whatever happens. */
const RUN_LIMIT_MS = 60_000;

// Counts datagrams by payload (the prefix's address). Prints "ready" once bound, the counts when stdin
// closes. With IPv6 a second socket on :: (IPv6 only, so it does not clash with the IPv4 one's port).
const LISTENER = `
const dgram = require('node:dgram');
const [port, limitMs, v6] = process.argv.slice(1).map(Number);
const counts = {};
const count = (m) => { const k = m.toString(); counts[k] = (counts[k] || 0) + 1; };
const sockets = [dgram.createSocket('udp4')];
if (v6) sockets.push(dgram.createSocket({ type: 'udp6', ipv6Only: true }));
const finish = () => { process.stdout.write(JSON.stringify(counts) + '\\n', () => process.exit(0)); };
let bound = 0;
sockets.forEach((socket, i) => {
  socket.on('message', count);
  socket.bind(port, i === 0 ? '0.0.0.0' : '::', () => { if (++bound === sockets.length) process.stdout.write('ready\\n'); });
});
process.stdin.on('end', finish);
process.stdin.resume();
setTimeout(finish, limitMs).unref();
`;

// One socket per flow (source port) and family, sending one datagram to each target; 256 flows at a time.
const SENDER = `
const dgram = require('node:dgram');
const [src, src6, base, flows, port, ...targets] = process.argv.slice(1);
const result = { sent: 0, errors: 0 };
async function send(type, addr, i, to) {
  if (to.length === 0) return;
  const s = dgram.createSocket(type === 'udp6' ? { type, ipv6Only: true } : type);
  await new Promise((res, rej) => { s.once('error', rej); s.bind(Number(base) + i, addr, res); });
  for (const t of to) {
    await new Promise((res) => s.send(t, Number(port), t, (err) => { if (err) result.errors++; else result.sent++; res(); }));
  }
  await new Promise((res) => s.close(res));
}
async function flow(i) {
  await send('udp4', src, i, targets.filter((t) => !t.includes(':')));
  await send('udp6', src6, i, targets.filter((t) => t.includes(':')));
}
(async () => {
  for (let i = 0; i < Number(flows); i += 256) {
    const batch = [];
    for (let j = i; j < Math.min(Number(flows), i + 256); j++) batch.push(flow(j));
    await Promise.all(batch);
  }
  process.stdout.write(JSON.stringify(result) + '\\n');
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(1); });
`;

export interface TrafficCounts {
  /** Prefix text -> server name -> datagrams received. */
  readonly received: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Datagrams the client sent (per prefix: flows) and failed to send (no route). */
  readonly sent: number;
  readonly sendErrors: number;
  readonly seconds: number;
}

export function startInNs(ns: string, code: string, args: readonly string[]): ChildProcess {
  // `ip netns exec` execs the program, so the child's PID is the Node program's own.
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Resolve with the first stdout line matching `test`, or reject when the process exits first or time runs out. */
export function line(child: ChildProcess, test: (l: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const timer = setTimeout(() => reject(new BallastError('E_LAB_TIMEOUT', `Timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const l of buf.split('\n').slice(0, -1)) {
        if (test(l)) {
          clearTimeout(timer);
          resolve(l);
          return;
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new BallastError('E_LAB', `${what}: the program exited (${code}) before answering${err ? `: ${err.trim().split('\n').slice(-2).join(' | ')}` : ''}`));
    });
  });
}

/** Servers by name and namespace; `clientNs` sends. */
export async function sendTraffic(servers: readonly { readonly name: string; readonly ns: string }[], clientNs: string, prefixes: readonly string[], flows: number): Promise<TrafficCounts> {
  if (!Number.isInteger(flows) || flows < 1 || flows > MAX_FLOWS) throw new BallastError('E_USAGE', `Cannot send ${flows} flows: expected 1 to ${MAX_FLOWS}`);
  const started = performance.now();
  const children: ChildProcess[] = [];
  try {
    const v6 = prefixes.some((p) => p.includes(':'));
    const listeners = servers.map(({ name, ns }) => {
      const child = startInNs(ns, LISTENER, [String(TRAFFIC_PORT), String(RUN_LIMIT_MS), v6 ? '1' : '0']);
      children.push(child);
      // Attach the result reader now: the output may come before we ask for it.
      const ready = line(child, (l) => l === 'ready', 10_000, `the listener in ${name}`);
      const result = ready.then(() => line(child, (l) => l.startsWith('{'), RUN_LIMIT_MS, `the counts of ${name}`));
      result.catch(() => {});
      return { name, child, ready, result };
    });
    await Promise.all(listeners.map((l) => l.ready));
    const sender = startInNs(clientNs, SENDER, [CLIENT_ADDRESS, CLIENT_ADDRESS6, String(SOURCE_PORT_BASE), String(flows), String(TRAFFIC_PORT), ...prefixes.map((p) => p.slice(0, p.indexOf('/')))]);
    children.push(sender);
    const sent = JSON.parse(await line(sender, (l) => l.startsWith('{'), RUN_LIMIT_MS, 'the client sender')) as { sent: number; errors: number };
    // Datagrams in flight cross three veth hops in microseconds; 300 ms is ample before counting.
    await sleep(300);
    for (const l of listeners) l.child.stdin?.end();
    const counts = await Promise.all(listeners.map(async (l) => ({ name: l.name, counts: JSON.parse(await l.result) as Record<string, number> })));
    const received = new Map<string, Map<string, number>>();
    for (const p of prefixes) {
      const address = p.slice(0, p.indexOf('/'));
      received.set(p, new Map(counts.map((c) => [c.name, c.counts[address] ?? 0])));
    }
    return { received, sent: sent.sent, sendErrors: sent.errors, seconds: (performance.now() - started) / 1000 };
  } finally {
    const pids = children.filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined).map((c) => c.pid!);
    if (pids.length > 0) await terminate(pids, 1_000);
  }
}
