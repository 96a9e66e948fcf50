/** Ending the lab's processes: by PID only, and only PIDs proven to be the lab's. */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Whether the process still runs. A zombie does not: it has let go of everything (its namespaces,
 * sockets, files) and waits only for its parent to reap it, which for the lab's daemons is whatever
 * PID 1 is (measured here: ~2 s after the exit, which every `lab down` used to wait for).
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // The state follows the command name, which is in parentheses and may itself contain them.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false; // reaped between the two looks
  }
}

/** The command line of a process, or null when it is gone. */
export function cmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return null;
  }
}

/**
 * SIGTERM, wait up to graceMs for all to exit, then SIGKILL what is left (graceMs 0: SIGKILL at once).
 * Returns the PIDs killed hard.
 */
export async function terminate(pids: readonly number[], graceMs = 3_000): Promise<number[]> {
  const signal = (pid: number, sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone: that is the goal.
    }
  };
  if (graceMs > 0) for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = left.filter(alive);
  }
  for (const pid of left) signal(pid, 'SIGKILL');
  for (let i = 0; i < 40 && left.some(alive); i++) await sleep(50);
  return left;
}

/** Where FRR 8.4 daemons keep their crash-log buffers: `<daemon>.<pid at start>/logbuf.<pid>`. */
export const FRR_TMP_DIR = '/var/tmp/frr';

/**
 * A daemon removes its crash-log directory on a clean exit, not when killed hard: remove the ones
 * whose buffers belong to the given PIDs, and no others (other FRR instances share the directory).
 */
export function removeCrashLogDirs(pids: ReadonlySet<number>, root: string = FRR_TMP_DIR): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!/^[a-z]+(-\d+)?\.\d+$/.test(entry)) continue;
    let files: string[];
    try {
      files = readdirSync(`${root}/${entry}`);
    } catch {
      continue;
    }
    const ours = files.some((f) => {
      const m = /^logbuf\.(\d+)$/.exec(f);
      return m !== null && pids.has(Number(m[1]));
    });
    if (ours) {
      rmSync(`${root}/${entry}`, { recursive: true, force: true });
      removed.push(entry);
    }
  }
  return removed;
}
