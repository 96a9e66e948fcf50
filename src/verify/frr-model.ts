/**
 * Which weight model a router's FRR version (as its observer read it) implies: the fabric's own rule
 * (fabric/weight-model.ts). The 16-bit option of FRR >= 10.5 cannot be seen from the version: say it
 * with --spine-weights.
 */
import { parseFrrVersion, weightModelFor, type WeightModel } from '../fabric/weight-model.js';

export interface VersionModel {
  readonly model: WeightModel | null;
  /** Why there is no model. */
  readonly note: string | null;
}

export function modelForFrrVersion(version: string): VersionModel {
  const v = parseFrrVersion(version);
  if ('problem' in v) return { model: null, note: `FRR version ${JSON.stringify(version)} is not one: ${v.problem}` };
  try {
    return { model: weightModelFor(v), note: null };
  } catch (err) {
    return { model: null, note: (err as Error).message };
  }
}
