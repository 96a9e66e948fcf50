/**
 * Counts for people: `25,153`. Not `toLocaleString('en-US')`, whose first call loads ICU's locale
 * data (about 100 ms of a `ballast plan` run that otherwise needs a few hundred). Whole numbers
 * (others are rounded to one): counts, rates.
 */
export function thousands(n: number): string {
  const text = String(Math.round(Math.abs(n)));
  // 1e21 and up print in exponent form (and Infinity): no separators to add to that.
  if (!/^\d+$/.test(text)) return String(n);
  return `${n <= -0.5 ? '-' : ''}${text.replace(/\B(?=(\d{3})+$)/g, ',')}`;
}
