/**
 * Load metrics over a prefix's live servers, from traffic shares and capacities. All but
 * maxUtilization are independent of the offered load, so sweeps can compute them once.
 */

export interface LoadMetrics {
  /** Highest load / capacity over live servers at the offered load. */
  readonly maxUtilization: number;
  /** Highest share / ideal share, ideal = capacity / total live capacity. 1 is perfect. */
  readonly maxOverIdeal: number;
  /** Jain's fairness index over utilizations (1 = all equally utilised). */
  readonly jain: number;
  /** The largest offered load with no live server above 100 %. */
  readonly safeLoad: number;
  /** Live capacity of the prefix (servers up behind a reachable leaf). */
  readonly liveCapacity: number;
}

/**
 * `share`, `capacity` and `live` are aligned arrays over the prefix's servers.
 * `count` limits the scan to the first entries (lets callers reuse larger buffers).
 */
export function loadMetrics(share: ArrayLike<number>, capacity: ArrayLike<number>, live: ArrayLike<number>, offeredLoad: number, count = share.length): LoadMetrics {
  let liveCapacity = 0;
  for (let i = 0; i < count; i++) if (live[i]) liveCapacity += capacity[i]!;
  let maxPerCapacity = 0;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let i = 0; i < count; i++) {
    if (!live[i]) continue;
    const x = share[i]! / capacity[i]!;
    if (x > maxPerCapacity) maxPerCapacity = x;
    sum += x;
    sumSq += x * x;
    n++;
  }
  return {
    maxUtilization: offeredLoad * maxPerCapacity,
    maxOverIdeal: liveCapacity > 0 ? maxPerCapacity * liveCapacity : 0,
    jain: n > 0 && sumSq > 0 ? (sum * sum) / (n * sumSq) : 1,
    safeLoad: maxPerCapacity > 0 ? 1 / maxPerCapacity : 0,
    liveCapacity,
  };
}
