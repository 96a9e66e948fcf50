/** Terminal styling that honours NO_COLOR, FORCE_COLOR and whether stdout is a terminal. */

export interface Style {
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly green: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const plain = (s: string): string => s;

export function makeStyle(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): Style {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const on = forced || (!('NO_COLOR' in env && env.NO_COLOR !== '') && stream.isTTY === true && env.TERM !== 'dumb');
  if (!on) return { red: plain, yellow: plain, green: plain, dim: plain, bold: plain };
  const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
