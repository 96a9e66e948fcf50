/**
 * A small typed reader over a `yaml` document that remembers where every value came from, so each
 * schema error names file, line and column. Shared by fixtures, the agent config and the health config.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as LibraryNode } from 'yaml';
import { InputError, quote, type ErrorCode, type SourcePosition } from './errors.js';
import { checkYamlLimits, checkYamlSize } from './yaml-limits.js';
import { FastMap, FastScalar, FastSeq, parseYamlFast, type FastNode, type LinesRead } from './yaml-fast.js';

/** A node from the `yaml` library (with source positions) or from the fast reader (without). */
export type Node = LibraryNode | FastNode;

/** Thrown when a fast (position-less) read needs a position: an error is being reported. */
class PositionsNeeded extends Error {}

export class YamlSource {
  readonly file: string;
  /** null for a fast read: no positions, which only an error report needs. */
  private readonly lines: LineCounter | null;
  constructor(file: string, lines: LineCounter | null) {
    this.file = file;
    this.lines = lines;
  }
  positionAt(offset: number): SourcePosition {
    if (!this.lines) throw new PositionsNeeded();
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }
  positionOf(node: Node | null | undefined): SourcePosition {
    return this.positionAt(rangeOf(node)?.[0] ?? 0);
  }
}

function rangeOf(node: Node | null | undefined): readonly number[] | undefined {
  return node && !(node instanceof FastMap || node instanceof FastSeq || node instanceof FastScalar) ? (node.range ?? undefined) : undefined;
}

const mapOf = (n: Node | null): { readonly items: readonly { readonly key: unknown; readonly value: unknown }[] } | null => (n instanceof FastMap || (n !== null && isMap(n)) ? n : null);
const seqOf = (n: Node | null): { readonly items: readonly unknown[] } | null => (n instanceof FastSeq || (n !== null && isSeq(n)) ? n : null);
const scalarOf = (n: unknown): { readonly value: unknown } | null => (n instanceof FastScalar || isScalar(n) ? n : null);

/**
 * Read YAML text with `read`, fast: the text goes through the fast reader when it is in its subset,
 * without positions. If that read fails for any reason (an error to report, which needs positions),
 * the text is read again through the `yaml` library, whose nodes know their positions, and whatever
 * that read returns or throws is the answer. So positions cost nothing unless an error is reported.
 */
export function readYaml<T>(text: string, file: string, read: (root: Cursor) => T, onLines?: LinesRead): T {
  // The depth limit is for the library's recursion; the fast reader bounds its own nesting.
  checkYamlSize(text, file);
  const fast = parseYamlFast(text, onLines);
  if (fast !== undefined) {
    try {
      return read(new Cursor(new YamlSource(file, null), fast, '', 0));
    } catch {
      // Fall through: the exact read reports it (or, should the readers disagree, is the answer).
    }
  }
  return read(parseYaml(text, file));
}

/** Parse YAML text into a cursor on its root; syntax errors and duplicate keys become InputErrors. */
export function parseYaml(text: string, file: string): Cursor {
  checkYamlLimits(text, file);
  return parseChecked(text, file);
}

/** parseYaml once the text is known to be within the limits. */
function parseChecked(text: string, file: string): Cursor {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  const source = new YamlSource(file, lines);
  const first = doc.errors[0];
  if (first) {
    const duplicate = first.code === 'DUPLICATE_KEY';
    const at = source.positionAt(first.pos[0]);
    const message = duplicate
      ? `Duplicate key ${quote(keyAt(text, first.pos[0]))}: each key may appear once in a mapping`
      : `Cannot parse YAML: ${first.message.split('\n')[0]}`;
    throw new InputError(duplicate ? 'E_YAML_DUPLICATE_KEY' : 'E_YAML_SYNTAX', at, message);
  }
  rejectIndirection(doc, source);
  return new Cursor(source, doc.contents as LibraryNode | null, '', doc.contents?.range?.[0] ?? 0);
}

/**
 * Aliases, explicit tags (`!!omap`, `!!set`) and merge keys (`<<`) change what a value is behind the
 * reader's back (an alias node is not the mapping it names); no schema of ours needs them, so they
 * are refused with their position instead of producing confusing type errors later.
 */
