/**
 * A fast reader for the plain subset of YAML that fixtures are written in (block mappings and
 * sequences, one-line flow collections, plain and simple quoted scalars, comments) into light nodes
 * shaped like the library's, without source positions. The `yaml` library takes about
 * 0.7 s for a 1 MiB generated fixture; this takes a few tens of milliseconds.
 *
 * It never guesses: anything outside the subset (anchors, tags, block scalars, multi-line scalars,
 * escapes, tabs, duplicate keys, a flow collection over several lines, ...) returns `undefined`, and
 * the caller uses the library. A property test holds it to the library on everything it accepts.
 */
import { MAX_YAML_DEPTH } from './yaml-limits.js';

/**
 * The reader's nodes: plain classes shaped like the library's (items, key, value), without its
 * per-node bookkeeping, which costs more than the parsing itself at this size.
 */
export class FastScalar {
  readonly value: unknown;
  /** The text as written, for keys (duplicate checks). */
  readonly written: string;
  constructor(value: unknown, written = '') {
    this.value = value;
    this.written = written;
  }
}
export class FastPair {
  readonly key: FastScalar;
  readonly value: FastNode;
  constructor(key: FastScalar, value: FastNode) {
    this.key = key;
    this.value = value;
  }
}
export class FastMap {
  readonly items: FastPair[] = [];
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.items.map((p) => [String(p.key.value), toJSON(p.value)]));
  }
}
export class FastSeq {
  readonly items: FastNode[] = [];
  toJSON(): unknown[] {
    return this.items.map(toJSON);
  }
}
export type FastNode = FastMap | FastSeq | FastScalar;

function toJSON(n: FastNode): unknown {
  return n instanceof FastScalar ? n.value : n.toJSON();
}

/** Told every few thousand list items how many of the text's content lines are read (progress). */
export type LinesRead = (done: number, total: number) => void;

/** Thrown inside the reader to give up on the subset; never escapes `parseYamlFast`. */
class NotInSubset extends Error {}
const OUT = new NotInSubset();

/** The parsed root (null for an empty document), or undefined when the text is not in the subset. */
export function parseYamlFast(text: string, onLines?: LinesRead): FastNode | null | undefined {
  // CR, tabs, a byte-order mark or backslashes anywhere: leave the whole text to the library.
  if (/[\r\t\ufeff\\]/.test(text)) return undefined;
  try {
    return new Reader(text, onLines).document();
  } catch (err) {
    if (err === OUT) return undefined;
    throw err;
  }
}

/**
 * Nesting kept to what the limits allow (block levels, and flow levels on a line), so a hostile
 * text cannot run the reader out of stack: deeper goes to the library path, which checks the
 * limits first (yaml-limits.ts) and reports it.
 */
const MAX_DEPTH = MAX_YAML_DEPTH;

