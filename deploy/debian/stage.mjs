// Helpers for build-debs.mjs: which node_modules the package needs, and DEBIAN/ bookkeeping.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

/**
 * The installed paths (`node_modules/a`, `node_modules/a/node_modules/b`) of `names` and everything
 * they need at run time, resolved from package-lock.json the way node resolves: the nearest
 * node_modules up from the requiring package.
 */
export function dependencyClosure(root, names) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
  const resolve = (from, name) => {
    for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (lock[candidate]) return candidate;
      if (dir === '') throw new Error(`Cannot resolve ${name} from ${from || 'the project'} in package-lock.json`);
    }
  };
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    const p = lock[path];
    const peers = Object.keys(p.peerDependencies ?? {}).filter((n) => !p.peerDependenciesMeta?.[n]?.optional);
    for (const dep of [...Object.keys(p.dependencies ?? {}), ...peers]) visit(resolve(path, dep));
  };
  for (const name of names) visit(resolve('', name));
  return [...seen].sort();
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const st = lstatSync(path);
    return st.isDirectory() ? files(path) : [path];
  });
}

/** DEBIAN/md5sums: every file but DEBIAN/ itself. */
export function md5sums(dir) {
  return files(dir)
    .filter((f) => !relative(dir, f).startsWith('DEBIAN/'))
    .map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(dir, f)}`)
    .sort((a, b) => a.slice(34).localeCompare(b.slice(34)))
    .join('\n')
    .concat('\n');
}

/** Installed-Size in KiB. */
export function installedSize(dir) {
  return Math.ceil(files(dir).reduce((sum, f) => sum + lstatSync(f).size, 0) / 1024);
}

/** The shared-library dependencies of the node binary, as dpkg-shlibdeps finds them on this machine. */
export function runtimeDepends(binary) {
  const tmp = mkdtempSync(join(tmpdir(), 'ballast-shlibs-'));
  try {
    mkdirSync(join(tmp, 'debian'));
    writeFileSync(join(tmp, 'debian/control'), 'Source: ballast\n\nPackage: ballast-common\nArchitecture: any\n');
    const out = execFileSync('dpkg-shlibdeps', ['-O', binary], { cwd: tmp, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim().replace(/^shlibs:Depends=/, '');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function writeScript(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}
