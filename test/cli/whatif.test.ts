import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/** Run the real `ballast` bin as a user would after `npm ci`. */
function ballast(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/ballast.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SEVEN = 'server02,server03,server04,server05,server06,server07,server08';

test('whatif on the warning scenario: exit 0, the imbalance and the fix side by side', () => {
  const r = ballast(['whatif', 'fixtures/warning.yaml', '--fail', SEVEN]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ecmp\s+250\.0% !\s+6\.25/m);
  assert.match(r.stdout, /^num-multipaths\s+40\.0%\s+1\.00/m);
  assert.match(r.stdout, /^ballast\s+40\.0%\s+1\.00\s.*within the FRR 7\.4-9\.1 quantization bound/m);
  assert.match(r.stdout, /server02\.\.server08\s+leaf01\s+failed/);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'NO_COLOR honoured');
});

test('--json has the stable schema', () => {
  const r = ballast(['whatif', 'fixtures/warning.yaml', '--fail', SEVEN, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.schemaVersion, 2);
  const p = j.prefixes[0];
  assert.equal(p.prefix, '172.20.0.1/32');
  assert.deepEqual(p.strategies.map((s: { name: string }) => s.name), ['ecmp', 'num-multipaths', 'ballast']);
  for (const s of p.strategies) {
    for (const key of ['maxUtilization', 'maxOverIdeal', 'jain', 'safeLoad']) assert.equal(typeof s[key], 'number', key);
    for (const srv of s.servers) for (const key of ['name', 'leaf', 'capacity', 'share', 'load', 'utilization']) assert.ok(key in srv, key);
  }
  assert.equal(p.strategies[0].maxOverIdeal, 6.25);
});

test('exit 1 when a server is overloaded under ballast', () => {
  const r = ballast(['whatif', 'fixtures/heterogeneous.yaml', '--fail', 'server05']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Overload under ballast/);
});

test('--strategy narrows the view and decides the exit code when ballast is not shown', () => {
  const r = ballast(['whatif', 'fixtures/warning.yaml', '--fail', SEVEN, '--strategy', 'ecmp']);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stdout, /num-multipaths/);
});

test('--load overrides the offered load', () => {
  const r = ballast(['whatif', 'fixtures/warning.yaml', '--fail', SEVEN, '--load', '40', '--json']);
  const ecmp = JSON.parse(r.stdout).prefixes[0].strategies[0];
  assert.equal(ecmp.maxUtilization, 1);
});

test('bad input: exit 2, file:line:col on stderr, no stack trace, nothing on stdout', () => {
  const r = ballast(['whatif', 'fixtures/bad/invalid-prefix.yaml']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^ballast: fixtures\/bad\/invalid-prefix\.yaml:10:15: Cannot parse prefix "172\.20\.0\.300\/32"/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('usage errors exit 2: unknown failure name, unknown strategy, missing file, bad --load', () => {
  assert.equal(ballast(['whatif', 'fixtures/warning.yaml', '--fail', 'nope']).code, 2);
  assert.equal(ballast(['whatif', 'fixtures/warning.yaml', '--strategy', 'magic']).code, 2);
  const missing = ballast(['whatif', 'fixtures/none.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Cannot read fixture "fixtures\/none\.yaml": ENOENT/);
  assert.equal(ballast(['whatif', 'fixtures/warning.yaml', '--load', '-3']).code, 2);
  const hex = ballast(['whatif', 'fixtures/warning.yaml', '--load', '0x10']);
  assert.equal(hex.code, 2, 'a hexadecimal --load is a typo, not 16');
  assert.match(hex.stderr, /Cannot use --load "0x10"/);
  assert.equal(ballast(['whatif']).code, 2);
});

test('a total outage is reported as one, with its own exit status 3', () => {
  const r = ballast(['whatif', 'fixtures/warning.yaml', '--fail', 'spine01,spine02']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /^ballast\s+outage !/m);
  assert.match(r.stdout, /Outage under ballast: 172\.20\.0\.1\/32 reaches no live server/);
  const j = JSON.parse(ballast(['whatif', 'fixtures/warning.yaml', '--fail', 'spine01,spine02', '--json']).stdout);
  assert.deepEqual(j.outage, ['172.20.0.1/32']);
  assert.equal(j.prefixes[0].strategies[2].outage, true);
});

test('rollout.yaml: the fleet as configured beside the whole fabric on each strategy, and it decides', () => {
  const r = ballast(['whatif', 'fixtures/rollout.yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^configured\s+83\.1%\s+1\.16\s.*as configured: 1 ballast, 1 num-multipaths, 1 ecmp/m);
  assert.match(r.stdout, /^leaf3 .*ecmp: no lb \(w 1\/0\/1\) 11\.4%/m);
  assert.match(r.stdout, /No server overloaded under configured/);
  const j = JSON.parse(ballast(['whatif', 'fixtures/rollout.yaml', '--json', '--strategy', 'ecmp,configured']).stdout);
  assert.equal(j.deciding, 'configured');
  assert.deepEqual(j.prefixes[0].strategies[1].leaves.map((l: { strategy: string }) => l.strategy), ['ballast', 'num-multipaths', 'ecmp']);
  assert.equal(ballast(['whatif', 'fixtures/warning.yaml', '--strategy', 'configured,nope']).code, 2);
});

test('--servers on the command line: top:N and overloaded, bad values exit 2', () => {
  const top = JSON.parse(ballast(['whatif', 'fixtures/warning.yaml', '--fail', SEVEN, '--json', '--servers', 'top:1']).stdout);
  assert.equal(top.servers, 'top:1');
  assert.deepEqual(top.prefixes[0].strategies[0].servers.map((s: { name: string }) => s.name), ['server01']); // the worst under every strategy
  const r = ballast(['whatif', 'fixtures/warning.yaml', '--fail', SEVEN, '--servers', 'overloaded']);
  assert.match(r.stdout, /the 1 overloaded of 32 servers/);
  assert.equal(ballast(['whatif', 'fixtures/warning.yaml', '--servers', 'top:0']).code, 2);
});
