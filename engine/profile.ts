import type { UsageRecord } from "./usage";

/**
 * The workload a team already has, derived from its usage records: the span
 * covered, monthly volumes scaled to a 730-hour month, the request shape, the
 * cache and batch shares, the hour-of-week profile and the hour-by-hour
 * series the fleets follow.
 */

const HOUR_MS = 3_600_000;
/** Hours in the month every monthly figure is scaled to (as Infracost uses). */
export { HOURS_PER_MONTH } from "./units";
/** Below this span the hour-of-week profile has seen each weekday at most once. */
export const MIN_PROFILE_DAYS = 7;
/** Two full weeks at least before a week-over-week trend means anything. */
const MIN_TREND_WEEKS = 2;

/** Per-request sizes, measured or estimated (and said so). */
export interface PerRequest {
  meanInputTokens: number | null;
  meanOutputTokens: number | null;
  p50InputTokens?: number | undefined;
  p90InputTokens?: number | undefined;
  p50OutputTokens?: number | undefined;
  p90OutputTokens?: number | undefined;
  /** "per-request": from request logs (percentiles exist); "bucket-mean": tokens / requests of aggregates, an estimate; "unknown": no request counts. */
  source: "per-request" | "bucket-mean" | "unknown";
  note: string;
}

/** The workload as the usage shows it (the `breakeven workload` JSON contract). */
export interface WorkloadFromUsage {
  span: { start: string; end: string; hours: number };
  monthly: {
    inputTokens: number;
    cachedInputTokens: number;
    cacheWriteTokens: number;
    outputTokens: number;
    requests: number | null;
  };
  perRequest: PerRequest;
  /** Cache reads over all input tokens. */
  cachedInputShare: number;
  /** Tokens (input + output) sent through the batch API over all tokens. */
  batchShare: number;
  /** Mean output tokens an hour for each hour of the week, UTC, Monday 00:00 first (168 values). */
  hourOfWeek: number[];
  /** Busiest hour over the mean hour of the span. */
  peakToMean: number;
  /** Week-over-week change of output tokens (least squares over full weeks); null when the span is under two weeks. */
  trend: { weeks: number; outputTokensChangePctPerWeek: number } | null;
  /** Output tokens of each model, largest first. */
  models: { model: string; outputTokens: number }[];
  /** Output tokens in each hour of the span, oldest first: what the fleets follow. */
  hourlyOutputTokens: number[];
  warnings: string[];
}

/** The whole hours [first, last) the records cover. */
export function hourRange(records: readonly UsageRecord[]): { firstHour: number; endHour: number } {
  let first = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    first = Math.min(first, Math.floor(r.startMs / HOUR_MS));
    end = Math.max(end, r.endMs > r.startMs ? Math.ceil(r.endMs / HOUR_MS) : Math.floor(r.startMs / HOUR_MS) + 1);
  }
  return { firstHour: first, endHour: end };
}

/**
 * Output tokens in each hour from `firstHour`: a request lands in its hour, a
 * bucket spreads evenly over the time it covers (a daily bucket has no
 * hour-of-day shape of its own).
 */
export function hourlyOutputTokens(records: readonly UsageRecord[], firstHour: number, hours: number): number[] {
  const out = new Array<number>(hours).fill(0);
  for (const r of records) {
    if (r.endMs <= r.startMs) {
      out[Math.floor(r.startMs / HOUR_MS) - firstHour]! += r.outputTokens;
      continue;
    }
    const duration = r.endMs - r.startMs;
    for (let h = Math.floor(r.startMs / HOUR_MS); h * HOUR_MS < r.endMs; h++) {
      const overlap = Math.min(r.endMs, (h + 1) * HOUR_MS) - Math.max(r.startMs, h * HOUR_MS);
      out[h - firstHour]! += (r.outputTokens * overlap) / duration;
    }
  }
  return out;
}

/** Mean of each hour of the week (UTC, Monday 00:00 = index 0) over the hours seen. */
export function hourOfWeekProfile(hourly: readonly number[], firstHour: number): number[] {
  const sums = new Array<number>(168).fill(0);
  const counts = new Array<number>(168).fill(0);
  for (let i = 0; i < hourly.length; i++) {
    // The epoch (hour 0) was a Thursday 00:00 UTC: Monday-first index is (hour + 72) mod 168.
    const slot = (firstHour + i + 72) % 168;
    sums[slot]! += hourly[i]!;
    counts[slot]! += 1;
  }
  return sums.map((s, i) => (counts[i] ? s / counts[i]! : 0));
}

/** Busiest hour over the mean hour; 0 for an empty series. */
export function peakToMean(hourly: readonly number[]): number {
  let total = 0;
  let peak = 0;
  for (const x of hourly) {
    total += x;
    if (x > peak) peak = x;
  }
  return total > 0 ? peak / (total / hourly.length) : 0;
}

/** Least-squares week-over-week change of the weekly totals, % of the mean week; null under two full weeks. */
export function weeklyTrend(hourly: readonly number[]): WorkloadFromUsage["trend"] {
  const weeks = Math.floor(hourly.length / 168);
  if (weeks < MIN_TREND_WEEKS) return null;
  const totals = Array.from({ length: weeks }, (_, w) =>
    hourly.slice(w * 168, (w + 1) * 168).reduce((a, b) => a + b, 0),
  );
  const meanX = (weeks - 1) / 2;
  const meanY = totals.reduce((a, b) => a + b, 0) / weeks;
  let num = 0;
  let den = 0;
  totals.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return { weeks, outputTokensChangePctPerWeek: meanY > 0 ? (num / den / meanY) * 100 : 0 };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
