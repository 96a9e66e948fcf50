/**
 * The FRR versions a lab can run, and where each lives: 8.4 is the host's Debian 12 package; 10.3 is
 * Debian trixie's package in a chroot under the cache directory (`ballast lab setup --frr 10.3`,
 * frr-setup.ts). A lab running chroot daemons sees the chroot through a private bind mount of its own
 * (the "view", beside its run directory), with /proc, /sys, /dev, a fresh /run and /var/tmp and the
 * lab's run directory mounted inside, so labs never share mounts and `down` removes all of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WeightModel } from '../fabric/types.js';
import { weightModelFor, type FrrVersion } from '../fabric/weight-model.js';
import { BallastError } from '../util/errors.js';

export const LAB_FRR_VERSIONS = ['8.4', '10.3'] as const;
export type LabFrrVersion = (typeof LAB_FRR_VERSIONS)[number];
/** The host's FRR: what a lab runs unless told otherwise. */
export const DEFAULT_LAB_FRR: LabFrrVersion = '8.4';
/** Versions that come from a chroot (the others are the host's). */
export const CHROOT_VERSIONS = ['10.3'] as const;
export type ChrootVersion = (typeof CHROOT_VERSIONS)[number];

export function isChrootVersion(v: LabFrrVersion): v is ChrootVersion {
  return (CHROOT_VERSIONS as readonly string[]).includes(v);
}

/**
 * `8.4`, `8.4.4` -> 8.4; `10.3`, `10.3.1` -> 10.3. Other versions have no lab build: refused with the
 * list, since running them as a neighbouring version would test something else than asked.
 */
export function labFrrVersion(text: string, where = '--frr'): LabFrrVersion {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(text.trim());
  const v = m ? `${Number(m[1])}.${Number(m[2])}` : '';
  if ((LAB_FRR_VERSIONS as readonly string[]).includes(v)) return v as LabFrrVersion;
  throw new BallastError('E_LAB_FIXTURE', `Cannot run FRR ${JSON.stringify(text)} in the lab (${where}): the lab runs FRR ${LAB_FRR_VERSIONS.join(' or ')}`);
}

/** Daemons per node, in start order: FRR 10's zebra needs its mgmtd (without one it logs ~90 errors/s). */
export function labDaemons(v: LabFrrVersion): readonly ('mgmtd' | 'zebra' | 'bgpd')[] {
  return v === '8.4' ? ['zebra', 'bgpd'] : ['mgmtd', 'zebra', 'bgpd'];
}

/** Fixed, so CI runs on one machine reuse the chroot; BALLAST_FRR_CACHE moves it (tests of setup). */
export function frrCacheDir(v: ChrootVersion): string {
  return join(process.env.BALLAST_FRR_CACHE ?? '/var/lib/ballast/frr', v);
}

export function chrootRoot(v: ChrootVersion): string {
  return join(frrCacheDir(v), 'root');
}

/** Where one lab sees a chroot version: beside (never inside) its run directory, which `down` deletes. */
export function chrootView(runDir: string, v: ChrootVersion): string {
  return `${runDir.replace(/\/$/, '')}.frr-${v}`;
}

/** Mount points at or below `path` (from /proc/self/mountinfo), deepest first. */
export function mountsUnder(path: string, mountinfo?: string): string[] {
  let text = mountinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/mountinfo', 'utf8');
    } catch {
      return [];
    }
  }
  const base = path.replace(/\/$/, '');
  const points = text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    // mountinfo escapes space, tab, newline and backslash as octal.
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === base || p.startsWith(`${base}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** The weight model a lab version runs: its release line's rule (8.4 frr8, 10.3 frr10-254). */
export function labWeightModel(v: LabFrrVersion): WeightModel {
  const [major, minor] = v.split('.').map(Number) as [number, number];
  return weightModelFor({ major, minor });
}

interface VersionedNode {
  readonly name: string;
  readonly frr?: Pick<FrrVersion, 'text'>;
}

/**
 * Each router's lab version. `--frr` (when given) runs the whole lab on that version; without it, a
 * node runs the version its fixture names (`frr:` on the node or in `defaults`), else the host's 8.4.
 * A mixed fabric (a rolling upgrade) is a fixture that names versions per node.
 */
export function nodeVersions(fabric: { readonly spines: readonly VersionedNode[]; readonly leaves: readonly VersionedNode[]; readonly servers: readonly VersionedNode[] }, labFrr: LabFrrVersion | undefined): Map<string, LabFrrVersion> {
  const out = new Map<string, LabFrrVersion>();
  for (const n of [...fabric.spines, ...fabric.leaves, ...fabric.servers]) {
    out.set(n.name, labFrr ?? (n.frr ? labFrrVersion(n.frr.text, `${n.name}'s frr, or give --frr`) : DEFAULT_LAB_FRR));
  }
  return out;
}
