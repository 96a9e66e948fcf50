/**
 * Start-up of `ballast whatif fixtures/warning.yaml` from the Debian package, beside `node -e 0` in
 * the same run (what node itself costs on this machine at this moment). The package is unpacked with
 * `dpkg-deb -x` and run through the same `exec node main.js` as /usr/bin/ballast. Runs interleave,
 * so load from other work hits every command alike. Results: bench/README.md ("Start-up").
 *
 *   npm run package && tsx bench/startup.ts [runs] [deb] [--quiet LOAD,SECONDS]
 *
 * The machine is shared: every round records the 1-minute load average, printed with the figures.
 * `--quiet 2,600` waits (up to 600 s) for a moment when the 1-minute load is below 2 before starting.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const quietAt = argv.indexOf('--quiet');
const [quietLoad, quietWait] = quietAt >= 0 ? argv.splice(quietAt, 2)[1]!.split(',').map(Number) : [Infinity, 0];
const runs = Number(argv[0] ?? 10);
const deb = argv[1] ?? join('dist/debian', readdirSync('dist/debian').find((f) => f.startsWith('ballast-common_'))!);
const load1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const waitFrom = Date.now();
while (load1() >= quietLoad! && Date.now() - waitFrom < quietWait! * 1000) execFileSync('sleep', ['5']);
const waited = Math.round((Date.now() - waitFrom) / 1000);
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
const loads: number[] = [];
for (let i = 0; i < runs; i++) {
  loads.push(load1());
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
loads.push(load1());
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`${new Date().toISOString()}: ${runs} interleaved runs each; 1-minute load average during the rounds ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)} (at the end ${load}; waited ${waited} s for quiet)\n`);
console.log('| command | wall median | min | max | CPU median (user+sys) |\n|---|---:|---:|---:|---:|');
for (const [name, xs] of times) {
  console.log(`| ${name} | ${(median(xs) / 1000).toFixed(3)} s | ${(Math.min(...xs) / 1000).toFixed(3)} s | ${(Math.max(...xs) / 1000).toFixed(3)} s | ${(median(cpu.get(name)!) / 1000).toFixed(2)} s |`);
}
