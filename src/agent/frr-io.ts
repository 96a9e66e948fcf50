/**
 * The agent's FRR reads and the time an apply may take, over one injected vtysh runner (the real
 * one in frr/vtysh.ts, a fake FRR in tests). Answers that do not match the question are E_FRR_PARSE.
 */
import type { Prefix } from '../fabric/prefix.js';
import { parseBgpPrefix, splitJsonStream, type BgpPrefix } from '../frr/bgp-prefix.js';
import { parseRunningConfig, type RunningConfig } from '../frr/running-config.js';
import { BallastError } from '../util/errors.js';
import { ReadCache } from './read-cache.js';

/** One vtysh invocation: the commands in order; resolves with stdout. A long apply asks for more time. */
export type FrrRunner = (commands: readonly string[], timeoutMs?: number) => Promise<string>;

/**
 * Prefixes per vtysh call on a full resync: one process for many targeted queries (each vtysh is a
 * fork of the agent, which copies its page tables: bench/agent.md). 500 answers are ~2 MB of JSON.
 */
export const PREFIXES_PER_CALL = 500;

/** Extra time per command of a read: 200 targeted queries take ~0.3 s on an idle 8.4 leaf, a few at load 15. */
const READ_MS_PER_COMMAND = 10;

/** FRR 8.4 spends tens of ms per configuration command once the configuration is large. */
const APPLY_MS_PER_COMMAND = 60;

/** The timeout for one apply of `commands` configuration commands. */
export function applyTimeoutMs(baseMs: number, commands: number): number {
  return baseMs + APPLY_MS_PER_COMMAND * commands;
}

/** The timeout for one read of `commands` show commands (after the first, which the base covers). */
export function readTimeoutMs(baseMs: number, commands: number): number {
  return baseMs + READ_MS_PER_COMMAND * Math.max(0, commands - 1);
}

export async function readRunning(frr: FrrRunner): Promise<RunningConfig> {
  return parseRunningConfig(await frr(['show running-config']));
}

/** The routes of these prefixes, in order, from one vtysh call. */
export async function readPrefixes(frr: FrrRunner, prefixes: readonly Prefix[], baseMs?: number): Promise<BgpPrefix[]> {
  const text = await frr(prefixes.map(prefixQuery), baseMs === undefined ? undefined : readTimeoutMs(baseMs, prefixes.length));
  return answers(splitJsonStream(text), prefixes);
}

const prefixQuery = (p: Prefix): string => `show bgp ${p.family} unicast ${p.text} json`;

function answers(values: readonly unknown[], prefixes: readonly Prefix[]): BgpPrefix[] {
  if (values.length !== prefixes.length) throw new BallastError('E_FRR_PARSE', `Expected ${prefixes.length} JSON answers from vtysh, got ${values.length}`);
  return values.map(parseBgpPrefix);
}

/** What the periodic tick reads when the resync and the reconcile are due together. */
export interface TickRead {
  /** The answer to `show bgp summary json`, when asked. */
  readonly summary: unknown;
  readonly routes: readonly BgpPrefix[];
  readonly running: RunningConfig;
}

/**
 * The resync's and the reconcile's reads in one vtysh call (one fork instead of 3-6): `show bgp
 * summary json` (optional), the prefixes, then `show running-config`, whose text follows the JSON
 * answers. Any failure fails the whole read (the caller keeps the last state, as for each alone).
 * `cache`: the last tick's reply, so that the parts equal to it are not parsed again (read-cache.ts).
 */
export async function readTick(frr: FrrRunner, prefixes: readonly Prefix[], summary: boolean, baseMs?: number, cache = new ReadCache()): Promise<TickRead> {
  const commands = [...(summary ? ['show bgp summary json'] : []), ...prefixes.map(prefixQuery), 'show running-config'];
  const text = await frr(commands, baseMs === undefined ? undefined : readTimeoutMs(baseMs, commands.length));
  return cache.split(text, commands, prefixes, summary);
}

/**
 * The routes of many prefixes, PREFIXES_PER_CALL per vtysh call. A batch that fails, or an answer about another
 * prefix, is reported to `failed` and left out: what is returned was read and matches.
 */
export async function readPrefixRoutes(frr: FrrRunner, prefixes: readonly Prefix[], failed: (err: unknown, during: string) => void, baseMs?: number): Promise<[Prefix, BgpPrefix][]> {
  const out: [Prefix, BgpPrefix][] = [];
  for (let i = 0; i < prefixes.length; i += PREFIXES_PER_CALL) {
    const batch = prefixes.slice(i, i + PREFIXES_PER_CALL);
    let routes: BgpPrefix[];
    try {
      routes = await readPrefixes(frr, batch, baseMs);
    } catch (err) {
      failed(err, `read of ${batch.length} prefix(es)`);
      continue;
    }
    out.push(...matching(batch, routes, failed));
  }
  return out;
}

/** The answers that are about the prefix asked for; another prefix's answer is reported to `failed`. */
export function matching(prefixes: readonly Prefix[], routes: readonly BgpPrefix[], failed: (err: unknown, during: string) => void): [Prefix, BgpPrefix][] {
  const out: [Prefix, BgpPrefix][] = [];
  prefixes.forEach((p, k) => {
    const route = routes[k]!;
    if (route.prefix !== null && route.prefix !== p.text) failed(new BallastError('E_FRR_PARSE', `Asked for ${p.text}, FRR answered ${route.prefix}`), 'read');
    else out.push([p, route]);
  });
  return out;
}
