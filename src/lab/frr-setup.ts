/**
 * `ballast lab setup --frr 10.3`: FRR 10.3 for the lab, from Debian trixie's package installed into a
 * minimal debootstrap chroot under a fixed cache directory (FRR-FACTS.md "FRR 10"). Never into the
 * host system, never touching the host's apt sources: the chroot gets its own sources.list, and the
 * host's archive URI is only read. Each stage leaves a marker file, so a second run does nothing and
 * an interrupted one resumes at the stage that did not finish.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BallastError } from '../util/errors.js';
import { run } from '../util/exec.js';
import { chrootRoot, frrCacheDir, mountsUnder, type ChrootVersion, CHROOT_VERSIONS } from './frr-versions.js';

/** What a chroot version is built from. */
interface Recipe {
  readonly suite: string;
  readonly packages: readonly string[];
}

const RECIPES: Readonly<Record<ChrootVersion, Recipe>> = {
  '10.3': { suite: 'trixie', packages: ['frr', 'iproute2'] },
};

const STAGES = ['debootstrap', 'sources', 'packages'] as const;
type Stage = (typeof STAGES)[number];

const marker = (version: ChrootVersion, stage: Stage): string => join(frrCacheDir(version), `.done-${stage}`);

/** True when every stage of the chroot is done: `lab up` can use it. */
export function chrootReady(version: ChrootVersion): boolean {
  return STAGES.every((s) => existsSync(marker(version, s)));
}

/** The Debian archive and its security archive. */
export interface Mirror {
  readonly archive: string;
  readonly security: string;
}

/**
 * The host's Debian archive URIs, read (never written) from its apt sources: deb822
 * `/etc/apt/sources.list.d/debian.sources` first, then one-line `sources.list`. The archive is the
 * first URI whose suites are not `-security` ones; the security archive the first that is, else the
 * archive's `-security` sibling.
 */
export function hostMirror(files: { deb822?: string | null; list?: string | null } = readHostSources()): Mirror {
  const entries: { uri: string; security: boolean }[] = [];
  for (const stanza of (files.deb822 ?? '').split(/\n\s*\n/)) {
    const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
    if (uri) entries.push({ uri, security: /-security\b/.test(/^Suites:\s*(.+)$/m.exec(stanza)?.[1] ?? '') });
  }
  for (const line of (files.list ?? '').split('\n')) {
    const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (m) entries.push({ uri: m[1]!, security: m[2]!.includes('-security') });
  }
  const trim = (u: string): string => u.replace(/\/$/, '');
  const archive = trim(entries.find((e) => !e.security)?.uri ?? 'http://deb.debian.org/debian');
  const security = trim(entries.find((e) => e.security)?.uri ?? archive.replace(/\/debian$/, '/debian-security'));
  return { archive, security };
}

/** `--mirror URI`: an archive given by hand; its security archive is its `-security` sibling. */
export function mirrorFrom(archive: string): Mirror {
  const a = archive.replace(/\/$/, '');
  return { archive: a, security: a.replace(/\/debian$/, '/debian-security') };
}

function readHostSources(): { deb822: string | null; list: string | null } {
  const read = (f: string): string | null => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return null;
    }
  };
  return { deb822: read('/etc/apt/sources.list.d/debian.sources'), list: read('/etc/apt/sources.list') };
}

/** The chroot's own apt sources: the suite, its updates and its security archive. */
export function chrootSourcesList(mirror: Mirror, suite: string): string {
  return [`deb ${mirror.archive} ${suite} main`, `deb ${mirror.archive} ${suite}-updates main`, `deb ${mirror.security} ${suite}-security main`, ''].join('\n');
}

export interface SetupOptions {
  readonly version: ChrootVersion;
  readonly log?: (line: string) => void;
  /** Override the archive (tests point it at an unreachable address). */
  readonly mirror?: string;
}

export interface SetupResult {
  readonly root: string;
  /** Stages run now; empty when everything was already done. */
  readonly ran: Stage[];
  readonly seconds: number;
}

