/**
 * Signals from the first instant for the daemons (`ballast agent`): imported first by main.ts, so
 * within a few hundred milliseconds of the process starting a SIGHUP, SIGTERM or SIGINT is remembered
 * instead of taking its default action (SIGHUP's kills). The daemon takes them over with
 * `takeEarlySignals()` once it can act on them. Other commands keep the default behaviour.
 */
const SIGNALS = ['SIGHUP', 'SIGTERM', 'SIGINT'] as const;
const seen: string[] = [];
const remember = (signal: string) => void seen.push(signal);
const daemon = process.argv.slice(2).find((a) => !a.startsWith('-')) === 'agent';
if (daemon) for (const s of SIGNALS) process.on(s, remember);

/** The signals received so far; SIGTERM/SIGINT stop being held here, SIGHUP only when `all`. */
export function takeEarlySignals(all: boolean): string[] {
  for (const s of SIGNALS) if (all || s !== 'SIGHUP') process.off(s, remember);
  return [...seen];
}
