/** The `frr:` section every daemon config shares (agent, observer): how to reach vtysh and the daemons' vty sockets. */
import type { MapReader } from '../util/yaml-reader.js';

/**
 * How reads (`show ...`) reach FRR: `socket` straight over the daemon's vty socket (no vtysh process:
 * about 1 ms instead of 70-150 ms of CPU per read, bench/vty-socket.md), or `vtysh` as writes always do.
 */
export const FRR_READS = ['socket', 'vtysh'] as const;
export type FrrReads = (typeof FRR_READS)[number];

export interface VtyshSettings {
  readonly vtysh: string;
  readonly vtyDir: string | null;
  readonly timeoutMs: number;
  readonly reads: FrrReads;
}

export function readVtyshSection(frr: MapReader | undefined): VtyshSettings {
  const vtysh = frr?.get('vtysh')?.string() ?? 'vtysh';
  const vtyDir = frr?.get('vty-socket-dir')?.string() ?? null;
  const timeoutMs = frr?.get('timeout-ms')?.number({ min: 100, max: 60000, integer: true }) ?? 3000;
  const reads = frr?.get('reads')?.oneOf(FRR_READS) ?? 'socket';
  frr?.done();
  return { vtysh, vtyDir, timeoutMs, reads };
}
