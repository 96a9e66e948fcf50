/** The `frr:` section every daemon config shares (agent, observer): how to reach vtysh. */
import type { MapReader } from '../util/yaml-reader.js';

export interface VtyshSettings {
  readonly vtysh: string;
  readonly vtyDir: string | null;
  readonly timeoutMs: number;
}

export function readVtyshSection(frr: MapReader | undefined): VtyshSettings {
  const vtysh = frr?.get('vtysh')?.string() ?? 'vtysh';
  const vtyDir = frr?.get('vty-socket-dir')?.string() ?? null;
  const timeoutMs = frr?.get('timeout-ms')?.number({ min: 100, max: 60000, integer: true }) ?? 3000;
  frr?.done();
  return { vtysh, vtyDir, timeoutMs };
}
