/**
 * FRR daemons of one lab node: one zebra and one bgpd inside the node's namespace, each with its own
 * config, pid file, zserv socket and vty directory (docs/frr.md "Running FRR per namespace").
 */
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderBgpdConf, renderZebraConf, type RouterConfig } from '../frr/render.js';
import { BallastError } from '../util/errors.js';
import { run } from '../util/exec.js';

export const FRR_DAEMON_DIR = '/usr/lib/frr';
export const DAEMONS = ['zebra', 'bgpd'] as const;
export type Daemon = (typeof DAEMONS)[number];

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

/** Write the node's configuration into its directory, owned by frr: the daemons drop to that user. */
export function prepareNodeDir(dir: string, config: RouterConfig, user: FrrUser): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chownSync(dir, user.uid, user.gid);
  writeFileSync(`${dir}/zebra.conf`, renderZebraConf(config), { mode: 0o644 });
  writeFileSync(`${dir}/bgpd.conf`, renderBgpdConf(config), { mode: 0o644 });
}

/** Start one daemon daemonized in the namespace and return its PID from the pid file. */
export async function startDaemon(ns: string, dir: string, daemon: Daemon): Promise<number> {
  const pidFile = `${dir}/${daemon}.pid`;
  // Always -f: without it a daemon silently skips its config when /etc/frr/frr.conf exists.
  await run('ip', ['netns', 'exec', ns, `${FRR_DAEMON_DIR}/${daemon}`, '-d', '-f', `${dir}/${daemon}.conf`, '-i', pidFile, '-z', `${dir}/zserv.api`, '--vty_socket', dir, '-P', '0'], { timeoutMs: 15_000 });
  for (let i = 0; i < 100; i++) {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 1) return pid;
    }
    await sleep(50);
  }
  throw new BallastError('E_LAB', `${daemon} in ${ns} started but wrote no pid file ${pidFile}; see ${dir}/${daemon}.log`);
}
