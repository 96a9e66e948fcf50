/**
 * The agent's two FRR reads and the time an apply may take, over one injected vtysh runner (the real
 * one in frr/vtysh.ts, a fake FRR in tests). Answers that do not match the question are E_FRR_PARSE.
 */
import type { Prefix } from '../fabric/prefix.js';
import { parseBgpPrefix, splitJsonStream, type BgpPrefix } from '../frr/bgp-prefix.js';
import { parseRunningConfig, type RunningConfig } from '../frr/running-config.js';
import { BallastError } from '../util/errors.js';

/** One vtysh invocation: the commands in order; resolves with stdout. A long apply asks for more time. */
export type FrrRunner = (commands: readonly string[], timeoutMs?: number) => Promise<string>;

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
