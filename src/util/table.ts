// Plain-text table and name-run helpers shared by the what-if, plan and API reports.

/** server02,server03,...,server08 -> server02..server08 when they form a run. */
export function compactNames(names: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < names.length) {
    const m = /^(.*?)(\d+)$/.exec(names[i]!);
    let j = i;
    if (m) {
      const [, stem, digits] = m;
      while (j + 1 < names.length) {
        const n = /^(.*?)(\d+)$/.exec(names[j + 1]!);
        if (!n || n[1] !== stem || n[2]!.length !== digits!.length || Number(n[2]) !== Number(digits) + (j + 1 - i)) break;
        j++;
      }
    }
    out.push(j - i >= 2 ? `${names[i]}..${names[j]}` : names.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return out.join(',');
}

/** A left-aligned table; widths ignore ANSI escapes so colours do not break alignment. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  // A loop, not Math.max(...rows): a report of 100k servers would overflow the argument stack.
  const widths = header.map((h) => visible(h));
  for (const r of rows) r.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, visible(cell))));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : cell + ' '.repeat(widths[c]! - visible(cell)))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
