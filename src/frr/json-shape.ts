/**
 * Field checks for FRR's JSON answers. A shape FRR did not print (a truncated reply, another version's
 * field, a null where an object was) fails with E_FRR_PARSE naming the field, never a TypeError: the
 * agent treats E_FRR_PARSE as FRR misbehaving and keeps its last good state (docs/faults.md).
 */
import { BallastError } from '../util/errors.js';

export type Json = Record<string, unknown>;

export function shapeError(where: string, what: string): never {
  throw new BallastError('E_FRR_PARSE', `Unexpected FRR JSON: ${where} ${what}`);
}

export function object(v: unknown, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) shapeError(where, 'is not an object');
  return v as Json;
}

export function list(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) shapeError(where, 'is not a list');
  return v;
}

export function string(v: unknown, where: string): string {
  if (typeof v !== 'string') shapeError(where, 'is not a string');
  return v;
}

export function number(v: unknown, where: string): number {
  if (typeof v !== 'number') shapeError(where, 'is not a number');
  return v;
}
