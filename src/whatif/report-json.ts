/**
 * The what-if as JSON, written as it is produced: the header, then each prefix as soon as it is
 * evaluated, then the verdict. Nothing holds the whole document (430 MB for every server of a
 * 24,576-server fabric). Indented like JSON.stringify(x, null, 2) down to the rows; each server
 * and leaf row, and each list of plain values, is one compact line.
 */
import { verdict, withoutRows, type PrefixReport, type WhatifHeader, type WhatifVerdict } from './whatif.js';

/** Objects this deep (the report is 0, a server or leaf row 6) are written on one line. */
const ROW_DEPTH = 6;

export function writeWhatifJson(write: (chunk: string) => void, header: WhatifHeader, prefixes: Iterable<PrefixReport>): WhatifVerdict {
  const chunks = whatifJsonChunks(header, prefixes);
  for (;;) {
    const next = chunks.next();
    if (next.done) return next.value;
    write(next.value);
  }
}

/**
 * The same as pieces of text, for a writer that must wait between them: a pipe to a slower reader
 * fills, and pieces written without waiting queue up in memory (991 MiB for `--servers all`).
 */
export function* whatifJsonChunks(header: WhatifHeader, prefixes: Iterable<PrefixReport>): Generator<string, WhatifVerdict> {
  const seen: PrefixReport[] = [];
  let out = '{\n';
  for (const [key, value] of Object.entries(header)) out += `  ${JSON.stringify(key)}: ${pretty(value, 1)},\n`;
  out += '  "prefixes": [';
  let first = true;
  for (const p of prefixes) {
    yield `${out}${first ? '' : ','}\n    `;
    out = '';
    yield* emit(p, 2);
    first = false;
    // Only what the verdict needs stays: the rows of a prefix go as soon as it is written.
    seen.push(withoutRows(p));
  }
  const v = verdict(header.deciding, seen);
  yield `${out}${first ? '' : '\n  '}],\n  "overloaded": ${JSON.stringify(v.overloaded)},\n  "outage": ${JSON.stringify(v.outage)}\n}\n`;
  return v;
}

/**
 * JSON text of `value` at nesting `depth`: pretty above the rows, compact from them on. Compact
 * parts go through JSON.stringify, which writes Infinity and NaN as null, as toJson does.
 */
export function pretty(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object' || depth >= ROW_DEPTH) return JSON.stringify(value) ?? 'null';
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(value);
    if (depth + 1 === ROW_DEPTH && value.every(startsWithName)) return `[\n${pad}${rowLines(value, pad)}\n${end}]`;
    return `[\n${value.map((x) => pad + pretty(x, depth + 1)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pretty(v, depth + 1)}`).join(',\n')}\n${end}}`;
}

/** Rows per piece written: pieces stay small strings that the young generation collects at once. */
const ROWS_PER_WRITE = 256;

/**
 * pretty(), written piece by piece: with `--servers all` a prefix is 15 MB of rows, and building
 * it as one string left 1.1 GiB of dead strings for the old generation to collect some day.
 */
function* emit(value: unknown, depth: number): Generator<string> {
  if (value === null || typeof value !== 'object' || depth >= ROW_DEPTH - 1) {
    if (Array.isArray(value) && depth + 1 === ROW_DEPTH && value.length > ROWS_PER_WRITE && value.every(startsWithName)) {
      const pad = '  '.repeat(depth + 1);
      yield '[';
      for (let i = 0; i < value.length; i += ROWS_PER_WRITE) yield `${i ? ',' : ''}\n${pad}${rowLines(value.slice(i, i + ROWS_PER_WRITE), pad)}`;
      yield `\n${'  '.repeat(depth)}]`;
      return;
    }
    yield pretty(value, depth);
    return;
  }
  const pad = '  '.repeat(depth + 1);
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0 || (Array.isArray(value) && value.every((x) => x === null || typeof x !== 'object'))) {
    yield pretty(value, depth);
    return;
  }
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  yield open;
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i]!;
    yield `${i ? ',' : ''}\n${pad}${typeof k === 'string' ? `${JSON.stringify(k)}: ` : ''}`;
    yield* emit(v, depth + 1);
  }
  yield `\n${'  '.repeat(depth)}${close}`;
}

/**
 * Rows (servers, leaves: objects whose first key is `name`), one per line. One JSON.stringify of
 * the whole list is 2x faster than one per row and 4x faster than walking them here; the rows are
 * then split where one ends and the next begins. `},{"name":` occurs nowhere else: inside a JSON
 * string every `"` is escaped, and no row holds a list of objects.
 */
function rowLines(rows: readonly unknown[], pad: string): string {
  return JSON.stringify(rows).slice(1, -1).replaceAll('},{"name":', `},\n${pad}{"name":`);
}

function startsWithName(x: unknown): boolean {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  for (const key in x) return key === 'name';
  return false;
}