function rejectIndirection(doc: Document, source: YamlSource): void {
  visit(doc, {
    Alias(_key, node) {
      throw new InputError('E_YAML_UNSUPPORTED', source.positionOf(node), `Cannot use the alias *${node.source}: anchors and aliases are not supported, expected the value written out`);
    },
    Node(_key, node) {
      if (node.tag !== undefined && !isAlias(node)) {
        throw new InputError('E_YAML_UNSUPPORTED', source.positionOf(node), `Cannot use the tag ${quote(node.tag)}: explicit tags are not supported, expected a plain value, list or mapping`);
      }
    },
    Pair(_key, pair) {
      const k = pair.key;
      if (isScalar(k) && (typeof k.value === 'symbol' || k.value === '<<')) {
        throw new InputError('E_YAML_UNSUPPORTED', source.positionOf(k as LibraryNode), 'Cannot use the merge key "<<": merge keys are not supported, expected the keys written out');
      }
    },
  });
}

function keyAt(text: string, offset: number): string {
  const rest = text.slice(offset);
  const match = /^\s*["']?([^"':\n]+)/.exec(rest);
  return match?.[1]?.trim() ?? rest.slice(0, 20);
}

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** true: the minimum itself is not allowed (capacity > 0). */
  readonly exclusiveMin?: boolean;
  readonly integer?: boolean;
}

/** A position in the document plus the dotted path that led there (for messages). */
export class Cursor {
  readonly source: YamlSource;
  readonly node: Node | null;
  /** The path, or its parent and last step: built only when a message asks (25,000 servers x keys). */
  private pathText: string | undefined;
  private readonly parent: Cursor | undefined;
  private readonly step: string | number;
  private readonly fallbackOffset: number;

  /** `path` is the whole path (the root), or the parent cursor with `step` the key or index from it. */
  constructor(source: YamlSource, node: Node | null, path: string | Cursor, fallbackOffset: number, step: string | number = '') {
    this.source = source;
    this.node = node;
    if (typeof path === 'string') {
      this.pathText = path;
      this.parent = undefined;
    } else {
      this.parent = path;
    }
    this.step = step;
    this.fallbackOffset = fallbackOffset;
  }

  /** The dotted path that led here (`servers[3].capacity`), for messages. */
  get path(): string {
    if (this.pathText === undefined) {
      const up = this.parent!.path;
      this.pathText = typeof this.step === 'number' ? `${up}[${this.step}]` : up === '' ? this.step : `${up}.${this.step}`;
    }
    return this.pathText;
  }

  get position(): SourcePosition {
    return rangeOf(this.node) ? this.source.positionOf(this.node) : this.source.positionAt(this.fallbackOffset);
  }

  /** The plain JS value, for messages. */
  get value(): unknown {
    if (this.node === null) return null;
    const scalar = scalarOf(this.node);
    if (scalar) return scalar.value;
    return (this.node as { toJSON(): unknown }).toJSON();
  }

  fail(code: ErrorCode, message: string): never {
    throw new InputError(code, this.position, message);
  }

  private what(): string {
    return this.path === '' ? 'The document' : this.path;
  }

  isNull(): boolean {
    return this.node === null || scalarOf(this.node)?.value === null;
  }

  map(): MapReader {
    if (!mapOf(this.node)) this.fail('E_SCHEMA_TYPE', `${this.what()} is ${describe(this.value)}, expected a mapping`);
    return new MapReader(this);
  }

  list(): Cursor[] {
    const seq = seqOf(this.node);
    if (!seq) this.fail('E_SCHEMA_TYPE', `${this.what()} is ${describe(this.value)}, expected a list`);
    const at = rangeOf(this.node)?.[0] ?? 0;
    return seq.items.map((item, i) => new Cursor(this.source, item as Node, this, at, i));
  }

  /** A list, or a single item standing for a one-element list (`prefixes: 198.51.100.1/32`). */
  listOrOne(): Cursor[] {
    return seqOf(this.node) ? this.list() : [this];
  }

  string(): string {
    const v = this.value;
    if (typeof v !== 'string' || v === '') this.fail('E_SCHEMA_TYPE', `${this.what()} is ${describe(v)}, expected a non-empty string`);
    return v;
  }

  /** Names become config keys and vtysh words: keep them to a safe alphabet. */
  name(): string {
    const v = this.value;
    const text = typeof v === 'number' ? String(v) : v;
    if (typeof text !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(text)) {
      this.fail('E_SCHEMA_TYPE', `${this.what()} is ${describe(v)}, expected a name of letters, digits, "-", "_" or "." (at most 63)`);
    }
    return text;
  }

  boolean(): boolean {
    const v = this.value;
    if (typeof v !== 'boolean') this.fail('E_SCHEMA_TYPE', `${this.what()} is ${describe(v)}, expected true or false`);
    return v;
  }

