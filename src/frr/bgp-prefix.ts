/**
 * `show bgp ipv4|ipv6 unicast PREFIX json` (FRR 8.4) -> the paths the agent counts. One vtysh call may
 * carry several of these commands; their outputs arrive back to back, split by splitJsonStream.
 * Shapes are checked field by field and fail with E_FRR_PARSE rather than guessing.
 */
import { BallastError } from '../util/errors.js';
import { shapeError as fail, object as obj, type Json } from './json-shape.js';

export interface BgpPath {
  /** The neighbor as configured: the interface for BGP unnumbered, else the peer address. */
  readonly neighbor: string;
  readonly hostname: string | null;
  readonly peerType: string | null;
  /** AS numbers of the AS path, in order (sets flattened). */
  readonly asPath: readonly number[];
  readonly valid: boolean;
  readonly best: boolean;
  /** In the multipath set: a lone best path carries no multipath flag, so best counts too. */
  readonly multipath: boolean;
  /**
   * Link-bandwidth in bytes per second, parsed from the raw number of `LB:AS:BYTES`, never from the
   * human text (which can be wrong). null when the path carries none.
   */
  readonly bandwidthBytes: number | null;
  /** The path's next-hop addresses (global and link-local), to match zebra's next hops to peers. */
  readonly nexthopIps: readonly string[];
}

export interface BgpPrefix {
  /** null when FRR knows no such prefix (it prints `{}`). */
  readonly prefix: string | null;
  readonly paths: readonly BgpPath[];
}

export function parseBgpPrefix(json: unknown): BgpPrefix {
  const root = obj(json, 'route');
  if (root.prefix === undefined && root.paths === undefined) return { prefix: null, paths: [] };
  if (typeof root.prefix !== 'string') fail('route.prefix', 'is not a string');
  if (!Array.isArray(root.paths)) fail('route.paths', 'is not a list');
  return { prefix: root.prefix, paths: root.paths.map((p, i) => parsePath(p, `route.paths[${i}]`)) };
}

function parsePath(raw: unknown, where: string): BgpPath {
  const p = obj(raw, where);
  const peer = obj(p.peer, `${where}.peer`);
  const iface = typeof peer.interface === 'string' ? peer.interface : null;
  const peerId = typeof peer.peerId === 'string' ? peer.peerId : null;
  const neighbor = iface ?? peerId;
  if (neighbor === null) fail(`${where}.peer`, 'has neither interface nor peerId');
  const best = typeof p.bestpath === 'object' && p.bestpath !== null && (p.bestpath as Json).overall === true;
  return {
    neighbor,
    hostname: typeof peer.hostname === 'string' ? peer.hostname : null,
    peerType: typeof peer.type === 'string' ? peer.type : null,
    asPath: parseAsPath(p.aspath, `${where}.aspath`),
    valid: p.valid === true,
    best,
    multipath: p.multipath === true || best,
    bandwidthBytes: parseLinkBandwidth(p.extendedCommunity, `${where}.extendedCommunity`),
    nexthopIps: Array.isArray(p.nexthops) ? p.nexthops.map((h, i) => obj(h, `${where}.nexthops[${i}]`).ip).filter((ip): ip is string => typeof ip === 'string') : [],
  };
}

function parseAsPath(raw: unknown, where: string): number[] {
  if (raw === undefined) return [];
  const a = obj(raw, where);
  if (!Array.isArray(a.segments)) {
    // A locally originated path prints an empty string and no segments.
    if (typeof a.string === 'string') return a.string.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
    fail(where, 'has no segments');
  }
  const out: number[] = [];
  a.segments.forEach((seg, i) => {
    const s = obj(seg, `${where}.segments[${i}]`);
    if (!Array.isArray(s.list)) fail(`${where}.segments[${i}].list`, 'is not a list');
    for (const n of s.list) {
      if (typeof n !== 'number') fail(`${where}.segments[${i}].list`, 'holds a non-number');
      out.push(n);
    }
  });
  return out;
}

