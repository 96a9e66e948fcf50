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
  const seen: PrefixReport[] = [];
  let out = '{\n';
  for (const [key, value] of Object.entries(header)) out += `  ${JSON.stringify(key)}: ${pretty(value, 1)},\n`;
  out += '  "prefixes": [';
  let first = true;
  for (const p of prefixes) {
    out += `${first ? '' : ','}\n    ${pretty(p, 2)}`;
    first = false;
    write(out);
    out = '';
    // Only what the verdict needs stays: the rows of a prefix go as soon as it is written.
    seen.push(withoutRows(p));
  }
  const v = verdict(header.deciding, seen);
  out += `${first ? '' : '\n  '}],\n  "overloaded": ${JSON.stringify(v.overloaded)},\n  "outage": ${JSON.stringify(v.outage)}\n}\n`;
  write(out);
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
