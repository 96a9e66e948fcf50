/**
 * Facts about a router that decide how it weights link-bandwidth: its FRR version (`show version`)
 * and its `bgp bestpath bandwidth` setting (`show running-config`). Pure text parsers.
 */
import { BallastError } from '../util/errors.js';

/** `FRRouting 8.4.4 (vm) on Linux(...)` -> `8.4.4`. */
export function parseShowVersion(text: string): string {
  const m = /^FRRouting (\d+\.\d+(?:\.\d+)?[^\s]*)/m.exec(text);
  if (!m) throw new BallastError('E_FRR_PARSE', `Unexpected \`show version\` output: no "FRRouting X.Y" line in ${JSON.stringify(text.slice(0, 80))}`);
  return m[1]!;
}

export const BESTPATH_BANDWIDTH = ['default', 'ignore', 'skip-missing', 'default-weight-for-missing'] as const;
export type BestpathBandwidth = (typeof BESTPATH_BANDWIDTH)[number];

/**
 * The default BGP instance's `bgp bestpath bandwidth` line; `default` when absent (FRR's default:
 * weight by link-bandwidth, plain ECMP when any multipath lacks a value).
 */
export function parseBestpathBandwidth(runningConfig: string): BestpathBandwidth {
  let inDefault = false;
  for (const line of runningConfig.split('\n')) {
    if (/^router bgp \d+\s*$/.test(line)) inDefault = true;
    else if (/^\S/.test(line)) inDefault = false;
    const m = inDefault ? /^ bgp bestpath bandwidth (ignore|skip-missing|default-weight-for-missing)\s*$/.exec(line) : null;
    if (m) return m[1] as BestpathBandwidth;
  }
  return 'default';
}
