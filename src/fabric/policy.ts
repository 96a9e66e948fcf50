/**
 * The `policy` section, read the same way from a fixture and from an agent config, so a fabric's
 * policy and the agents' policies mean the same thing. The scale (`mbps-per-unit`) is the caller's:
 * a fixture may derive it from the fabric, an agent must be told.
 */
import type { MapReader } from '../util/yaml-reader.js';
import { POLICY_MODES, type LeafPolicy } from './types.js';

export type PolicyWithoutScale = Omit<LeafPolicy, 'mbpsPerUnit' | 'mbpsPerUnitDerived'>;

/** Reads every policy key but `mbps-per-unit` (and whatever keys `extra` names, left to the caller). */
export function readPolicyFields(m: MapReader | undefined, extra: readonly string[] = []): PolicyWithoutScale {
  const mode = m?.get('mode')?.oneOf(POLICY_MODES) ?? 'link-bandwidth';
  const weightServers = m?.get('weight-servers')?.boolean() ?? true;
  const prepend = m?.get('prepend')?.map();
  const prependBelowFraction = prepend?.get('below-fraction')?.number({ min: 0, max: 1 }) ?? (mode === 'prepend' ? 0.5 : 0);
  const prependBelowServers = prepend?.get('below-servers')?.number({ min: 0, integer: true }) ?? 0;
  const prependLength = prepend?.get('length')?.number({ min: 1, max: 10, integer: true }) ?? 2;
  prepend?.done();
  const damping = m?.get('damping')?.map();
  const holdDownSeconds = damping?.get('hold-down-seconds')?.number({ min: 0 }) ?? 10;
  const minIntervalSeconds = damping?.get('min-interval-seconds')?.number({ min: 0 }) ?? 1;
  const minChangeFraction = damping?.get('min-change-fraction')?.number({ min: 0, max: 1 }) ?? 0;
  damping?.done();
  m?.get('mbps-per-unit');
  for (const key of extra) m?.get(key);
  m?.done();
  return { mode, weightServers, prependBelowFraction, prependBelowServers, prependLength, damping: { holdDownSeconds, minIntervalSeconds, minChangeFraction } };
}
