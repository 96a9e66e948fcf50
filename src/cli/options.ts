/** Option parsers and output helpers shared by the CLI's subcommands. */
import { STRATEGIES, type Strategy } from '../fabric/types.js';
import { BallastError, quote } from '../util/errors.js';

/** `--strategy ecmp,ballast` -> the strategies in the order given, once each, from `allowed`. */
export function parseStrategies<S extends string = Strategy>(text: string, allowed: readonly S[] = STRATEGIES as unknown as readonly S[]): S[] {
  const out: S[] = [];
  for (const raw of text.split(',')) {
    const s = raw.trim();
    if (s === '') continue;
    if (!(allowed as readonly string[]).includes(s)) throw new BallastError('E_USAGE', `Cannot use --strategy ${quote(s)}: expected one of ${allowed.join(', ')}`);
    if (!out.includes(s as S)) out.push(s as S);
  }
  if (out.length === 0) throw new BallastError('E_USAGE', `Cannot use --strategy ${quote(text)}: expected at least one of ${allowed.join(', ')}`);
  return out;
}

/**
 * A plain decimal number (`16`, `0.5`, `1e3`): `Number()` also reads `0x10`, `0b1` and `Infinity`,
 * which on a command line are typos, not values.
 */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** JSON for stdout; Infinity is not JSON, so it is written as null and consumers can still parse it. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/** `--check`: load (and so validate) a daemon's config; errors reach runCli and exit 2 with their position. */
export function checkConfig(file: string, load: (file: string) => unknown): void {
  load(file);
  process.stdout.write(`${file}: ok\n`);
}
