/**
 * Covering ranges in the agent's config (`prefixes: [198.51.100.0/24]`): the agent manages every host
 * route inside a range that one of its servers announces. They are found with one targeted query per
 * range (`show bgp ipv4 unicast RANGE longer-prefixes json`: only the routes inside it, never the whole
 * table), at start, on each resync and when the kernel reports a new route inside a range. The
 * expanded set is handed to the agent as a reload, so a prefix that appears or goes away follows the
 * same path as an edited config. Pure except discoverInRanges.
 */
import { isHostPrefix, parsePrefix, prefixContains, type Prefix } from '../fabric/prefix.js';
import { splitJsonStream } from '../frr/bgp-prefix.js';
import { MAX_PREFIXES } from '../frr/ballast-route-map.js';
import { list, object, type Json } from '../frr/json-shape.js';
import type { AgentConfig } from './config.js';

export function rangeQueries(ranges: readonly Prefix[]): string[] {
  return ranges.map((r) => `show bgp ${r.family} unicast ${r.text} longer-prefixes json`);
}

/**
 * Host routes of a `longer-prefixes` answer that a server announces: some valid path whose AS path is
 * one AS, repeated or not (a server's own path). A path through a spine carries the spines' and
 * another leaf's AS, so routes the leaf only learns back from the fabric are not its to manage.
 */
export function serverRoutes(json: unknown): string[] {
  const routes = (json as Json | null)?.routes;
  if (routes === undefined) return [];
  const out: string[] = [];
  for (const [prefix, paths] of Object.entries(object(routes, 'routes'))) {
    const own = list(paths, `routes["${prefix}"]`).some((raw, i) => {
      const p = object(raw, `routes["${prefix}"][${i}]`);
      if (p.valid !== true || typeof p.path !== 'string') return false;
      const asns = new Set(p.path.split(/\s+/).filter(Boolean));
      return asns.size === 1;
    });
    if (own) out.push(prefix);
  }
  return out;
}

/** Every configured host prefix plus the host routes found inside the ranges, at most MAX_PREFIXES. */
export function expandRanges(config: AgentConfig, found: readonly string[]): { config: AgentConfig; dropped: number } {
  const r = config.reloadable;
  if (r.ranges.length === 0) return { config, dropped: 0 };
  const hosts = new Map(r.prefixes.map((p) => [p.text, p]));
  for (const text of found) {
    const p = parsePrefix(text);
    if (isHostPrefix(p) && r.ranges.some((range) => prefixContains(range, p))) hosts.set(p.text, p);
  }
  const sorted = [...hosts.values()].sort((a, b) => a.text.localeCompare(b.text, 'en', { numeric: true }));
  const prefixes = sorted.slice(0, MAX_PREFIXES);
  const inRange = (server: readonly string[], p: Prefix) => server.includes(p.text) || r.ranges.some((range) => server.includes(range.text) && prefixContains(range, p));
  const servers = r.servers.map((s) => ({ ...s, prefixes: prefixes.filter((p) => inRange(s.prefixes, p)).map((p) => p.text) }));
  return { config: { ...config, reloadable: { ...r, prefixes, servers } }, dropped: sorted.length - prefixes.length };
}

/** One vtysh call for all ranges; the host routes their servers announce. */
export async function discoverInRanges(ranges: readonly Prefix[], frr: (commands: readonly string[]) => Promise<string>): Promise<string[]> {
  if (ranges.length === 0) return [];
  return splitJsonStream(await frr(rangeQueries(ranges))).flatMap(serverRoutes);
}

export interface RangeFollower {
  /** The agent's config as expanded now. */
  current(): AgentConfig;
  /** A new base config (SIGHUP): expanded with what was last found, then handed to the agent. */
  setBase(base: AgentConfig): Promise<void>;
  /** A kernel route event: re-discover when it is a host route inside a range the agent does not manage yet. */
  routeChanged(prefix: string): void;
  stop(): void;
}

interface FollowDeps {
  readonly frr: (commands: readonly string[]) => Promise<string>;
  /** Hand an expanded config to the agent (Agent.reload). */
  readonly apply: (config: AgentConfig) => Promise<void>;
  readonly warn: (obj: object, msg: string) => void;
  readonly info: (obj: object, msg: string) => void;
}

/** Discover once (FRR not answering yet: the configured hosts only), then follow on every resync. */
export async function followRanges(initial: AgentConfig, deps: FollowDeps): Promise<RangeFollower> {
  let base = initial;
  let found: string[] = [];
  let running: Promise<void> | null = null;
  const key = (c: AgentConfig) => c.reloadable.prefixes.map((p) => p.text).join(',');
  const expand = () => {
    const r = expandRanges(base, found);
    if (r.dropped) deps.warn({ event: 'ranges-truncated', dropped: r.dropped }, `${r.dropped} host routes inside the ranges are beyond the ${MAX_PREFIXES} managed prefixes and left alone`);
    return r.config;
  };
  const discover = async () => {
    try {
      found = await discoverInRanges(base.reloadable.ranges, deps.frr);
    } catch (err) {
      deps.warn({ event: 'ranges-failed', err: (err as Error).message }, `cannot list the routes inside the ranges, keeping the last set: ${(err as Error).message}`);
    }
  };
  await discover();
  let current = expand();
  const refresh = () => {
    running ??= (async () => {
      await discover();
      const next = expand();
      if (key(next) !== key(current)) {
        deps.info({ event: 'ranges-changed', prefixes: next.reloadable.prefixes.map((p) => p.text) }, `managed prefixes inside the ranges: ${next.reloadable.prefixes.length}`);
        current = next;
        await deps.apply(next);
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };
  // Always armed: a reload may bring ranges into a config that had none.
  const timer = setInterval(() => {
    if (base.reloadable.ranges.length) void refresh();
  }, initial.reloadable.resyncSeconds * 1000);
  timer.unref();
  return {
    current: () => current,
    async setBase(next) {
      base = next;
      await discover();
      current = expand();
      await deps.apply(current);
    },
    routeChanged(prefix) {
      if (current.reloadable.prefixes.some((p) => p.text === prefix)) return;
      let p: Prefix;
      try {
        p = parsePrefix(prefix);
      } catch {
        return;
      }
      if (base.reloadable.ranges.some((range) => prefixContains(range, p))) void refresh();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
