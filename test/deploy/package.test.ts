/**
 * The Debian packages, built by `npm run package` and installed with `dpkg -i` into a fresh copy of
 * a debootstrap'd Debian 12 minbase chroot that has no Node.js (deploy/debian/bookworm-chroot.sh
 * caches the base; each run copies it). From the installed paths: --version, the what-if (same
 * output as from the checkout), config validation, completion, man pages, the units under
 * systemd-analyze verify, the installed agent's dry run against a lab leaf (run in the leaf's
 * namespace), then `dpkg -r` leaves nothing but the conffiles and `dpkg --purge` nothing at all.
 * Needs root, dpkg-deb, systemd-analyze and the cached chroot (or debootstrap to make it); CI sets
 * BALLAST_REQUIRE_PACKAGE=1, so there a missing piece fails instead of skipping.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadFixture } from '../../src/fabric/load.js';
import { agentConfigYaml } from '../../src/lab/agents.js';
import { labInstance, labSkip } from '../lab/harness.js';
import { listNetns } from '../../src/lab/netns.js';
import { VERSION } from '../../src/cli/version.js';

const BASE = '/var/cache/ballast-ci/bookworm-minbase';
const tools = ['dpkg-deb', 'systemd-analyze', 'chroot'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const why = process.getuid?.() !== 0 ? 'not root' : tools.length ? `missing ${tools.join(', ')}` : !existsSync(join(BASE, '.ballast-complete')) && spawnSync('sh', ['-c', 'command -v debootstrap']).status !== 0 ? `no ${BASE} and no debootstrap` : null;
if (why && process.env.BALLAST_REQUIRE_PACKAGE === '1') throw new Error(`package test required (BALLAST_REQUIRE_PACKAGE=1) but ${why}`);
const skip = why ? `package test skipped: ${why}` : false;
// Awaited before any test is declared (an await between tests lets the root's after() run early).
// The lab part (about 20 s: a one-spine, one-leaf lab) runs wherever the lab can; CI requires it.
const labSkipped = skip || (await labSkip());
if (labSkipped && !skip && process.env.BALLAST_REQUIRE_PACKAGE === '1') throw new Error(`package test's lab part required (BALLAST_REQUIRE_PACKAGE=1) but ${labSkipped}`);

const tmp = mkdtempSync('/var/tmp/ballast-pkg-');
const ROOT = join(tmp, 'root');
const mounts: string[] = [];
let debs: string[] = [];

const inRoot = (cmd: string[], input?: string) => spawnSync('chroot', [ROOT, ...cmd], { encoding: 'utf8', input, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', NO_COLOR: '1' } });

/** Every path in the chroot but what dpkg, apt and the test itself keep changing. */
function tree(): string[] {
  const out = execFileSync('find', [ROOT, '-xdev', '-mindepth', '1'], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter(Boolean);
  const noise = /^\/(proc|dev|tmp|var\/(lib\/dpkg|log|cache)|etc\/(passwd|group|shadow|gshadow)-|etc\/ld\.so\.cache)(\/|$)/;
  return out.map((p) => p.slice(ROOT.length)).filter((p) => !noise.test(p)).sort();
}

before(() => {
  if (skip) return;
  execFileSync('bash', ['deploy/debian/bookworm-chroot.sh', BASE], { stdio: 'inherit' });
  execFileSync(process.execPath, ['deploy/debian/build-debs.mjs', '--out', join(tmp, 'debs'), '--compress', 'zstd', '--level', '3'], { stdio: ['ignore', 'ignore', 'inherit'] });
  debs = readdirSync(join(tmp, 'debs')).filter((f) => f.endsWith('.deb'));
  execFileSync('cp', ['-a', BASE, ROOT]); // device nodes too
  for (const d of ['proc', 'dev']) {
    execFileSync('mount', ['--bind', `/${d}`, join(ROOT, d)]);
    mounts.push(join(ROOT, d));
  }
  mkdirSync(join(ROOT, 'tmp/debs'), { recursive: true });
  for (const d of debs) copyFileSync(join(tmp, 'debs', d), join(ROOT, 'tmp/debs', d));
});

after(() => {
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  rmSync(tmp, { recursive: true, force: true });
});

let before_: string[] = [];
let passwdBefore = '';

test('the chroot has no Node.js; dpkg -i installs the three packages', { skip }, () => {
  assert.notEqual(inRoot(['sh', '-c', 'command -v node nodejs']).status, 0, 'the base has no node');
  before_ = tree();
  passwdBefore = readFileSync(join(ROOT, 'etc/passwd'), 'utf8') + readFileSync(join(ROOT, 'etc/group'), 'utf8');
  assert.deepEqual(debs.map((d) => d.split('_')[0]).sort(), ['ballast-common', 'ballast-leaf', 'ballast-server']);
  const r = inRoot(['dpkg', '-i', ...debs.map((d) => `/tmp/debs/${d}`)]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(inRoot(['getent', 'group', 'ballast']).stdout, /^ballast:/);
  assert.match(inRoot(['getent', 'passwd', 'ballast']).stdout, /^ballast:.*:\/usr\/sbin\/nologin$/m);
});

test('ballast --version from the installed path', { skip }, () => {
  const r = inRoot(['ballast', '--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^ballast ${VERSION.replaceAll('.', '\\.')}\\ntested with FRR 8\\.4\\.4, 10\\.3\\n`));
});

test('the agent unit\'s node flags reach node through /usr/bin/ballast, and V8 prints no warning about them', { skip }, () => {
  const unit = readFileSync(join(ROOT, 'lib/systemd/system/ballast-agent.service'), 'utf8');
  const flags = /^Environment="BALLAST_NODE_OPTIONS=([^"]*)"$/m.exec(unit)?.[1];
  assert.ok(flags?.includes('--jitless'), 'the unit sets BALLAST_NODE_OPTIONS with --jitless');
  const r = inRoot(['env', `BALLAST_NODE_OPTIONS=${flags}`, 'ballast', 'agent', '--check', '-c', '/etc/ballast/agent.yaml']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr (the journal) but what ballast says');
  // They are node's own flags: one node does not know stops it.
  const wrong = inRoot(['env', 'BALLAST_NODE_OPTIONS=--no-such-node-flag', 'ballast', '--version']);
  assert.equal(wrong.status, 9, 'node refuses the unknown flag: the wrapper passed it');
  assert.match(wrong.stderr, /bad option: --no-such-node-flag/);
});

test('whatif on the packaged fixture: the same output as from the checkout', { skip }, () => {
  for (const extra of [[], ['--fail', 'server02,server03,server04,server05,server06,server07,server08'], ['--json']]) {
    const pkg = inRoot(['ballast', 'whatif', '/usr/share/ballast/fixtures/warning.yaml', ...extra]);
    const src = spawnSync(process.execPath, ['bin/ballast.js', 'whatif', 'fixtures/warning.yaml', ...extra], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(pkg.status, src.status, pkg.stderr);
    assert.equal(pkg.stdout.replaceAll('/usr/share/ballast/fixtures/', 'fixtures/'), src.stdout);
  }
});

test('config validation: the shipped examples pass --check, a bad file exits 2 with its position', { skip }, () => {
  for (const [cmd, file] of [['agent', '/etc/ballast/agent.yaml'], ['health', '/etc/ballast/health.yaml']] as const) {
    const r = inRoot(['ballast', cmd, '--check', '-c', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${file}: ok\n`);
  }
  copyFileSync('fixtures/bad-health/bad-port.yaml', join(ROOT, 'tmp/bad.yaml'));
  const bad = inRoot(['ballast', 'health', '--check', '-c', '/tmp/bad.yaml']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^ballast: \/tmp\/bad\.yaml:\d+:\d+: .*port is 70000/);
});

test('the installed units pass systemd-analyze verify; man pages and bash completion are there', { skip }, () => {
  // The chroot has no systemd: the host's checks the installed units, their binary mapped into the chroot.
  for (const unit of ['ballast-agent.service', 'ballast-health.service']) {
    const copy = join(tmp, unit);
    writeFileSync(copy, readFileSync(join(ROOT, 'lib/systemd/system', unit), 'utf8').replaceAll('/usr/bin/ballast', join(ROOT, 'usr/bin/ballast')));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${unit}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr.trim(), '', `${unit}: no warnings`);
  }
  for (const page of ['ballast', 'ballast-agent', 'ballast-health', 'ballast-whatif', 'ballast-status']) {
    const roff = gunzipSync(readFileSync(join(ROOT, `usr/share/man/man1/${page}.1.gz`))).toString();
    assert.match(roff, /^\.TH /, page);
    assert.match(roff, /\.SH SYNOPSIS/, page);
  }
  assert.match(gunzipSync(readFileSync(join(ROOT, 'usr/share/man/man1/ballast-agent.1.gz'))).toString(), /\\-\\-check/);
  const complete = (line: string) => inRoot(['bash', '-c', `. /usr/share/bash-completion/completions/ballast; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _ballast; echo "\${COMPREPLY[*]}"`]).stdout.trim();
  assert.equal(complete('ballast ag'), 'agent');
  assert.equal(complete('ballast agent --c'), '--config --check');
  assert.equal(complete('ballast lab do'), 'down');
  assert.equal(complete('ballast health s'), 'status');
});

test('the installed agent, run in a lab leaf\'s namespace: --dry-run prints its vtysh commands and changes nothing', { skip: labSkipped }, async () => {
  const L = labInstance('/run/ballast-lab-pkg', 'bpk-');
  const fixture = 'fixtures/lab-tiny.yaml';
  try {
    await L.ok(['up', fixture, '--leaf-policy', 'none']);
    const dir = '/run/ballast-lab-pkg/bpk-leaf01';
    const fabric = loadFixture(fixture);
    const config = join(tmp, 'agent.yaml');
    writeFileSync(config, agentConfigYaml(fabric, fabric.leaves[0]!, dir));
    const vtysh = (c: string) => execFileSync('vtysh', ['--vty_socket', dir, '-c', c], { encoding: 'utf8' });
    const running = vtysh('show running-config');
    // The packaged runtime and bundle, with the host's FRR (the chroot has none).
    const child = spawn('ip', ['netns', 'exec', 'bpk-leaf01', join(ROOT, 'usr/lib/ballast/node'), join(ROOT, 'usr/lib/ballast/dist/main.js'), 'agent', '-c', config, '--dry-run'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no vtysh line within 30 s; stderr: ${stderr}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/route-map BALLAST-A permit/.test(stdout) && /neighbor SPINES route-map BALLAST-A out/.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    assert.equal(await code, 0, stderr);
    assert.match(stdout, /^vtysh --vty_socket \S+ (?:-d bgpd )?-c 'configure terminal'/m);
    assert.match(stderr, /"event":"started"/);
    assert.equal(vtysh('show running-config'), running, 'a dry run changes nothing in FRR');
  } finally {
    await L.lab(['down']);
  }
  assert.deepEqual((await listNetns()).filter((n) => n.startsWith('bpk-')), [], 'no lab namespace left');
});

test('dpkg -r leaves nothing but the conffiles; dpkg --purge leaves nothing', { skip }, () => {
  const r = inRoot(['dpkg', '-r', 'ballast-leaf', 'ballast-server', 'ballast-common']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const now = tree();
  assert.deepEqual(now.filter((p) => !before_.includes(p)), ['/etc/ballast', '/etc/ballast/agent.yaml', '/etc/ballast/health.yaml']);
  assert.deepEqual(before_.filter((p) => !now.includes(p)), [], 'nothing of the base went away');
  const p = inRoot(['dpkg', '--purge', 'ballast-leaf', 'ballast-server', 'ballast-common']);
  assert.equal(p.status, 0, p.stdout + p.stderr);
  assert.deepEqual(tree(), before_);
  assert.equal(readFileSync(join(ROOT, 'etc/passwd'), 'utf8') + readFileSync(join(ROOT, 'etc/group'), 'utf8'), passwdBefore, 'the ballast user and group are gone');
});