const NUMBER = /^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
/** Keys as fixtures write them. */
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A plain scalar's value under the YAML 1.2 core schema; words the subset leaves alone give up. */
function plain(s: string): FastScalar {
  const c = s.charCodeAt(0);
  // Names (server00001, leaf001, frr8): a letter other than n, t, f (null, true, false) starts a string.
  if (((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) && c !== 110 && c !== 78 && c !== 116 && c !== 84 && c !== 102 && c !== 70) return new FastScalar(s);
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return new FastScalar(null);
  if (s === 'true' || s === 'True' || s === 'TRUE') return new FastScalar(true);
  if (s === 'false' || s === 'False' || s === 'FALSE') return new FastScalar(false);
  if (NUMBER.test(s)) {
    // Long digit strings: whether the library rounds them as Number does is not worth betting on.
    if (s.length > 15) throw OUT;
    return new FastScalar(Number(s));
  }
  // .inf, .nan, 0x1F, 0o17 and anything else that starts like a number: the library's business.
  if (c === 46 /* . */ || (c >= 48 && c <= 57) || c === 43 /* + */ || c === 45 /* - */) {
    if (/^[-+]?(?:\.|0[xo])/i.test(s) || /^[-+]?[0-9.]+[eE]/.test(s)) throw OUT;
  }
  return new FastScalar(s);
}

/** A key: KEY-shaped, so a string unless it is one of the core schema's words (null, true, ...). */
function plainKey(key: string): FastScalar {
  const c = key.charCodeAt(0);
  // Only n/N, t/T, f/F can start null, true or false; every other KEY-shaped text is a string.
  const value = c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 ? plain(key).value : key;
  return new FastScalar(value, key);
}

class Reader {
  private readonly text: string;
  /** Content lines: indentation, start of content and end of line (exclusive), in order. */
  private readonly indent: number[] = [];
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  private line = 0;
  /** Where the last flow collection or flow entry ended (see flow). */
  private flowEnd = 0;
  /** Block levels open (each is a few stack frames): a deeper text is the library's, after checkYamlLimits. */
  private depth = 0;
  private readonly keys = new Map<string, FastScalar>();
  private readonly onLines: LinesRead | undefined;
  private items = 0;

  constructor(text: string, onLines?: LinesRead) {
    this.text = text;
    this.onLines = onLines;
    let at = 0;
    while (at <= text.length) {
      let nl = text.indexOf('\n', at);
      if (nl < 0) nl = text.length;
      let i = at;
      while (i < nl && text.charCodeAt(i) === 32) i++;
      // Blank and comment-only lines carry nothing.
      if (i < nl && text.charCodeAt(i) !== 35 /* # */) {
        this.indent.push(i - at);
        this.start.push(i);
        this.end.push(nl);
      }
      at = nl + 1;
    }
  }

  document(): FastNode | null {
    if (this.indent.length === 0) return null;
    const first = this.text.slice(this.start[0]!, this.start[0]! + 3);
    if (first === '---' || first === '...' || this.text.charCodeAt(this.start[0]!) === 37 /* % */) throw OUT;
    if (this.indent[0] !== 0) throw OUT;
    const root = this.block(0);
    if (this.line !== this.indent.length) throw OUT;
    return root;
  }

  /** A block collection whose first line is the current one, at column `col`. */
  private block(col: number): FastNode {
    if (++this.depth > MAX_DEPTH) throw OUT;
    const s = this.start[this.line]!;
    const node = this.isDash(s) ? this.seq(col) : this.map(col, s);
    this.depth--;
    return node;
  }

  private isDash(at: number): boolean {
    if (this.text.charCodeAt(at) !== 45 /* - */) return false;
    const next = this.text.charCodeAt(at + 1);
    return next === 32 || at + 1 >= this.end[this.line]!;
  }

  /** A block mapping at column `col`; its first key starts at `at` on the current line. */
  private map(col: number, at: number): FastMap {
    const map = new FastMap();
    for (;;) {
      const end = this.end[this.line]!;
      const colon = this.keyEnd(at, end);
      if (colon < 0) throw OUT;
      const key = this.key(this.text.slice(at, colon));
      if (hasKey(map, key.written)) throw OUT;
      const value = this.valueAfter(colon + 1, end, col, true);
      map.items.push(new FastPair(key, value));
      if (this.line >= this.indent.length) break;
      const ind = this.indent[this.line]!;
      if (ind < col) break;
      if (ind > col) throw OUT;
      at = this.start[this.line]!;
      if (this.isDash(at)) break;
    }
    return map;
  }

  /** Where `key:` ends (the colon), when the line at `at` starts with a plain key and ": " or ":" at the end. */
  private keyEnd(at: number, end: number): number {
    const t = this.text;
    let i = at;
    while (i < end && t.charCodeAt(i) !== 58 /* : */ && t.charCodeAt(i) !== 32) i++;
    if (i >= end || t.charCodeAt(i) !== 58) return -1;
    if (i + 1 < end && t.charCodeAt(i + 1) !== 32) return -1;
    return KEY.test(t.slice(at, i)) ? i : -1;
  }

  /**
   * The value of a mapping key (`isKey`) or sequence item that starts at `at` on the current line
   * (owned by a node at column `col`); moves past every line it takes.
   */
  private valueAfter(at: number, end: number, col: number, isKey = false): FastNode {
    const t = this.text;
    while (at < end && t.charCodeAt(at) === 32) at++;
    if (at >= end || (t.charCodeAt(at) === 35 && t.charCodeAt(at - 1) === 32)) {
      // Nothing on this line: a nested block, a sequence at the same column (`key:\n- a`), or null.
      this.line++;
      if (this.line < this.indent.length) {
        const ind = this.indent[this.line]!;
        if (ind > col) return this.block(ind);
        if (isKey && ind === col && this.isDash(this.start[this.line]!)) return this.seq(col);
      }
      return new FastScalar(null);
    }
    let node: FastNode;
    const c = t.charCodeAt(at);
    let after: number;
    if (c === 91 /* [ */ || c === 123 /* { */) {
      node = this.flow(at, end, 0);
      after = this.flowEnd;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      const close = t.indexOf(String.fromCharCode(c), at + 1);
      if (close < 0 || close >= end) throw OUT;
      // '' inside single quotes is an escaped quote: not in the subset.
      if (c === 39 && t.charCodeAt(close + 1) === 39) throw OUT;
      node = new FastScalar(t.slice(at + 1, close));
      after = close + 1;
    } else {
      if (!plainStart(c, t.charCodeAt(at + 1))) throw OUT;
      let i = at;
      while (i < end && !(t.charCodeAt(i) === 35 && t.charCodeAt(i - 1) === 32)) i++;
      let j = i;
      while (j > at && t.charCodeAt(j - 1) === 32) j--;
      const s = t.slice(at, j);
      // `a: b: c`, a trailing colon, quotes inside: the library's business.
      if (s.includes(': ') || s.endsWith(':') || s.includes('"') || s.includes("'")) throw OUT;
      node = plain(s);
      after = i;
    }
    while (after < end && t.charCodeAt(after) === 32) after++;
    if (after < end && !(t.charCodeAt(after) === 35 && t.charCodeAt(after - 1) === 32)) throw OUT;
    this.line++;
    // A more indented line right after a scalar would continue it (a multi-line scalar).
    if (this.line < this.indent.length && this.indent[this.line]! > col) throw OUT;
    return node;
  }

  /** A block sequence at column `col`, from the current line. */
  private seq(col: number): FastSeq {
    const seq = new FastSeq();
    const t = this.text;
    while (this.line < this.indent.length && this.indent[this.line] === col) {
      const s = this.start[this.line]!;
      if (!this.isDash(s)) break;
      const end = this.end[this.line]!;
      if (this.onLines && (++this.items & 4095) === 0) this.onLines(this.line, this.indent.length);
      let at = s + 1;
      while (at < end && t.charCodeAt(at) === 32) at++;
      if (at < end && this.keyEnd(at, end) >= 0) {
        // `- key: value` opens a mapping at the key's column; its next keys line up under it.
        const itemCol = col + (at - s);
        seq.items.push(this.map(itemCol, at));
      } else if (at < end && this.isDashAt(at, end)) {
        throw OUT;
      } else {
        seq.items.push(this.valueAfter(at, end, col));
      }
    }
    return seq;
  }

  private isDashAt(at: number, end: number): boolean {
    return this.text.charCodeAt(at) === 45 && (at + 1 >= end || this.text.charCodeAt(at + 1) === 32);
  }

  /**
   * A flow collection that opens at `at` and closes on the same line; returns the node and leaves
   * where it ends in `flowEnd` (no result object per collection: 24,576 of them in a big fixture).
   */
  private flow(at: number, end: number, depth: number): FastNode {
    if (depth > MAX_DEPTH) throw OUT;
    const t = this.text;
    const isMap = t.charCodeAt(at) === 123;
    const close = isMap ? 125 : 93;
    const map = isMap ? new FastMap() : undefined;
    const seq = isMap ? undefined : new FastSeq();
    let i = at + 1;
    while (i < end && t.charCodeAt(i) === 32) i++;
    if (t.charCodeAt(i) === close) {
      this.flowEnd = i + 1;
      return map ?? seq!;
    }
    for (;;) {
      while (i < end && t.charCodeAt(i) === 32) i++;
      if (i >= end) throw OUT;
      if (map) {
        let k = i;
        while (k < end && t.charCodeAt(k) !== 58 && t.charCodeAt(k) !== 44 && t.charCodeAt(k) !== close && t.charCodeAt(k) !== 32) k++;
        if (t.charCodeAt(k) !== 58 || t.charCodeAt(k + 1) !== 32) throw OUT;
        const key = this.key(t.slice(i, k));
        if (hasKey(map, key.written)) throw OUT;
        i = k + 1;
        while (i < end && t.charCodeAt(i) === 32) i++;
        map.items.push(new FastPair(key, this.flowValue(i, end, close, depth)));
      } else {
        seq!.items.push(this.flowValue(i, end, close, depth));
      }
      i = this.flowEnd;
      while (i < end && t.charCodeAt(i) === 32) i++;
      const c = t.charCodeAt(i);
      if (c === close) {
        this.flowEnd = i + 1;
        return map ?? seq!;
      }
      if (c !== 44 /* , */) throw OUT;
      i++;
      while (i < end && t.charCodeAt(i) === 32) i++;
      // A trailing comma, or an empty entry: leave it to the library.
      if (t.charCodeAt(i) === close || t.charCodeAt(i) === 44) throw OUT;
    }
  }

  /** One entry of a flow collection from `at`; where it ends goes to `flowEnd`. */
  private flowValue(at: number, end: number, close: number, depth: number): FastNode {
    const t = this.text;
    const c = t.charCodeAt(at);
    if (c === 91 || c === 123) return this.flow(at, end, depth + 1);
    if (c === 34 || c === 39) {
      const q = t.indexOf(c === 34 ? '"' : "'", at + 1);
      if (q < 0 || q >= end || (c === 39 && t.charCodeAt(q + 1) === 39)) throw OUT;
      this.flowEnd = q + 1;
      return new FastScalar(t.slice(at + 1, q));
    }
    // An empty value before the comma or brace: null, as in `{ a: , b: 1 }`; leave that to the library.
    if (c === 44 || c === close) throw OUT;
    if (!plainStart(c, t.charCodeAt(at + 1))) throw OUT;
    let i = at;
    for (; i < end; i++) {
      const x = t.charCodeAt(i);
      if (x === 44 || x === 91 || x === 93 || x === 123 || x === 125) break;
      if (x === 35 && t.charCodeAt(i - 1) === 32) throw OUT;
      if (x === 58) {
        const n = t.charCodeAt(i + 1);
        if (n === 32 || n === 44 || n === 93 || n === 125 || i + 1 >= end) throw OUT;
      }
      if (x === 34 || x === 39) throw OUT;
    }
    let j = i;
    while (j > at && t.charCodeAt(j - 1) === 32) j--;
    this.flowEnd = i;
    return plain(t.slice(at, j));
  }

  /** A key's scalar, one per distinct key text (immutable, so the document's 25,000 `name:` share one). */
  private key(text: string): FastScalar {
    let k = this.keys.get(text);
    if (k === undefined) {
      if (!KEY.test(text)) throw OUT;
      this.keys.set(text, (k = plainKey(text)));
    }
    return k;
  }
}

/** Duplicate keys are the library's to report. Keys are compared as written: all plain, KEY-shaped. */
function hasKey(map: FastMap, key: string): boolean {
  for (const p of map.items) if (p.key.written === key) return true;
  return false;
}

/** Whether a plain scalar may start with this character (YAML's indicators may not, with few exceptions). */
function plainStart(c: number, next: number): boolean {
  // - ? : start a plain scalar only when followed by a non-space; keep to "-" (negative numbers, names).
  if (c === 45) return next !== 32 && !Number.isNaN(next);
  // , [ ] { } # & * ! | > ' " % @ ` and ? :
  return !'?:,[]{}#&*!|>\'"%@`'.includes(String.fromCharCode(c));
}
