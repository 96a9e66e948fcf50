/**
 * Limits checked on YAML text before the `yaml` library sees it. The library recurses once per
 * nesting level (about 1000 levels overflow the stack, and positions are already wrong well before
 * that) and spends time and memory in proportion to the input, so a hostile or broken file must be
 * refused cheaply first: one pass over the text, no allocation per line.
 *
 * The depth is an estimate that never undercounts real nesting: block levels from indentation
 * (a `- ` item counts as one more level), plus open flow brackets outside quotes and comments.
 * Block scalars (`|`, `>`) are skipped, since their indentation is text, not structure.
 */
import { InputError, type SourcePosition } from './errors.js';

/** Fabrics of 1,000,000 servers in the generator's one-line style stay under this. */
export const MAX_YAML_BYTES = 64 * 1024 * 1024;
/** Every schema we read nests at most 6 levels; 64 leaves room for any sane layout. */
export const MAX_YAML_DEPTH = 64;

/** The size alone: what the fast reader needs checked first (it bounds its own nesting). */
export function checkYamlSize(text: string, file: string): void {
  if (text.length > MAX_YAML_BYTES) {
    throw new InputError('E_YAML_LIMIT', { file, line: 1, col: 1 }, `Cannot read ${text.length} characters of YAML: expected at most ${MAX_YAML_BYTES} (64 MiB)`);
  }
}

export function checkYamlLimits(text: string, file: string): void {
  checkYamlSize(text, file);
  const indents: number[] = [];
  let flow = 0;
  let line = 1;
  let i = 0;
  let blockScalarIndent = -1;
  while (i < text.length) {
    const end = lineEnd(text, i);
    let col = i;
    while (col < end && text.charCodeAt(col) === 32) col++;
    const indent = col - i;
    const blank = col === end || text[col] === '#';
    if (blockScalarIndent >= 0 && (blank || indent > blockScalarIndent)) {
      i = end + 1;
      line++;
      continue;
    }
    blockScalarIndent = -1;
    if (!blank) {
      if (flow === 0) {
        // Each `- ` opens one more level at its own column: `- - - a` nests three lists.
        let at = col;
        for (;;) {
          while (indents.length > 0 && indents[indents.length - 1]! >= at - i) indents.pop();
          indents.push(at - i);
          if (indents.length > MAX_YAML_DEPTH) tooDeep({ file, line, col: at - i + 1 });
          if (text[at] === '-' && text[at + 1] === ' ') {
            at += 2;
            while (at < end && text.charCodeAt(at) === 32) at++;
          } else break;
        }
      }
      const scan = scanLine(text, col, end, flow, indents.length, file, line, i);
      flow = scan.flow;
      if (scan.blockScalar) blockScalarIndent = indent;
    }
    i = end + 1;
    line++;
  }
}

function lineEnd(text: string, from: number): number {
  const n = text.indexOf('\n', from);
  return n < 0 ? text.length : n;
}

/** Flow brackets on one line, outside quotes and comments; whether the line opens a block scalar. */
function scanLine(text: string, from: number, end: number, flowIn: number, block: number, file: string, line: number, lineStart: number): { flow: number; blockScalar: boolean } {
  let flow = flowIn;
  let quoteChar = '';
  let last = '';
  for (let j = from; j < end; j++) {
    const c = text[j]!;
    if (quoteChar !== '') {
      if (c === quoteChar) quoteChar = '';
      continue;
    }
    if (c === '"' || c === "'") {
      if (last === '' || /[\s,[{:]/.test(last)) quoteChar = c;
    } else if (c === '#' && (last === '' || last === ' ' || last === '\t')) {
      break;
    } else if (c === '[' || c === '{') {
      flow++;
      if (block + flow > MAX_YAML_DEPTH) tooDeep({ file, line, col: j - lineStart + 1 });
    } else if ((c === ']' || c === '}') && flow > 0) {
      flow--;
    }
    if (c !== ' ' && c !== '\t') last = c;
    else last = ' ';
  }
  const tail = text.slice(Math.max(from, end - 4), end).trimEnd();
  return { flow, blockScalar: flow === 0 && quoteChar === '' && /(?:^|[\s:-])[|>][-+0-9]*$/.test(tail) };
}

function tooDeep(at: SourcePosition): never {
  throw new InputError('E_YAML_LIMIT', at, `Cannot read YAML nested more than ${MAX_YAML_DEPTH} levels deep: expected a flatter document`);
}