/** Run a long command, streaming its lines to the log; resolves with its tail for error messages. */
function stream(file: string, args: readonly string[], log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; tail: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args as string[], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const tail: string[] = [];
    const onData = (d: Buffer): void => {
      for (const line of d.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 8) tail.shift();
        log(`  ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => reject((err as NodeJS.ErrnoException).code === 'ENOENT' ? new BallastError('E_MISSING_TOOL', `Cannot run ${file}: apt-get install ${file}`, { cause: err }) : err));
    child.on('close', (code) => resolve({ code, tail }));
  });
}

/** Network-looking failures of debootstrap or apt: the archive could not be reached. */
const UNREACHABLE = /Failed getting release file|Temporary failure resolving|Could not resolve|Failed to fetch|Connection (?:refused|timed out)|Unable to connect|No route to host|Network is unreachable|Couldn't download/i;

async function stage(version: ChrootVersion, name: Stage, ran: Stage[], log: (line: string) => void, body: () => Promise<void>): Promise<void> {
  if (existsSync(marker(version, name))) return;
  const t0 = performance.now();
  log(`${name}: starting`);
  await body();
  writeFileSync(marker(version, name), `${new Date().toISOString()}\n`);
  ran.push(name);
  log(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

export async function setupFrr(options: SetupOptions): Promise<SetupResult> {
  const t0 = performance.now();
  const { version } = options;
  if (!CHROOT_VERSIONS.includes(version)) throw new BallastError('E_USAGE', `No recipe for FRR ${version}; lab setup builds ${CHROOT_VERSIONS.join(', ')}`);
  if (process.getuid?.() !== 0) throw new BallastError('E_NOT_ROOT', 'Cannot build the FRR chroot: debootstrap and chroot need root (run it with sudo)');
  const log = options.log ?? (() => {});
  const recipe = RECIPES[version];
  const dir = frrCacheDir(version);
  const root = chrootRoot(version);
  const ran: Stage[] = [];
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const mirror = options.mirror ? mirrorFrom(options.mirror) : hostMirror();
  // A lab running from this chroot has it bind-mounted elsewhere, never mounts inside it; still, never
  // delete a tree something is mounted in.
  const busy = mountsUnder(root);
  if (busy.length > 0 && !chrootReady(version)) throw new BallastError('E_LAB', `Cannot rebuild ${root}: mounted inside it: ${busy.join(', ')}`);

  await stage(version, 'debootstrap', ran, log, async () => {
    // A debootstrap interrupted half-way leaves a tree it cannot always resume: start that stage over.
    if (existsSync(root)) {
      log(`debootstrap: removing the unfinished ${root}`);
      rmSync(root, { recursive: true, force: true });
    }
    log(`debootstrap: ${recipe.suite} (minbase) from ${mirror.archive} into ${root} (about 90 s)`);
    const r = await stream('debootstrap', ['--variant=minbase', recipe.suite, root, mirror.archive], log);
    if (r.code !== 0) throw archiveOrStageError('debootstrap', r.tail, mirror);
  });

  await stage(version, 'sources', ran, log, async () => {
    writeFileSync(join(root, 'etc/apt/sources.list'), chrootSourcesList(mirror, recipe.suite));
    // Package scripts must not start services inside the chroot (they would run in the host's network).
    writeFileSync(join(root, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  });

  await stage(version, 'packages', ran, log, async () => {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    log('packages: apt-get update inside the chroot');
    const u = await stream('chroot', [root, 'apt-get', 'update', '-q'], log, env);
    if (u.code !== 0 || u.tail.some((l) => /^(W|E): Failed to fetch/.test(l))) throw archiveOrStageError('apt-get update', u.tail, mirror);
    log(`packages: apt-get install ${recipe.packages.join(' ')} (about 20 s)`);
    const i = await stream('chroot', [root, 'apt-get', 'install', '-y', '-q', '--no-install-recommends', ...recipe.packages], log, env);
    if (i.code !== 0) throw archiveOrStageError('apt-get install', i.tail, mirror);
    // The package's own configs would be read by mgmtd (it has no -f) and by daemons started without one.
    for (const f of ['frr.conf', 'zebra.conf', 'bgpd.conf', 'staticd.conf', 'mgmtd.conf']) rmSync(join(root, 'etc/frr', f), { force: true });
  });

  const version_ = await installedVersion(root);
  log(`FRR ${version_} ready in ${root}`);
  return { root, ran, seconds: (performance.now() - t0) / 1000 };
}

function archiveOrStageError(what: string, tail: readonly string[], mirror: Mirror): BallastError {
  const text = tail.join(' | ');
  if (UNREACHABLE.test(text)) return new BallastError('E_LAB_FRR_ARCHIVE', `Cannot reach the Debian archive ${mirror.archive} (${what}): ${text}; check the network, or run again later: finished stages are kept`);
  return new BallastError('E_LAB', `${what} failed: ${text}; run "ballast lab setup" again to resume`);
}

/** The FRR package version inside a chroot, e.g. `10.3-3+deb13u1`. */
export async function installedVersion(root: string): Promise<string> {
  const { stdout } = await run('chroot', [root, 'dpkg-query', '-W', '-f', '${Version}', 'frr'], { timeoutMs: 10_000 });
  return stdout.trim();
}
