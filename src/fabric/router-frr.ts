/**
 * A router's `frr:`, `weights:` and `nexthop-weight-16-bit:` keys in a fixture -> its FRR version and
 * weight model, with file:line:col errors. Shared by spines and leaves (servers only carry `frr:`).
 */
import { BallastError, InputError, quote } from '../util/errors.js';
import type { Cursor, MapReader } from '../util/yaml-reader.js';
import { frrWeightLine, parseFrrVersion, weightModelFor, WEIGHT_MODELS, type FrrVersion, type WeightModel } from './weight-model.js';

/** The version at a YAML position. A bare number is refused: YAML reads `10.10` as 10.1. */
export function frrVersionAt(c: Cursor): FrrVersion {
  const v = c.value;
  if (typeof v === 'number') {
    c.fail('E_SCHEMA_TYPE', `${c.path} is the number ${v}, expected a quoted version string such as "${v}" (YAML reads 10.10 as the number 10.1)`);
  }
  const text = c.string();
  const parsed = parseFrrVersion(text);
  if ('problem' in parsed) c.fail('E_FRR_VERSION', `${c.path} is ${quote(text)}, ${parsed.problem}`);
  return parsed;
}

/** A key that is present and not null. */
function given(m: MapReader | undefined, key: string): Cursor | undefined {
  const c = m?.get(key);
  return c && !c.isNull() ? c : undefined;
}

/**
 * The router's own keys beat its defaults; on one level an explicit `weights:` (an override, e.g.
 * `ecmp` for `bgp bestpath bandwidth ignore`) beats `frr:`. Without either the model is frr8, the
 * FRR 8.4 that the lab runs by default.
 */
export function readRouterFrr(entry: MapReader, defaults: MapReader | undefined): { frr?: FrrVersion; weights: WeightModel } {
  const levels = [entry, defaults].map((m) => ({ weights: given(m, 'weights'), frr: given(m, 'frr'), bit: given(m, 'nexthop-weight-16-bit') }));
  const frrCursor = levels[0]!.frr ?? levels[1]!.frr;
  const frr = frrCursor ? frrVersionAt(frrCursor) : undefined;
  const bitCursor = levels[0]!.bit ?? levels[1]!.bit;
  const bit = bitCursor?.boolean() ?? false;
  const withFrr = frr ? { frr } : {};
  for (const level of levels) {
    if (level.weights) {
      if (level.bit) level.bit.fail('E_SCHEMA_VALUE', `${level.bit.path} is set beside ${level.weights.path}: the 16-bit option chooses among the models of frr:, expected either weights: (an override) or nexthop-weight-16-bit`);
      return { ...withFrr, weights: level.weights.oneOf(WEIGHT_MODELS) };
    }
    if (level.frr && frr) {
      if (bit && frrWeightLine(frr) && !frrWeightLine(frr)!.model16) {
        bitCursor!.fail('E_FRR_VERSION', `${bitCursor!.path} is true, but FRR ${frr.text} (${level.frr.path}) has no --nexthop-weight-16-bit: expected FRR 10.5 or later`);
      }
      return { frr, weights: modelAt(level.frr, frr, bit) };
    }
  }
  if (bit) bitCursor!.fail('E_FRR_VERSION', `${bitCursor!.path} is true without frr:, expected an FRR version of 10.5 or later on the router or in its defaults`);
  return { weights: 'frr8' };
}

function modelAt(c: Cursor, version: FrrVersion, bit: boolean): WeightModel {
  try {
    return weightModelFor(version, bit);
  } catch (err) {
    if (err instanceof BallastError) throw new InputError(err.code, c.position, `${c.path} is ${quote(version.text)}: ${err.message}`);
    throw err;
  }
}
