/**
 * Benchmark runner: `npm run bench [-- FILTER...] [--markdown]`.
 *
 * Every `bench/*.bench.ts` exports `benchmarks: Benchmark[]`. Each case runs in its own Node
 * process, so its peak memory (maxRSS) is its own and one case's garbage does not slow the next.
 * Cases print their result as one JSON line; this runner collects and tabulates them. Add a file
 * with that export to add benchmarks; nothing here needs to change.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  /** Runs in a fresh process; returns named figures (numbers are printed as they are). */
  run(): Promise<Record<string, number | string>> | Record<string, number | string>;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();

async function load(file: string): Promise<Benchmark[]> {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { benchmarks?: Benchmark[] };
  return mod.benchmarks ?? [];
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  // One case, in this process: print its figures and the process's peak RSS.
  const [, file, name] = args;
  const bench = (await load(file!)).find((b) => b.name === name);
  if (!bench) throw new Error(`No benchmark ${name} in ${file}`);
  const figures = await bench.run();
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ...figures, peakRssMiB: Math.round(peakMiB) })}\n`);
} else {
  const markdown = args.includes('--markdown');
  const filters = args.filter((a) => !a.startsWith('--'));
  const cpu = cpus();
  process.stderr.write(`machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}), Node ${process.version}\n`);
  let failed = false;
  for (const file of files) {
    for (const bench of await load(file)) {
      if (filters.length && !filters.some((f) => bench.name.includes(f))) continue;
      process.stderr.write(`running ${bench.name}: ${bench.description}\n`);
      const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file, bench.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
      const line = child.stdout.trim().split('\n').pop() ?? '';
      if (child.status !== 0 || !line.startsWith('{')) {
        failed = true;
        process.stderr.write(`  ${bench.name} failed (exit ${child.status})\n`);
        continue;
      }
      const figures = JSON.parse(line) as Record<string, number | string>;
      if (markdown) {
        const keys = Object.keys(figures);
        process.stdout.write(`\n### ${bench.name}\n${bench.description}\n\n| ${keys.join(' | ')} |\n|${keys.map(() => '---').join('|')}|\n| ${keys.map((k) => String(figures[k])).join(' | ')} |\n`);
      } else {
        process.stdout.write(`${bench.name}\n${Object.entries(figures).map(([k, v]) => `  ${k.padEnd(28)} ${v}`).join('\n')}\n`);
      }
    }
  }
  process.exitCode = failed ? 1 : 0;
}
