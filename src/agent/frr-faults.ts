/**
 * FRR's own faults, which the agent cannot mend but must say: a vtysh that stopped answering (a call
 * timed out), a spine session that is not Established, and a leaf whose kernel lost the routes bgpd
 * still has (zebra restarted, or lost its RIB: the leaf's servers get no traffic while bgpd looks
 * healthy). Each fault is logged once when it appears (warn) and once when it clears (info), listed in
 * the API's state and exported as a metric; the agent changes nothing because of them.
 */
import type { Logger } from 'pino';
import { splitJsonStream } from '../frr/bgp-prefix.js';
import { parseBgpSummary } from '../frr/bgp-summary.js';
import { findRoute, parseKernelRoutes } from '../lab/kernel-route.js';
import { BallastError } from '../util/errors.js';
import { run } from '../util/exec.js';
import { IpBatch } from '../util/ip-batch.js';
import type { FrrRunner } from './frr-io.js';

export type FrrFaultKind = 'vtysh-timeout' | 'spine-session-down' | 'kernel-route-missing';
export const FRR_FAULT_KINDS: readonly FrrFaultKind[] = ['vtysh-timeout', 'spine-session-down', 'kernel-route-missing'];

export interface FrrFault {
  readonly kind: FrrFaultKind;
  /** vtysh; the spine neighbor; the prefix. */
  readonly subject: string;
  readonly detail: string;
  /** When it was first noticed (ms since the epoch). */
  readonly since: number;
}

/** The kernel's routes of these prefixes (`ip -j route show root P`): the prefixes it holds a route for. */
export type KernelReader = (prefixes: readonly string[]) => Promise<ReadonlySet<string>>;

/**
 * The kernel's routes through `ip -j route show root P` (targeted: only routes inside P), all prefixes
 * of a family answered by one long-lived `ip -j -batch -` (util/ip-batch.ts): a fork per prefix was 200
 * processes per reconcile at 200 prefixes, and a fork per reconcile still a third of the idle agent's
 * CPU (bench/agent.md). iproute2 prints one JSON array per line of the batch; an answer that does not
 * have one per prefix, or a batch process that failed, is read again prefix by prefix with one-shot ip.
 */
export function ipKernelReader(timeoutMs: number): KernelReader & { close(): void } {
  const one = async (p: string): Promise<unknown> => parseJson((await run('ip', ['-j', ...family(p), 'route', 'show', 'root', p], { timeoutMs, code: 'E_FRR_COMMAND' })).stdout || '[]', 'ip -j route');
  // Per family: the last batch's input, ip's answer and the prefixes it held. An idle leaf's answer is
  // the same every tick: it is not split and parsed again (bench/agent.md, fourth pass).
  const last = new Map<string, { input: string; stdout: string; held: readonly string[] }>();
  const batches = new Map<string, IpBatch>();
  const batch = (fam: string[]): IpBatch => {
    const key = fam.join();
    let b = batches.get(key);
    if (b === undefined) batches.set(key, (b = new IpBatch(['ip', '-j', ...fam, '-batch', '-'])));
    return b;
  };
  const read = async (prefixes: readonly string[]): Promise<ReadonlySet<string>> => {
    const held = new Set<string>();
    for (const fam of [prefixes.filter((p) => !p.includes(':')), prefixes.filter((p) => p.includes(':'))]) {
      if (fam.length === 0) continue;
      const commands = fam.map((p) => `route show root ${p}`);
      const input = commands.join('\n');
      // A batch that failed (ip gone, timed out) leaves answers empty: read prefix by prefix below.
      const stdout = await batch(family(fam[0]!))
        .run(commands, timeoutMs)
        .then((lines) => lines.join('\n'), () => '');
      const key = family(fam[0]!).join();
      const seen = last.get(key);
      if (seen !== undefined && seen.input === input && seen.stdout === stdout) {
        for (const p of seen.held) held.add(p);
        continue;
      }
      last.delete(key);
      let answers: unknown[];
      try {
        answers = splitJsonStream(stdout);
      } catch {
        answers = [];
      }
      const whole = answers.length === fam.length;
      if (!whole) {
        answers = [];
        for (const p of fam) answers.push(await one(p));
      }
      const found = fam.filter((p, i) => findRoute(parseKernelRoutes(answers[i]), p));
      for (const p of found) held.add(p);
      if (whole) last.set(key, { input, stdout, held: found });
    }
    return held;
  };
  return Object.assign(read, { close: () => batches.forEach((b) => b.close()) });
}

