import type { ThroughputPoint } from "./throughput";

/** Latency the product needs. */
export interface LatencyTarget {
  minOutputTokensPerSecondPerRequest?: number | undefined;
  maxTimeToFirstTokenMs?: number | undefined;
}

/** True when a point meets every part of the target. */
export function meetsTarget(point: ThroughputPoint, target: LatencyTarget | undefined): boolean {
  if (!target) return true;
  if (
    target.minOutputTokensPerSecondPerRequest !== undefined &&
    point.perRequestOutputTokensPerSecond < target.minOutputTokensPerSecondPerRequest
  )
    return false;
  if (target.maxTimeToFirstTokenMs !== undefined && point.ttftMs > target.maxTimeToFirstTokenMs) return false;
  return true;
}

/** Concurrencies 1, 2, 4, ... below `limit`, then `limit` itself. */
export function sweepConcurrencies(limit: number): number[] {
  const out: number[] = [];
  for (let c = 1; c < limit; c *= 2) out.push(c);
  if (limit >= 1) out.push(limit);
  return out;
}

/**
 * The highest concurrency in `[1, limit]` that `meets`, or undefined when
 * even one request misses: the limit if it meets, else a binary search over
 * [1, limit], in at most log2(limit) + 2 calls. Per-request speed falls and
 * TTFT rises with concurrency (strictly in the closed form; in the
 * simulation TTFT wobbles by a few percent with the step phase, so this
 * finds a boundary, not always the very last concurrency that meets).
 * Because the path depends on the target only through the answers, a
 * stricter target (met at no concurrency the looser one misses) never ends
 * higher.
 */
export function highestConcurrencyMeeting(meets: (concurrency: number) => boolean, limit: number): number | undefined {
  if (meets(limit)) return limit;
  if (!meets(1)) return undefined;
  let lo = 1;
  let hi = limit;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (meets(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
