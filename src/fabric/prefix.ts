/** Anycast prefixes: parsed once, kept in canonical text form so they compare as strings. */
import { Address4, Address6 } from 'ip-address';
import { BallastError, InputError, quote } from '../util/errors.js';
import type { Cursor } from '../util/yaml-reader.js';

export type Family = 'ipv4' | 'ipv6';

export interface Prefix {
  readonly family: Family;
  /** Canonical `address/length`, e.g. `198.51.100.1/32`, `2001:db8::1/128`. */
  readonly text: string;
  readonly length: number;
}

/** Parse `a.b.c.d/len` or an IPv6 prefix; host bits must be zero. Throws BallastError with a stable code. */
export function parsePrefix(input: string): Prefix {
  const text = input.trim();
  const slash = text.indexOf('/');
  if (slash < 0) {
    throw new BallastError('E_PREFIX_INVALID', `Cannot parse prefix ${quote(input)}: expected address/length, e.g. "198.51.100.1/32"`);
  }
  if (text.includes('%')) {
    // ip-address accepts a zone (fe80::1%eth0) and drops it; a zone has no meaning in a route.
    throw new BallastError('E_PREFIX_INVALID', `Cannot parse prefix ${quote(input)}: a zone index (%...) is not allowed in a prefix, expected address/length`);
  }
  const family: Family = text.includes(':') ? 'ipv6' : 'ipv4';
  const max = family === 'ipv4' ? 32 : 128;
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) {
    throw new BallastError('E_PREFIX_LENGTH', `Cannot parse prefix ${quote(input)}: length /${lenText} is out of range, expected 0 to ${max} for ${family === 'ipv4' ? 'IPv4' : 'IPv6'}`);
  }
  const length = Number(lenText);
  let address: Address4 | Address6;
  try {
    address = family === 'ipv4' ? new Address4(text) : new Address6(text);
  } catch {
    const detail = family === 'ipv4' ? octetProblem(text.slice(0, slash)) : 'not a valid IPv6 address';
    throw new BallastError('E_PREFIX_INVALID', `Cannot parse prefix ${quote(input)}: ${detail}`);
  }
  const network = address.startAddress().correctForm();
  const host = address.correctForm();
  if (network !== host) {
    throw new BallastError('E_PREFIX_HOST_BITS', `Cannot use prefix ${quote(input)}: host bits are set, expected the network address ${network}/${length}${family === 'ipv4' && length < 32 ? ` (or ${host}/32 for one anycast address)` : ''}`);
  }
  return { family, text: `${network}/${length}`, length };
}

function octetProblem(address: string): string {
  const parts = address.split('.');
  if (parts.length !== 4) return `expected 4 octets, found ${parts.length}`;
  const bad = parts.find((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255);
  return bad === undefined ? 'not a valid IPv4 address' : `octet ${quote(bad)} is out of range 0-255`;
}

/** The bare address of a host prefix (/32 or /128), as `ip addr` wants it without the length. */
export function prefixAddress(prefix: Prefix): string {
  return prefix.text.slice(0, prefix.text.indexOf('/'));
}

/** The prefix at a YAML position; a bad one becomes an InputError at that position. */
export function prefixAt(c: Cursor): Prefix {
  const text = c.string();
  try {
    return parsePrefix(text);
  } catch (err) {
    if (err instanceof BallastError) throw new InputError(err.code, c.position, err.message);
    throw err;
  }
}

/** Whether `inner` lies inside `range` (same family, `inner` at least as long): a covering range holds its host routes. */
export function prefixContains(range: Prefix, inner: Prefix): boolean {
  if (range.family !== inner.family || inner.length < range.length) return false;
  if (range.family === 'ipv4') return new Address4(inner.text).isInSubnet(new Address4(range.text));
  return new Address6(inner.text).isInSubnet(new Address6(range.text));
}

/** Whether a prefix is one host route (/32 or /128): what an anycast service announces. */
export function isHostPrefix(p: Prefix): boolean {
  return p.length === (p.family === 'ipv4' ? 32 : 128);
}
