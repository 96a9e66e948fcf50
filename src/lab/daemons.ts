/**
 * FRR daemons of one lab node, inside the node's namespace, each with its own config, pid file, zserv
 * socket and vty directory (docs/frr.md "Running FRR per namespace"). FRR 8.4 runs from the host;
 * FRR 10.3 from the lab's view of its chroot (frr-chroot.ts), with mgmtd and `-N NODE` for every
 * daemon (docs/frr.md).
 */
import { spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderBgpdConf, renderZebraConf, type RouterConfig } from '../frr/render.js';
import { BallastError } from '../util/errors.js';
import { run } from '../util/exec.js';

export const FRR_DAEMON_DIR = '/usr/lib/frr';
/** The host's daemons the lab needs (FRR 8.4). */
export const DAEMONS = ['zebra', 'bgpd'] as const;
export type Daemon = 'mgmtd' | 'zebra' | 'bgpd';

export interface FrrUser {
  readonly uid: number;
  readonly gid: number;
}

export async function frrUser(): Promise<FrrUser> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'frr']), run('id', ['-g', 'frr'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch (err) {
    throw new BallastError('E_MISSING_TOOL', 'Cannot find the user "frr": install FRR (apt-get install frr)', { cause: err });
  }
}

/** Where a node's FRR comes from: the host's, or a chroot view (then the daemons also get `-N NODE`). */
export interface NodeFrr {
  /** The lab's view of the chroot; null for the host's FRR. */
  readonly view: string | null;
}

/**
 * Write the node's configuration into its directory, owned by frr (the daemons drop to that user), and
 * a `vtysh` wrapper that runs the node's own vtysh: the host's, or the chroot's (a 10.3 daemon set
 * answers an 8.4 vtysh, but the command tree and `show running-config` assembly are vtysh's own).
 */
export function prepareNodeDir(dir: string, config: RouterConfig, user: FrrUser, frr: NodeFrr = { view: null }): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chownSync(dir, user.uid, user.gid);
  writeFileSync(`${dir}/zebra.conf`, renderZebraConf(config), { mode: 0o644 });
  writeFileSync(`${dir}/bgpd.conf`, renderBgpdConf(config), { mode: 0o644 });
  writeFileSync(`${dir}/vtysh`, vtyshWrapper(frr), { mode: 0o755 });
}

export function vtyshWrapper(frr: NodeFrr): string {
  return frr.view === null ? '#!/bin/sh\nexec vtysh "$@"\n' : `#!/bin/sh\nexec chroot '${frr.view}' /usr/bin/vtysh "$@"\n`;
}

/** The node's vtysh (see prepareNodeDir). */
export function nodeVtysh(dir: string): string {
  return `${dir}/vtysh`;
}

/** Start one daemon daemonized in the namespace and return its PID from the pid file. */
export async function startDaemon(ns: string, dir: string, daemon: Daemon, frr: NodeFrr = { view: null }): Promise<number> {
  const pidFile = `${dir}/${daemon}.pid`;
  // Always -f: without it a daemon silently skips its config when /etc/frr/frr.conf exists. mgmtd has none.
  const common = [...(daemon === 'mgmtd' ? [] : ['-f', `${dir}/${daemon}.conf`]), '-i', pidFile, '-z', `${dir}/zserv.api`, '--vty_socket', dir, '-P', '0'];
  if (frr.view === null) {
    await run('ip', ['netns', 'exec', ns, `${FRR_DAEMON_DIR}/${daemon}`, '-d', ...common], { timeoutMs: 15_000 });
  } else {
    // -N NODE: mgmtd's sockets (and the others' paths) move only with a pathspace, one per node.
    // FRR 10.3 keeps stdout open after -d: hand it a file, never a pipe, and wait for the parent to exit.
    await startToFile(['netns', 'exec', ns, 'chroot', frr.view, `${FRR_DAEMON_DIR}/${daemon}`, '-d', '-N', ns, ...common], `${dir}/${daemon}.out`);
  }
  for (let i = 0; i < 100; i++) {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 1) return pid;
    }
    await sleep(50);
  }
  throw new BallastError('E_LAB', `${daemon} in ${ns} started but wrote no pid file ${pidFile}; see ${dir}/${daemon}.log`);
}

function startToFile(args: readonly string[], outFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(outFile, 'a');
    const child = spawn('ip', args as string[], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new BallastError('E_LAB', `Command failed (exit ${code}): ip ${args.join(' ')}; see ${outFile}`));
    });
  });
}
