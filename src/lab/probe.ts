/**
 * A bounded probe stream for the fault tests: the client sends `rate` probes a second to each anycast
 * address, from `flows` source ports in turn (so probes hash like that many flows), each numbered; a
 * listener in every server namespace records which numbers arrived. Lost = sent - received; the
 * longest run of missing numbers says how long traffic was out. Bounded: the sender stops after
 * `seconds` (or when asked), the listeners exit by themselves a little later, and both are ended by
 * PID in any case. Like `lab traffic`, nothing leaves the lab's namespaces.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BallastError } from '../util/errors.js';
import { terminate } from './processes.js';
import { CLIENT_ADDRESS, CLIENT_ADDRESS6, TRAFFIC_PORT } from './topology.js';
import { line, startInNs } from './traffic.js';

/** Beside `lab traffic`'s port, so a probe stream and a traffic run never count each other's datagrams. */
export const PROBE_PORT = TRAFFIC_PORT + 1;
const SOURCE_PORT_BASE = 40_000;
export const MAX_PROBE_SECONDS = 300;

// Records the probe numbers per address; prints them when stdin closes or the limit passes.
const LISTENER = `
const dgram = require('node:dgram');
const [port, limitMs, v6] = process.argv.slice(1).map(Number);
const seen = {};
const sockets = [dgram.createSocket('udp4')];
if (v6) sockets.push(dgram.createSocket({ type: 'udp6', ipv6Only: true }));
const finish = () => { process.stdout.write(JSON.stringify(seen) + '\\n', () => process.exit(0)); };
let bound = 0;
sockets.forEach((socket, i) => {
  socket.on('message', (m) => { const [a, n] = m.toString().split(' '); (seen[a] = seen[a] || []).push(Number(n)); });
  socket.bind(port, i === 0 ? '0.0.0.0' : '::', () => { if (++bound === sockets.length) process.stdout.write('ready\\n'); });
});
process.stdin.on('end', finish);
process.stdin.resume();
setTimeout(finish, limitMs).unref();
`;

// Sends probe n to every target at n/rate seconds after the start, from source port base + n % flows.
// Prints what it sent (and could not send: no route) when stdin closes or the time is up.
const SENDER = `
const dgram = require('node:dgram');
const [src, src6, base, flows, port, rate, seconds, ...targets] = process.argv.slice(1);
const F = Number(flows), R = Number(rate), limit = Number(seconds) * R;
const sent = {}, errors = {};
for (const t of targets) { sent[t] = 0; errors[t] = 0; }
const open = (type, addr, i) => new Promise((res, rej) => {
  const s = dgram.createSocket(type === 'udp6' ? { type, ipv6Only: true } : type);
  s.once('error', rej);
  s.bind(Number(base) + i, addr, () => { s.removeAllListeners('error'); s.on('error', () => {}); res(s); });
});
let n = 0, done = false;
const finish = () => { if (done) return; done = true; process.stdout.write(JSON.stringify({ sent, errors, probes: n }) + '\\n', () => process.exit(0)); };
(async () => {
  const v4 = [], v6 = [];
  for (let i = 0; i < F; i++) {
    if (targets.some((t) => !t.includes(':'))) v4.push(await open('udp4', src, i));
    if (targets.some((t) => t.includes(':'))) v6.push(await open('udp6', src6, i));
  }
  process.stdout.write('ready\\n');
  const t0 = Date.now();
  const tick = () => {
    const due = Math.min(limit, Math.floor(((Date.now() - t0) * R) / 1000));
    for (; n < due; n++) {
      for (const t of targets) {
        const s = (t.includes(':') ? v6 : v4)[n % F];
        s.send(t + ' ' + n, Number(port), t, (err) => { if (err) errors[t]++; else sent[t]++; });
      }
    }
    if (n >= limit) setTimeout(finish, 50); else setTimeout(tick, 2);
  };
  tick();
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(1); });
process.stdin.on('end', () => setTimeout(finish, 50));
process.stdin.resume();
`;

export interface ProbeOptions {
  /** Probes a second to each address. */
  readonly rate: number;
  /** Source ports used in turn. */
  readonly flows: number;
  /** The stream ends by itself after this; `stop()` may end it earlier. */
  readonly seconds: number;
}

export interface PrefixProbes {
  readonly sent: number;
  /** Could not be sent (the client had no route). */
  readonly sendErrors: number;
  readonly received: number;
  /** Probes numbered but not received (send errors included). */
  readonly lost: number;
  /** The longest run of consecutive lost probes, in ms of the stream: every flow of the address out at once. */
  readonly longestGapMs: number;
  /**
   * The longest outage of one flow (one source port: probes n, n + flows, ...), in ms: what a
   * connection hashed onto a dead path sees, even while the other flows still arrive.
   */
  readonly longestFlowGapMs: number;
  /** Received per server. */
  readonly servers: ReadonlyMap<string, number>;
}

