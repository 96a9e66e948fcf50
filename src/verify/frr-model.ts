/**
 * Which weight model a router's FRR version implies (FRR-FACTS.md, "Weight formula history"). The
 * 16-bit option of FRR >= 10.5 cannot be seen from the version: say it with --spine-weights.
 */
import type { WeightModel } from '../fabric/types.js';

export interface VersionModel {
  readonly model: WeightModel | null;
  /** Why there is no model, or what the model leaves out. */
  readonly note: string | null;
}

export function modelForFrrVersion(version: string): VersionModel {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return { model: null, note: `FRR version ${JSON.stringify(version)} is unknown` };
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major < 7 || (major === 7 && minor < 4)) return { model: 'ecmp', note: `FRR ${version} predates weighted ECMP (7.4)` };
  if (major < 10) return { model: 'frr8', note: null };
  if (major === 10 && minor >= 2 && minor <= 4) return { model: 'frr10', note: `FRR ${version} scales weights to 254, not 255: predicted with frr10` };
  return { model: 'frr10', note: null };
}
