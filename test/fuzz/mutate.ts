/**
 * Mutations of recorded inputs, as fast-check arbitraries: the recorded FRR replies and fixtures are
 * what real systems print, so mutating them reaches deep into the parsers far more often than random
 * text would. JSON values: replaced by values of the wrong type, deleted, reordered, duplicated into
 * huge arrays or strings. Text: truncated, lines dropped, duplicated, swapped, characters changed.
 */
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Values of every JSON type, plus the edge values parsers trip over. */
const weird: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 4294967296, 1e308, -1e308, '', ' ', 'LB:65201:', 'LB:1:2:3', '65300 {65301}', [], {}, [null], { list: 'x' }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => "x".repeat(n)),
);

const op = fc.record({
  kind: fc.constantFrom('replace', 'delete', 'reorder', 'duplicate', 'rename'),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  value: weird,
  times: fc.integer({ min: 2, max: 3000 }),
  order: fc.integer(),
});

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Every container in the value, with the path to it (the root included). */
function containers(v: Json, out: (Json[] | { [k: string]: Json })[] = []): (Json[] | { [k: string]: Json })[] {
  if (v !== null && typeof v === 'object') {
    out.push(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) containers(child, out);
  }
  return out;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const a = [...items];
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) >>> 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function apply(root: Json, op: Op): Json {
  // fast-check hands out its constants (`[]`, `{}`) as one shared object: inserted uncloned, a later
  // push into that object can insert it into itself, and the cycle overflows the stack here.
  const o = { ...op, value: structuredClone(op.value) };
  const all = containers(root);
  const target = all[Math.floor(o.at * all.length)];
  if (target === undefined) return o.kind === 'replace' ? o.value : root;
  if (Array.isArray(target)) {
    const i = target.length ? (o.order >>> 0) % target.length : 0;
    if (o.kind === 'replace') target[i] = o.value;
    else if (o.kind === 'delete') target.splice(i, 1);
    else if (o.kind === 'reorder') target.splice(0, target.length, ...shuffled(target, o.order));
    else if (o.kind === 'duplicate' && target.length) {
      // Huge, but bounded (about 200 kB per operation): the point is size, not exhausting the heap.
      const item = target[i % target.length]!;
      const times = Math.min(o.times, Math.floor(2e5 / Math.max(1, JSON.stringify(item).length)));
      for (let k = 0; k < times; k++) target.push(structuredClone(item));
    }
    else target.push(o.value);
    return root;
  }
  const keys = Object.keys(target);
  const key = keys.length ? keys[(o.order >>> 0) % keys.length]! : 'x';
  if (o.kind === 'replace') target[key] = o.value;
  else if (o.kind === 'delete') delete target[key];
  else if (o.kind === 'reorder') {
    const entries = shuffled(Object.entries(target), o.order);
    for (const k of keys) delete target[k];
    for (const [k, v] of entries) target[k] = v;
  } else if (o.kind === 'duplicate' && typeof target[key] === 'string') {
    const text = target[key] as string;
    target[key] = text.repeat(Math.min(o.times, Math.floor(2e5 / Math.max(1, text.length))));
  }
  else if (o.kind === 'rename') {
    const v = target[key]!;
    delete target[key];
    target[typeof o.value === 'string' ? o.value : `${key}_`] = v;
  } else target[key] = o.value;
  return root;
}

/** A recorded JSON document with 1-4 structural mutations, as text. */
export function mutatedJson(recorded: readonly unknown[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...recorded), fc.array(op, { minLength: 1, maxLength: 4 }))
    .map(([doc, ops]) => JSON.stringify(ops.reduce<Json>((v, o) => apply(v, o), structuredClone(doc) as Json)));
}

const textOp = (maxRepeat: number) => fc.record({
  kind: fc.constantFrom('truncate', 'drop-line', 'dup-line', 'swap-lines', 'char', 'insert', 'repeat-block', 'indent'),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  at2: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\n', ' ', '-', '#', '!', '&a', '*a', '<<: ', '!!omap', '1e400', '.nan', 'permit', 'deny', '  ')),
  times: fc.integer({ min: 2, max: maxRepeat }),
});

type TextOp = ReturnType<typeof textOp> extends fc.Arbitrary<infer T> ? T : never;

function applyText(text: string, o: TextOp): string {
  const lines = text.split('\n');
  const li = Math.floor(o.at * lines.length);
  const lj = Math.floor(o.at2 * lines.length);
  const ci = Math.floor(o.at * text.length);
  switch (o.kind) {
    case 'truncate':
      return text.slice(0, ci);
    case 'drop-line':
      lines.splice(li, 1);
      return lines.join('\n');
    case 'dup-line':
      lines.splice(li, 0, lines[li] ?? '');
      return lines.join('\n');
    case 'swap-lines':
      [lines[li], lines[lj]] = [lines[lj]!, lines[li]!];
      return lines.join('\n');
    case 'char':
      return text.slice(0, ci) + o.text + text.slice(ci + 1);
    case 'insert':
      return text.slice(0, ci) + o.text + text.slice(ci);
    case 'repeat-block': {
      const [a, b] = li <= lj ? [li, lj] : [lj, li];
      const block = lines.slice(a, Math.min(b + 1, a + 8));
      for (let k = 0; k < o.times; k++) lines.splice(b + 1, 0, ...block);
      return lines.join('\n');
    }
    default:
      return text;
    case 'indent':
      lines[li] = `${o.text.replace(/\S/g, ' ')}  ${lines[li] ?? ''}`;
      return lines.join('\n');
  }
}

/**
 * Recorded text with 1-4 line or character mutations. `maxRepeat` bounds how often a block may be
 * repeated (huge inputs): YAML costs about 0.1 ms a line, so its fuzzing keeps documents small.
 */
export function mutatedText(recorded: readonly string[], maxRepeat = 2000): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...recorded), fc.array(textOp(maxRepeat), { minLength: 1, maxLength: 4 })).map(([doc, ops]) => ops.reduce(applyText, doc));
}
