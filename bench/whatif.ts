/**
 * `ballast whatif` on the 24,576-server generated fabric, whole processes of the production build
 * (bin/ballast): wall and CPU time, peak RSS and bytes written, per output mode. The load average
 * is read before each run (the machine is shared). Results: bench/whatif.md.
 *
 *   npm run build && npx tsx bench/whatif.ts [runs] [--baseline DIST/main.js]
 *
 * `--baseline` runs another build's main.js (for example main before issue 12) on the JSON case.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const baseline = args.includes('--baseline') ? args[args.indexOf('--baseline') + 1] : undefined;
const dir = '/tmp/ballast-bench';
mkdirSync(dir, { recursive: true });

/** The fabric of issues 12 and 16, and one whose prefixes each have their own servers (no shared evaluation). */
const fabrics = [
  { file: `${dir}/gen-64x512x48-s7.yaml`, gen: ['--spines', '64', '--leaves', '512', '--servers-per-leaf', '48', '--prefixes', '16', '--seed', '7'] },
  { file: `${dir}/gen-64x512x48-s7-pps8.yaml`, gen: ['--spines', '64', '--leaves', '512', '--servers-per-leaf', '48', '--prefixes', '16', '--seed', '7', '--prefixes-per-server', '8'] },
];
for (const f of fabrics) if (!existsSync(f.file)) writeFileSync(f.file, execFileSync(process.execPath, ['bin/ballast', 'fixture', 'generate', ...f.gen], { maxBuffer: 1 << 28 }));

const [big, distinct] = fabrics.map((f) => f.file) as [string, string];
const cases: [string, string, string[]][] = [
  ['default text', 'bin/ballast', ['whatif', big]],
  ['**default --json**', 'bin/ballast', ['whatif', big, '--json']],
  ['--json, one link and 7 servers failed', 'bin/ballast', ['whatif', big, '--json', '--fail', 'leaf002/spine01,server00002,server00003,server00004,server00005,server00006,server00007,server00008']],
  ['--json --servers overloaded', 'bin/ballast', ['whatif', big, '--json', '--servers', 'overloaded']],
  ['--json, 8 of 16 prefixes per server (16 evaluations each)', 'bin/ballast', ['whatif', distinct, '--json']],
  ['--json --servers all (every row, streamed)', 'bin/ballast', ['whatif', big, '--json', '--servers', 'all']],
];
if (baseline) cases.push(['baseline build, --json (every row, one string)', baseline, ['whatif', big, '--json']]);

interface Run { wall: number; cpu: number; rss: number; bytes: number; load: number }
const results = new Map<string, Run[]>(cases.map(([name]) => [name, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, main, argv] of cases) {
    if (name.startsWith('baseline') && i > 0) continue; // 20-40 s a run: once is enough
    const load = loadavg()[0]!;
    const timeFile = `${dir}/whatif-time.txt`;
    const quoted = [process.execPath, main, ...argv].map((a) => `'${a}'`).join(' ');
    const t0 = performance.now();
    const r = spawnSync('sh', ['-c', `/usr/bin/time -f '%U %S %M' -o ${timeFile} ${quoted} | wc -c`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const wall = (performance.now() - t0) / 1000;
    const [user, sys, rss] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
    results.get(name)!.push({ wall, cpu: user + sys, rss: rss / 1024, bytes: Number(r.stdout.trim()), load });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[], d = 2) => `${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)}`;
console.log(`runs: ${runs}; node ${process.version}\n`);
console.log('| case | wall, median (range) | CPU user+sys, median (range) | peak RSS | output | load average (1 min) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, rs] of results) {
  const w = rs.map((r) => r.wall);
  const c = rs.map((r) => r.cpu);
  const mb = median(rs.map((r) => r.bytes)) / 1e6;
  console.log(`| ${name} | ${median(w).toFixed(2)} s (${range(w)}) | ${median(c).toFixed(2)} s (${range(c)}) | ${Math.max(...rs.map((r) => r.rss)).toFixed(0)} MiB | ${mb >= 1 ? mb.toFixed(1) + ' MB' : (mb * 1000).toFixed(0) + ' kB'} | ${range(rs.map((r) => r.load), 1)} |`);
}
