/**
 * FRR's own faults, which the agent cannot mend but must say: a vtysh that stopped answering (a call
 * timed out), a spine session that is not Established, and a leaf whose kernel lost the routes bgpd
 * still has (zebra restarted, or lost its RIB: the leaf's servers get no traffic while bgpd looks
 * healthy). Each fault is logged once when it appears (warn) and once when it clears (info), listed in
 * the API's state and exported as a metric; the agent changes nothing because of them.
 */
import type { Logger } from 'pino';
import { parseBgpSummary } from '../frr/bgp-summary.js';
import { findRoute, kernelDst, parseKernelRoutes } from '../lab/kernel-route.js';
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
 * The kernel's routes of the managed prefixes: one dump of the main table per family (`route show`),
 * asked of a long-lived `ip -j -batch -` (util/ip-batch.ts). A fork per reconcile was a third of the
 * idle agent's CPU at 200 prefixes, and `route show root P` per prefix cost ip 0.37 % CPU more there,
 * because iproute2 dumps the whole table for each and filters it itself (bench/agent.md, fifth pass).
 * A dump that fails or does not parse is read again prefix by prefix with one-shot `ip route show root P`.
 */
export function ipKernelReader(timeoutMs: number): KernelReader & { close(): void } {
  const one = async (p: string): Promise<unknown> => parseJson((await run('ip', ['-j', ...family(p), 'route', 'show', 'root', p], { timeoutMs, code: 'E_FRR_COMMAND' })).stdout || '[]', 'ip -j route');
  // Per family: the prefixes asked, the last dump and the prefixes it held. An idle leaf's dump is the
  // same every tick: it is not parsed again.
  const last = new Map<string, { input: string; dump: string; held: readonly string[] }>();
  const batches = new Map<string, IpBatch>();
  const batch = (key: string, flags: readonly string[]): IpBatch => {
    let b = batches.get(key);
    if (b === undefined) batches.set(key, (b = new IpBatch(['ip', '-j', ...flags, '-batch', '-'])));
    return b;
  };
  const read = async (prefixes: readonly string[]): Promise<ReadonlySet<string>> => {
    const held = new Set<string>();
    for (const fam of [prefixes.filter((p) => !p.includes(':')), prefixes.filter((p) => p.includes(':'))]) {
      if (fam.length === 0) continue;
      const flags = family(fam[0]!);
      const key = flags.join();
      const input = fam.join('\n');
      const dump = await batch(key, flags)
        .run(['route show'], timeoutMs)
        .then(([line]) => line ?? null, () => null);
      const seen = last.get(key);
      if (dump !== null && seen !== undefined && seen.input === input && seen.dump === dump) {
        for (const p of seen.held) held.add(p);
        continue;
      }
      last.delete(key);
      const dsts = dump === null ? null : destinations(dump);
      if (dump === null || dsts === null) {
        for (const p of fam) if (findRoute(parseKernelRoutes(await one(p)), p)) held.add(p);
        continue;
      }
      const found = fam.filter((p) => dsts.has(p) || dsts.has(kernelDst(p)));
      for (const p of found) held.add(p);
      last.set(key, { input, dump, held: found });
    }
    return held;
  };
  return Object.assign(read, { close: () => batches.forEach((b) => b.close()) });
}

/** The dst of every route in an `ip -j route show` dump (any type: unreachable and blackhole routes have no dev); null if it is not one. */
function destinations(dump: string): Set<string> | null {
  let json: unknown;
  try {
    json = JSON.parse(dump);
  } catch {
    return null;
  }
  if (!Array.isArray(json)) return null;
  return new Set(json.map((r) => (r as { dst?: unknown } | null)?.dst).filter((d): d is string => typeof d === 'string'));
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
