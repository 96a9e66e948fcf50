/**
 * The agent's FRR reads and the time an apply may take, over one injected vtysh runner (the real
 * one in frr/vtysh.ts, a fake FRR in tests). Answers that do not match the question are E_FRR_PARSE.
 */
import type { Prefix } from '../fabric/prefix.js';
import { parseBgpPrefix, splitJsonStream, type BgpPrefix } from '../frr/bgp-prefix.js';
import { parseRunningConfig, type RunningConfig } from '../frr/running-config.js';
import { BallastError } from '../util/errors.js';

/** One vtysh invocation: the commands in order; resolves with stdout. A long apply asks for more time. */
export type FrrRunner = (commands: readonly string[], timeoutMs?: number) => Promise<string>;

/** Prefixes per vtysh call on a full resync: one process for many targeted queries. */
const BATCH = 50;

/** FRR 8.4 spends tens of ms per configuration command once the configuration is large. */
const APPLY_MS_PER_COMMAND = 60;

/** The timeout for one apply of `commands` configuration commands. */
export function applyTimeoutMs(baseMs: number, commands: number): number {
  return baseMs + APPLY_MS_PER_COMMAND * commands;
}

export async function readRunning(frr: FrrRunner): Promise<RunningConfig> {
  return parseRunningConfig(await frr(['show running-config']));
}

/** The routes of these prefixes, in order, from one vtysh call. */
export async function readPrefixes(frr: FrrRunner, prefixes: readonly Prefix[]): Promise<BgpPrefix[]> {
  const text = await frr(prefixes.map((p) => `show bgp ${p.family} unicast ${p.text} json`));
  const values = splitJsonStream(text);
  if (values.length !== prefixes.length) throw new BallastError('E_FRR_PARSE', `Expected ${prefixes.length} JSON answers from vtysh, got ${values.length}`);
  return values.map(parseBgpPrefix);
}

/**
 * The routes of many prefixes, BATCH per vtysh call. A batch that fails, or an answer about another
 * prefix, is reported to `failed` and left out: what is returned was read and matches.
 */
export async function readPrefixRoutes(frr: FrrRunner, prefixes: readonly Prefix[], failed: (err: unknown, during: string) => void): Promise<[Prefix, BgpPrefix][]> {
  const out: [Prefix, BgpPrefix][] = [];
  for (let i = 0; i < prefixes.length; i += BATCH) {
    const batch = prefixes.slice(i, i + BATCH);
    let routes: BgpPrefix[];
    try {
      routes = await readPrefixes(frr, batch);
    } catch (err) {
      failed(err, `read of ${batch.length} prefix(es)`);
      continue;
    }
    batch.forEach((p, k) => {
      const route = routes[k]!;
      if (route.prefix !== null && route.prefix !== p.text) failed(new BallastError('E_FRR_PARSE', `Asked for ${p.text}, FRR answered ${route.prefix}`), 'read');
      else out.push([p, route]);
    });
  }
  return out;
}