  number(rule: NumberRule = {}): number {
    const v = this.value;
    if (typeof v === 'number' && !Number.isFinite(v)) {
      // .nan, .inf and 1e400 (which JavaScript reads as Infinity): name what was written.
      const written = isScalar(this.node) && typeof this.node.source === 'string' ? this.node.source : String(v);
      this.fail('E_SCHEMA_TYPE', `${this.what()} is ${written}, expected a finite number`);
    }
    if (typeof v !== 'number') this.fail('E_SCHEMA_TYPE', `${this.what()} is ${describe(v)}, expected a number`);
    if (rule.integer && !Number.isInteger(v)) this.fail('E_SCHEMA_TYPE', `${this.what()} is ${quote(v)}, expected a whole number`);
    const { min, max } = rule;
    if (min !== undefined && (v < min || (rule.exclusiveMin && v === min))) {
      this.fail('E_SCHEMA_RANGE', `${this.what()} is ${quote(v)}, expected a number ${rule.exclusiveMin ? 'above' : 'of at least'} ${min}${max !== undefined ? ` and at most ${max}` : ''}`);
    }
    if (max !== undefined && v > max) this.fail('E_SCHEMA_RANGE', `${this.what()} is ${quote(v)}, expected a number of at most ${max}`);
    return v;
  }

  oneOf<const T extends string>(choices: readonly T[]): T {
    const v = this.value;
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      this.fail('E_SCHEMA_ENUM', `${this.what()} is ${describe(v)}, expected one of ${choices.map((c) => `"${c}"`).join(', ')}`);
    }
    return v as T;
  }
}

/** Reads keys of one mapping; `done()` rejects keys nobody asked for (typos must not pass silently). */
export class MapReader {
  private readonly cursor: Cursor;
  /** Keys asked for (a handful per mapping: an array is cheaper than a Set for 25,000 of them). */
  private readonly seen: string[] = [];
  constructor(cursor: Cursor) {
    this.cursor = cursor;
  }

  get position(): SourcePosition {
    return this.cursor.position;
  }

  /** Keys this mapping may hold although nothing read them (defaults for an empty list). */
  allow(...keys: readonly string[]): this {
    for (const k of keys) if (!this.seen.includes(k)) this.seen.push(k);
    return this;
  }

  has(key: string): boolean {
    return this.find(key) !== undefined;
  }

  get(key: string): Cursor | undefined {
    if (!this.seen.includes(key)) this.seen.push(key);
    const pair = this.find(key);
    if (!pair) return undefined;
    const value = (pair.value ?? null) as Node | null;
    const at = rangeOf(pair.key as Node)?.[0] ?? 0;
    // An empty value reads as null whatever node holds it (`key:`, `key: ~`).
    const isNull = value === null || scalarOf(value)?.value === null;
    return new Cursor(this.cursor.source, isNull ? null : value, this.cursor, at, key);
  }

  require(key: string): Cursor {
    const c = this.get(key);
    if (!c || c.isNull()) {
      const where = this.cursor.path === '' ? 'the document' : this.cursor.path;
      this.cursor.fail('E_SCHEMA_MISSING', `Missing "${key}" in ${where}`);
    }
    return c;
  }

  done(): void {
    const node = mapOf(this.cursor.node);
    if (!node) return;
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (!this.seen.includes(key)) {
        const at = this.cursor.source.positionOf(pair.key as Node);
        const where = this.cursor.path === '' ? 'the document' : this.cursor.path;
        const known = [...this.seen].sort().map((k) => `"${k}"`).join(', ');
        const expected = known === '' ? 'expected no keys here' : `expected one of ${known}`;
        throw new InputError('E_SCHEMA_UNKNOWN_KEY', at, `Unknown key ${quote(key)} in ${where}, ${expected}`);
      }
    }
  }

  private find(key: string): { readonly key: unknown; readonly value: unknown } | undefined {
    const node = this.cursor.node;
    if (node instanceof FastMap) {
      // The fast reader's keys are plain scalars: compared without the library's type checks.
      for (const p of node.items) {
        const v = p.key.value;
        if ((typeof v === 'string' ? v : String(v)) === key) return p;
      }
      return undefined;
    }
    const map = mapOf(node);
    if (!map) return undefined;
    return map.items.find((p) => keyText(p.key) === key);
  }
}

function keyText(key: unknown): string {
  const scalar = scalarOf(key);
  return scalar ? String(scalar.value) : String(key);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return quote(v);
}
