/**
 * The lab's state file: everything `up` created, written before each step that creates something,
 * so `down` (or the cleanup of an interrupted `up`) removes exactly that and nothing else.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BallastError } from '../util/errors.js';
import type { ClientMode } from './client.js';
import type { LeafPolicyName } from './topology.js';

export const DEFAULT_RUN_DIR = '/run/ballast-lab';

export interface DaemonRecord {
  readonly ns: string;
  /** `agent`: the leaf agent of `--leaf-policy ballast`. */
  readonly daemon: 'mgmtd' | 'zebra' | 'bgpd' | 'agent' | 'observer';
  readonly pid: number;
}

export interface LabState {
  readonly schemaVersion: 1;
  /** Absolute path of the fixture the lab was built from. */
  readonly fixture: string;
  readonly leafPolicy: LeafPolicyName;
  readonly runDir: string;
  /** Namespace prefix; absent in states written before it existed, meaning NETNS_PREFIX. */
  readonly nsPrefix?: string;
  readonly startedAt: string;
  /** `creating` until every session is up; a state left in `creating` is an interrupted `up`. */
  phase: 'creating' | 'up';
  /** Namespaces created, in creation order. */
  readonly namespaces: string[];
  readonly daemons: DaemonRecord[];
  /** Servers whose anycast addresses are removed (fixture state not up, or `lab fail`). */
  failed: string[];
  /** The lab's FRR version (`--frr`); absent in states written before versions existed: 8.4. */
  readonly frr?: string;
  /** Mount points (chroot views, frr-chroot.ts), recorded before each mount; `down` unmounts them. */
  readonly mounts?: string[];
  /** Chroot views mounted by this lab (directories beside the run directory). */
  readonly views?: string[];
  /** Leaf-spine links taken down by `lab fail LEAF/SPINE` (canonical names); absent in older states. */
  failedLinks?: string[];
  /** How the client routes (`lab up --client`); absent in older states: static. */
  readonly client?: ClientMode;
}

export function statePath(runDir: string): string {
  return join(runDir, 'state.json');
}

/** The lab's state, or null when no lab exists. */
export function readState(runDir: string): LabState | null {
  let text: string;
  try {
    text = readFileSync(statePath(runDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BallastError('E_LAB', `Cannot read the lab state ${statePath(runDir)}: ${(err as Error).message}`);
  }
  try {
    const state = JSON.parse(text) as LabState;
    if (state.schemaVersion !== 1 || !Array.isArray(state.namespaces) || !Array.isArray(state.daemons)) throw new Error('unexpected shape');
    return state;
  } catch (err) {
    throw new BallastError('E_LAB', `Cannot parse the lab state ${statePath(runDir)}: ${(err as Error).message}; remove the lab's namespaces (ip netns list) and that file by hand`);
  }
}

/** Write atomically: a crash mid-write must never leave a state `down` cannot read. */
export function writeState(state: LabState): void {
  mkdirSync(state.runDir, { recursive: true, mode: 0o755 });
  const tmp = `${statePath(state.runDir)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, statePath(state.runDir));
}