/** `LB:65201:500000000 (4.000 Gbps)` -> 500000000; several communities are space separated. */
export function parseLinkBandwidth(raw: unknown, where = 'extendedCommunity'): number | null {
  if (raw === undefined) return null;
  const e = obj(raw, where);
  if (typeof e.string !== 'string') fail(`${where}.string`, 'is not a string');
  const m = /(?:^|\s)LB:(\d+(?:\.\d+)?):(\d+)/.exec(e.string);
  return m ? Number(m[2]) : null;
}

/**
 * Split the output of one vtysh call with several `... json` commands into the JSON values, in
 * order. FRR prints each value whole, so a brace count outside strings finds the boundaries.
 */
export function splitJsonStream(text: string): unknown[] {
  const { values, end } = scanJson(text, Infinity);
  if (end < text.length) throw new BallastError('E_FRR_PARSE', `Unexpected FRR output outside JSON: ${JSON.stringify(text.slice(end, end + 60))}`);
  return values;
}

/**
 * The first `count` JSON values of one vtysh call's output and the text after them: the answers of
 * `count` JSON commands followed by one text command (`show running-config`) in the same call.
 */
export function splitJsonThenText(text: string, count: number): { values: unknown[]; rest: string } {
  const { values, end } = splitJsonAt(text, 0, count);
  return { values, rest: text.slice(end) };
}

/**
 * `count` JSON values of `text` from offset `from` on (whitespace before and between them), and the
 * offset just after the last: what splitJsonThenText reads, for a caller that compares parts of the
 * text with an earlier answer before parsing them (agent/read-cache.ts).
 */
export function splitJsonAt(text: string, from: number, count: number): { values: unknown[]; end: number } {
  const { values, end } = scanJson(text, count, from);
  if (values.length < count) throw new BallastError('E_FRR_PARSE', `Expected ${count} JSON answers from vtysh, got ${values.length}`);
  return { values, end };
}

/**
 * A JSON string (escapes included) or one bracket. Scanning by this regex, not character by
 * character in JavaScript, keeps a 700 KB resync cheap also without the JIT (`--jitless`: 100 ms by
 * characters, 20 ms by regex, bench/agent.md); JSON.parse validates each value found.
 */
const TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|[{}[\]]/g;

/** Up to `limit` JSON values of `text` from `from` on (whitespace between them); `end`: where scanning stopped. */
function scanJson(text: string, limit: number, from = 0): { values: unknown[]; end: number } {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  // Where the text after the last value starts: only whitespace may stand between values.
  let gap = from;
  const token = new RegExp(TOKEN);
  token.lastIndex = from;
  for (let m: RegExpExecArray | null; (m = token.exec(text)) !== null; ) {
    const c = m[0];
    if (c.length > 1) continue;
    if (depth === 0) {
      const other = /\S/.exec(text.slice(gap, m.index));
      if (other) return { values: out, end: gap + other.index };
      if (c === '"' || c === '}' || c === ']') throw new BallastError('E_FRR_PARSE', c === '"' ? 'Unexpected FRR output: truncated JSON' : `Unexpected FRR output: unbalanced "${c}" at offset ${m.index}`);
    }
    if (c === '"') break; // an unterminated string: truncated
    if (c === '{' || c === '[') {
      if (depth === 0) start = m.index;
      depth++;
    } else if (--depth === 0) {
      const chunk = text.slice(start, m.index + 1);
      try {
        out.push(JSON.parse(chunk));
      } catch (err) {
        throw new BallastError('E_FRR_PARSE', `Cannot parse FRR JSON: ${chunk.slice(0, 80)}`, { cause: err });
      }
      gap = m.index + 1;
      if (out.length >= limit) return { values: out, end: gap };
    }
  }
  if (depth !== 0) throw new BallastError('E_FRR_PARSE', 'Unexpected FRR output: truncated JSON');
  const other = /\S/.exec(text.slice(gap));
  return { values: out, end: other ? gap + other.index : text.length };
}
