/** What a leaf advertises to its spines for one anycast prefix. */
export type Advertisement =
  /** No healthy server: the leaf has no path of its own to send. */
  | { readonly kind: 'withdraw' }
  | {
      readonly kind: 'advertise';
      /** Link-bandwidth extended community in Mbps (1-25600), or null for none. */
      readonly bandwidthMbps: number | null;
      /** Extra copies of the leaf's AS prepended toward the spines; 0 for none. */
      readonly prepend: number;
    };

export const WITHDRAW: Advertisement = Object.freeze({ kind: 'withdraw' });

export function sameAdvertisement(a: Advertisement, b: Advertisement): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'withdraw' || b.kind === 'withdraw') return true;
  return a.bandwidthMbps === b.bandwidthMbps && a.prepend === b.prepend;
}

/** Short human form used in logs and reports: `lb 800 Mbps`, `lb 400 Mbps +2 prepend`, `withdrawn`. */
export function describeAdvertisement(a: Advertisement): string {
  if (a.kind === 'withdraw') return 'withdrawn';
  const parts: string[] = [];
  parts.push(a.bandwidthMbps === null ? 'no lb' : `lb ${a.bandwidthMbps} Mbps`);
  if (a.prepend > 0) parts.push(`prepend x${a.prepend}`);
  return parts.join(', ');
}