const family = (p: string): string[] => (p.includes(':') ? ['-6'] : []);

/** A vtysh call that ran out of time (src/util/exec.ts), rather than one that failed. */
export function isTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'E_FRR_COMMAND' && /timed out/.test((err as Error).message ?? '');
}

const MESSAGES: Record<FrrFaultKind, [string, string]> = {
  'vtysh-timeout': ['vtysh stopped answering (the call timed out); FRR is left as it is', 'vtysh answers again'],
  'spine-session-down': ['a spine session is not Established', 'the spine session is Established again'],
  'kernel-route-missing': ["bgpd has server paths but the kernel has no route (zebra lost it): the leaf's servers get no traffic", 'the kernel holds the route again'],
};

export class FrrFaults {
  private readonly current = new Map<string, FrrFault>();
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(logger: Logger, now: () => number) {
    this.logger = logger;
    this.now = now;
  }

  /** The faults of one kind are now exactly `found` (subject -> detail): log what appeared and what cleared. */
  set(kind: FrrFaultKind, found: ReadonlyMap<string, string>): void {
    const [appeared, cleared] = MESSAGES[kind];
    for (const [key, f] of this.current) {
      if (f.kind !== kind || found.has(f.subject)) continue;
      this.current.delete(key);
      this.logger.info({ event: 'frr-fault-cleared', kind, subject: f.subject, lastedMs: this.now() - f.since }, `${f.subject}: ${cleared}`);
    }
    for (const [subject, detail] of found) {
      const key = `${kind}|${subject}`;
      if (this.current.has(key)) continue;
      this.current.set(key, { kind, subject, detail, since: this.now() });
      this.logger.warn({ event: 'frr-fault', kind, subject, detail }, `${subject}: ${appeared} (${detail})`);
    }
  }

  list(): FrrFault[] {
    return [...this.current.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject));
  }

  /** The runner with timeouts noticed: a timed-out call raises the fault, any answer clears it. */
  watch(frr: FrrRunner): FrrRunner {
    return async (commands, timeoutMs) => {
      try {
        const out = await frr(commands, timeoutMs);
        this.set('vtysh-timeout', new Map());
        return out;
      } catch (err) {
        if (isTimeout(err)) this.set('vtysh-timeout', new Map([['vtysh', (err as Error).message]]));
        throw err;
      }
    };
  }

  /**
   * The periodic check: spine sessions from `show bgp summary json`, and the kernel's routes of the
   * prefixes for which bgpd has server paths (`withServers`). A failed read leaves that kind as it was.
   * `summary`: the summary's answer when it was read already (in the tick's one vtysh call).
   */
  async check(frr: FrrRunner, spines: ReadonlySet<string>, withServers: readonly string[], kernel: KernelReader | undefined, summary?: unknown): Promise<void> {
    if (spines.size > 0) {
      const peers = parseBgpSummary(summary ?? parseJson(await frr(['show bgp summary json']), 'show bgp summary json'));
      const down = new Map<string, string>();
      for (const s of spines) {
        // Only IPv4 unicast peers are listed (bgp-summary.ts): a spine absent there (an IPv6-only
        // session) is not called down.
        const p = peers.find((x) => x.neighbor === s);
        if (p !== undefined && p.state !== 'Established') down.set(s, `state ${p.state}`);
      }
      this.set('spine-session-down', down);
    }
    if (kernel) {
      const held = await kernel(withServers);
      this.set('kernel-route-missing', new Map(withServers.filter((p) => !held.has(p)).map((p) => [p, 'no kernel route'])));
    }
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BallastError('E_FRR_PARSE', `Unexpected answer to ${what}: not JSON`);
  }
}
