/**
 * Start-up of `ballast whatif fixtures/warning.yaml` from the Debian package, beside `node -e 0` in
 * the same run (what node itself costs on this machine at this moment). The package is unpacked with
 * `dpkg-deb -x` and run through the same `exec node main.js` as /usr/bin/ballast. Runs interleave,
 * so load from other work hits every command alike. Results: bench/README.md ("Start-up").
 *
 *   npm run package && tsx bench/startup.ts [runs] [deb]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 10);
const deb = process.argv[3] ?? join('dist/debian', readdirSync('dist/debian').find((f) => f.startsWith('ballast-common_'))!);
const root = mkdtempSync(join(tmpdir(), 'ballast-startup-'));
execFileSync('dpkg-deb', ['-x', deb, root]);
const node = join(root, 'usr/lib/ballast/node');
const main = join(root, 'usr/lib/ballast/dist/main.js');
const fixture = join(root, 'usr/share/ballast/fixtures/warning.yaml');
const wrapper = (args: string[]) => ['sh', '-c', `exec ${node} ${main} "$@"`, 'ballast', ...args];

const commands: [string, string[]][] = [
  ['node -e 0 (the build machine\'s node)', [process.execPath, '-e', '0']],
  ['packaged node -e 0', [node, '-e', '0']],
  ['packaged ballast --version', wrapper(['--version'])],
  ['**packaged ballast whatif warning.yaml**', wrapper(['whatif', fixture])],
  ['checkout: bin/ballast (dist/, build machine\'s node)', [process.execPath, 'bin/ballast', 'whatif', 'fixtures/warning.yaml']],
  ['checkout: bin/ballast.js (sources through tsx)', [process.execPath, 'bin/ballast.js', 'whatif', 'fixtures/warning.yaml']],
];
const times = new Map<string, number[]>(commands.map(([name]) => [name, []]));
// CPU time (user + system, from /usr/bin/time) moves far less with other load than wall time does.
const cpu = new Map<string, number[]>(commands.map(([name]) => [name, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, [cmd, ...args]] of commands) {
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', cmd!, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
    times.get(name)!.push(ms);
    const [, u, sys] = /cpu (\S+) (\S+)\s*$/.exec(r.stderr) ?? [];
    cpu.get(name)!.push((Number(u) + Number(sys)) * 1000);
  }
}
rmSync(root, { recursive: true, force: true });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
console.log(`${runs} interleaved runs each, load average ${load}\n`);
console.log('| command | wall median | min | max | CPU median (user+sys) |\n|---|---:|---:|---:|---:|');
for (const [name, xs] of times) {
  console.log(`| ${name} | ${(median(xs) / 1000).toFixed(3)} s | ${(Math.min(...xs) / 1000).toFixed(3)} s | ${(Math.max(...xs) / 1000).toFixed(3)} s | ${(median(cpu.get(name)!) / 1000).toFixed(2)} s |`);
}
