/**
 * A lab's private view of an FRR chroot: mounted by `up` before the chroot's daemons start, every
 * mount recorded in the state file before it is made, and unmounted by `down` (recorded ones in
 * reverse, then anything else still below the view, deepest first). The view is a bind mount of the
 * chroot made private, so what is mounted inside it never appears in the cache tree or in another lab.
 */
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { BallastError } from '../util/errors.js';
import { run } from '../util/exec.js';
import type { FrrUser } from './daemons.js';
import { chrootRoot, chrootView, mountsUnder, type ChrootVersion } from './frr-versions.js';
import { chrootReady } from './frr-setup.js';

/** `lab up` without the chroot: say how to get it. */
export function assertChrootReady(v: ChrootVersion): void {
  if (!chrootReady(v)) {
    throw new BallastError('E_LAB_FRR_MISSING', `FRR ${v} is not set up (${chrootRoot(v)}): run "ballast lab setup --frr ${v}" first (root, about 2 minutes, needs the Debian archive)`);
  }
}

/** The chroot's own `frr` user: another uid than the host's, and the daemons drop to it. */
export async function chrootFrrUser(v: ChrootVersion): Promise<FrrUser> {
  const root = chrootRoot(v);
  const [uid, gid] = await Promise.all([run('chroot', [root, 'id', '-u', 'frr']), run('chroot', [root, 'id', '-g', 'frr'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Mount the view; `record(path)` is called before each mount so a crash half-way leaves a state
 * `down` can finish. Returns the view's path.
 */
export async function mountView(runDir: string, v: ChrootVersion, record: (mountPoint: string) => void): Promise<string> {
  const view = chrootView(runDir, v);
  if (mountsUnder(view).length > 0) throw new BallastError('E_LAB_EXISTS', `${view} is already mounted: another lab with run directory ${runDir}? run "ballast lab down"`);
  mkdirSync(view, { recursive: true, mode: 0o755 });
  const mount = async (point: string, args: readonly string[]): Promise<void> => {
    record(point);
    await run('mount', [...args, point]);
  };
  await mount(view, ['--bind', chrootRoot(v)]);
  // Private: mounts below the view must not propagate back to the chroot in the cache (or anywhere).
  await run('mount', ['--make-private', view]);
  await mount(join(view, 'proc'), ['--bind', '/proc']);
  await mount(join(view, 'sys'), ['--bind', '/sys']);
  await mount(join(view, 'dev'), ['--bind', '/dev']);
  // Fresh /run (mgmtd's sockets under /run/frr/NODE) and /var/tmp (crash logs): gone with the mount.
  await mount(join(view, 'run'), ['-t', 'tmpfs', '-o', 'mode=0755,size=64m', 'tmpfs']);
  await mount(join(view, 'var/tmp'), ['-t', 'tmpfs', '-o', 'mode=1777,size=64m', 'tmpfs']);
  // The run directory at the same path inside, so configs, pid files and vty sockets have one name.
  const inner = join(view, runDir);
  mkdirSync(inner, { recursive: true });
  await mount(inner, ['--bind', runDir]);
  return view;
}

/** FRR's run-state directory inside the view, owned by the chroot's frr (daemons with -N NODE use NODE/ below it). */
export function prepareViewRun(view: string, user: FrrUser): Promise<void> {
  const dir = join(view, 'run/frr');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return run('chown', [`${user.uid}:${user.gid}`, dir]).then(() => undefined);
}

/**
 * Unmount every recorded mount (reverse order) and whatever else is below the view, then remove the
 * view's directory. Returns mount points that could not be unmounted (the caller must then keep the
 * run directory: deleting it through a live bind mount would delete inside the chroot).
 */
export async function unmountViews(recorded: readonly string[], views: readonly string[]): Promise<string[]> {
  const stuck: string[] = [];
  const umount = async (point: string): Promise<void> => {
    try {
      await run('umount', [point]);
    } catch {
      // Busy (a process still inside): detach it; it disappears when the last user exits.
      try {
        await run('umount', ['-l', point]);
      } catch {
        stuck.push(point);
      }
    }
  };
  const present = new Set(views.flatMap((v) => mountsUnder(v)));
  for (const point of [...recorded].reverse()) if (present.has(point)) await umount(point);
  for (const view of views) for (const point of mountsUnder(view)) await umount(point);
  for (const view of views) {
    if (mountsUnder(view).length > 0 || !existsSync(view)) continue;
    try {
      rmdirSync(view);
    } catch {
      // Not empty: something was written there without a mount; leave it rather than delete blindly.
    }
  }
  return stuck;
}