export interface ProbeStream {
  /** End the stream now and count. */
  stop(): Promise<Map<string, PrefixProbes>>;
}

/** Start the listeners and the sender; resolves once probes flow. */
export async function startProbes(servers: readonly { readonly name: string; readonly ns: string }[], clientNs: string, prefixes: readonly string[], opts: ProbeOptions): Promise<ProbeStream> {
  if (!(opts.rate >= 1 && opts.rate <= 1000 && opts.flows >= 1 && opts.flows <= 1024 && opts.seconds > 0 && opts.seconds <= MAX_PROBE_SECONDS)) {
    throw new BallastError('E_USAGE', `Probe stream of ${opts.rate}/s, ${opts.flows} flows, ${opts.seconds} s: expected 1-1000/s, 1-1024 flows, at most ${MAX_PROBE_SECONDS} s`);
  }
  const children: ChildProcess[] = [];
  const end = async () => {
    const pids = children.filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined).map((c) => c.pid!);
    if (pids.length > 0) await terminate(pids, 1_000);
  };
  try {
    const v6 = prefixes.some((p) => p.includes(':'));
    const limitMs = (opts.seconds + 30) * 1000;
    const listeners = servers.map(({ name, ns }) => {
      const child = startInNs(ns, LISTENER, [String(PROBE_PORT), String(limitMs), v6 ? '1' : '0']);
      children.push(child);
      const ready = line(child, (l) => l === 'ready', 10_000, `the probe listener in ${name}`);
      const result = ready.then(() => line(child, (l) => l.startsWith('{'), limitMs, `the probes of ${name}`));
      result.catch(() => {});
      return { name, child, ready, result };
    });
    await Promise.all(listeners.map((l) => l.ready));
    const targets = prefixes.map((p) => p.slice(0, p.indexOf('/')));
    const sender = startInNs(clientNs, SENDER, [CLIENT_ADDRESS, CLIENT_ADDRESS6, String(SOURCE_PORT_BASE), String(opts.flows), String(PROBE_PORT), String(opts.rate), String(opts.seconds), ...targets]);
    children.push(sender);
    const report = line(sender, (l) => l.startsWith('{'), limitMs, 'the probe sender');
    report.catch(() => {});
    await line(sender, (l) => l === 'ready', 10_000, 'the probe sender');
    return {
      async stop() {
        try {
          sender.stdin?.end();
          const sent = JSON.parse(await report) as { sent: Record<string, number>; errors: Record<string, number>; probes: number };
          // In flight: three veth hops take microseconds.
          await sleep(300);
          for (const l of listeners) l.child.stdin?.end();
          const seen = await Promise.all(listeners.map(async (l) => ({ name: l.name, seen: JSON.parse(await l.result) as Record<string, number[]> })));
          return new Map(prefixes.map((p, i) => [p, countProbes(targets[i]!, sent, seen, opts.rate, opts.flows)]));
        } finally {
          await end();
        }
      },
    };
  } catch (err) {
    await end();
    throw err;
  }
}

/** What arrived of one address's probes: lost, and the longest outages of the address and of one flow. */
export function countProbes(target: string, sent: { sent: Record<string, number>; errors: Record<string, number>; probes: number }, seen: readonly { name: string; seen: Record<string, number[]> }[], rate: number, flows: number): PrefixProbes {
  const got = new Uint8Array(sent.probes);
  const servers = new Map<string, number>();
  for (const s of seen) {
    const ns = s.seen[target] ?? [];
    servers.set(s.name, ns.length);
    for (const n of ns) if (n >= 0 && n < got.length) got[n] = 1;
  }
  const received = got.reduce((a, g) => a + g, 0);
  let longestFlow = 0;
  for (let f = 0; f < flows; f++) longestFlow = Math.max(longestFlow, longestRun(got, f, flows));
  return {
    sent: sent.sent[target] ?? 0,
    sendErrors: sent.errors[target] ?? 0,
    received,
    lost: sent.probes - received,
    longestGapMs: Math.round((longestRun(got, 0, 1) * 1000) / rate),
    longestFlowGapMs: Math.round((longestFlow * flows * 1000) / rate),
    servers,
  };
}

/** The longest run of lost probes among got[from], got[from + step], ... */
function longestRun(got: Uint8Array, from: number, step: number): number {
  let gap = 0;
  let longest = 0;
  for (let i = from; i < got.length; i += step) {
    if (got[i]) gap = 0;
    else longest = Math.max(longest, ++gap);
  }
  return longest;
}
