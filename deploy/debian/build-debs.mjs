#!/usr/bin/env node
// `npm run package [-- --out DIR --compress xz|zstd|gzip|none --level N]`: the Debian packages,
// version from package.json (docs/packaging.md). xz -6 (dpkg's default) makes the smallest package
// every dpkg reads; the CI test uses zstd -3, which packs 95 MB in seconds.
//   ballast-common  the runtime (this machine's node binary, stripped, under /usr/lib/ballast), the
//                   esbuild bundle, the gRPC packages it keeps external, /usr/bin/ballast, man
//                   pages, bash completion, fixtures, docs; the `ballast` user and group
//   ballast-leaf    ballast-agent.service and /etc/ballast/agent.yaml          (on a leaf)
//   ballast-server  ballast-health.service and /etc/ballast/health.yaml        (on a server)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildDist, EXTERNAL } from '../build.mjs';
import { writeHelpDocs } from './help-docs.mjs';
import { dependencyClosure, installedSize, md5sums, runtimeDepends, writeScript } from './stage.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const { values: args } = parseArgs({
  options: { out: { type: 'string', default: join(root, 'dist/debian') }, compress: { type: 'string', default: 'xz' }, level: { type: 'string', default: '6' } },
});
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = pkg.version;
const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
const work = join(args.out, 'stage');
const started = performance.now();
rmSync(work, { recursive: true, force: true });
mkdirSync(args.out, { recursive: true });
const MAINTAINER = 'ballast developers <ballast@example.org>';

/** One package: files laid under stage/NAME, then DEBIAN/ and dpkg-deb. */
function debian(name, { depends, recommends, description, conffiles = [], scripts = {} }) {
  const dir = join(work, name);
  const control = [
    `Package: ${name}`,
    `Version: ${version}`,
    `Architecture: ${arch}`,
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${installedSize(dir)}`,
    ...(depends ? [`Depends: ${depends}`] : []),
    ...(recommends ? [`Recommends: ${recommends}`] : []),
    'Section: net',
    'Priority: optional',
    `Description: ${description}`,
  ].join('\n');
  mkdirSync(join(dir, 'DEBIAN'), { recursive: true });
  writeFileSync(join(dir, 'DEBIAN/md5sums'), md5sums(dir));
  writeFileSync(join(dir, 'DEBIAN/control'), `${control}\n`);
  if (conffiles.length) writeFileSync(join(dir, 'DEBIAN/conffiles'), `${conffiles.join('\n')}\n`);
  for (const [script, text] of Object.entries(scripts)) writeScript(join(dir, 'DEBIAN', script), text);
  const deb = join(args.out, `${name}_${version}_${arch}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${args.compress}`, `-z${args.level}`, '--build', dir, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
  return deb;
}

function put(pkgName, path, from, mode = 0o644) {
  const to = join(work, pkgName, path);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, mode);
}

// ballast-common: the runtime and the code.
const lib = join(work, 'ballast-common/usr/lib/ballast');
const meta = await buildDist(join(lib, 'dist'), { sourcemap: false });
const external = dependencyClosure(root, EXTERNAL);
// The lock paths of the packages inside the bundle: `node_modules/a[/node_modules/@s/b]` of each input.
const bundled = [...new Set(Object.keys(meta.inputs).map((i) => i.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//)?.[1]).filter(Boolean))];
rmSync(join(lib, 'dist/meta.json'));
writeFileSync(join(lib, 'package.json'), `${JSON.stringify({ name: 'ballast', version, type: 'module', private: true }, null, 2)}\n`);
for (const dep of external) {
  // Code and licenses only: no nested node_modules (they are closure entries of their own), no
  // TypeScript sources, declarations, source maps or docs.
  const skip = (rel) => rel.includes('/node_modules') || /\.(ts|map|md)$/.test(rel) && !/LICENSE/i.test(rel);
  cpSync(join(root, dep), join(lib, dep), { recursive: true, filter: (src) => !skip(src.slice(join(root, dep).length)) });
}
// The API server loads proto/ at run time (reflection), from ../../proto beside its chunk: dist/chunks/../..
cpSync(join(root, 'proto'), join(lib, 'proto'), { recursive: true });
execFileSync('strip', ['--strip-all', '-o', join(lib, 'node'), process.execPath]);
writeScript(join(work, 'ballast-common/usr/bin/ballast'), '#!/bin/sh\n# The node binary and the bundle of this package, nothing from the system. BALLAST_NODE_OPTIONS: node\n# flags for this process alone (the agent\'s unit sets it), word-split; NODE_OPTIONS would reach every\n# node child and refuses V8 flags such as --no-expose-wasm.\nexec /usr/lib/ballast/node $BALLAST_NODE_OPTIONS /usr/lib/ballast/dist/main.js "$@"\n');
const share = join(work, 'ballast-common/usr/share');
for (const f of readdirSync(join(root, 'fixtures')).filter((f) => f.endsWith('.yaml'))) put('ballast-common', `usr/share/ballast/fixtures/${f}`, join(root, 'fixtures', f));
put('ballast-common', 'usr/share/ballast/fixtures/health/example.yaml', join(root, 'fixtures/health/example.yaml'));
const doc = join(share, 'doc/ballast-common');
for (const f of readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'))) put('ballast-common', `usr/share/doc/ballast-common/docs/${f}`, join(root, 'docs', f));
put('ballast-common', 'usr/share/doc/ballast-common/README.md', join(root, 'README.md'));
writeFileSync(join(doc, 'copyright'), copyright([...bundled, ...external].sort()));
const nodeLicense = ['/usr/share/doc/nodejs/LICENSE', join(dirname(process.execPath), '../share/doc/node/LICENSE')].find((p) => existsSync(p));
if (nodeLicense) put('ballast-common', 'usr/share/doc/ballast-common/node-LICENSE', nodeLicense);
await writeHelpDocs(join(lib, 'dist/main.js'), share, { version });
const common = debian('ballast-common', {
  depends: `${runtimeDepends(join(lib, 'node'))}, passwd`,
  description: `capacity-aware anycast for BGP fabrics running FRR (runtime and commands)\n ${[
    'The ballast command with its own Node.js runtime (node ' + process.versions.node + ', under',
    '/usr/lib/ballast): the what-if and capacity planner, the operator commands for the',
    'leaf agents (status, watch, drain, undrain, snapshot), the lab, man pages and bash',
    'completion. The daemons come in ballast-leaf and ballast-server.',
  ].join('\n ')}`,
  scripts: { postinst: readFileSync(join(here, 'common/postinst'), 'utf8'), postrm: readFileSync(join(here, 'common/postrm'), 'utf8') },
});

/** ballast-leaf and ballast-server: a unit, a config, and the maintainer scripts around them. */
function daemonPackage(name, { unit, config, command, restartCost, purge, purgeWhat, description }) {
  const side = name === 'ballast-leaf' ? 'leaf' : 'server';
  put(name, `lib/systemd/system/${unit}`, join(here, side, unit));
  put(name, `etc/ballast/${config}`, join(here, side, config));
  const fill = (file) => readFileSync(join(here, file), 'utf8').replaceAll('@PACKAGE@', name).replaceAll('@UNIT@', unit).replaceAll('@CONFIG@', config)
    .replaceAll('@COMMAND@', command).replaceAll('@RESTART_COST@', restartCost).replaceAll('@PURGE_WHAT@', purgeWhat).replaceAll('@PURGE@', purge);
  return debian(name, {
    depends: `ballast-common (= ${version}), iproute2`,
    recommends: 'frr',
    description,
    conffiles: [`/etc/ballast/${config}`],
    scripts: { postinst: fill('unit.postinst'), prerm: fill('unit.prerm'), postrm: fill('unit.postrm') },
  });
}
const leaf = daemonPackage('ballast-leaf', {
  unit: 'ballast-agent.service', config: 'agent.yaml', command: 'agent',
  restartCost: 'releases the holds of returning servers early', purgeWhat: 'the drains in /var/lib/ballast',
  purge: '  rm -f /var/lib/ballast/agent-state.json /var/lib/ballast/agent-state.json.tmp\n  rmdir /var/lib/ballast 2>/dev/null || true',
  description: 'ballast leaf agent: anycast advertisements weighted by live capacity\n The leaf agent (ballast-agent.service) beside FRR on every leaf: it counts the healthy\n server paths of each anycast prefix and advertises the capacity behind the leaf to the\n spines (BGP link-bandwidth, or AS-path prepending), through vtysh.',
});
const server = daemonPackage('ballast-server', {
  unit: 'ballast-health.service', config: 'health.yaml', command: 'health',
  restartCost: 'withdraws and re-announces the anycast addresses', purgeWhat: 'the drain file',
  purge: '  rm -f /etc/ballast/health.drain',
  description: 'ballast health checker: anycast addresses only while the service passes\n The health checker (ballast-health.service) on every server: it probes the local\n service and keeps its anycast addresses on lo only while every check passes.',
});
rmSync(work, { recursive: true, force: true });
process.stderr.write(`built ${[common, leaf, server].join(' ')} in ${Math.round(performance.now() - started)} ms\n`);

function copyright(paths) {
  const lines = [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: ballast',
    '',
    'Files: *',
    `License: ${pkg.license}`,
    '',
    'Files: usr/lib/ballast/node',
    `Comment: Node.js ${process.versions.node}, copied from the build machine (${process.execPath}), stripped.`,
    'License: MIT (see node-LICENSE beside this file, which also lists the licenses of its parts)',
    '',
    'Comment: Packages bundled into usr/lib/ballast/dist or copied into usr/lib/ballast/node_modules:',
  ];
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
  for (const path of paths) lines.push(` ${path.replace(/^.*node_modules\//, '')} ${lock[path].version}: ${lock[path].license ?? 'see its package'}`);
  return `${lines.join('\n')}\n`;
}
