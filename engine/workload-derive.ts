import {
  HOURS_PER_MONTH,
  MIN_PROFILE_DAYS,
  hourOfWeekProfile,
  hourRange,
  hourlyOutputTokens,
  peakToMean,
  percentile,
  weeklyTrend,
  type PerRequest,
  type WorkloadFromUsage,
} from "./profile";
import type { UsageRecord } from "./usage";

const HOUR_MS = 3_600_000;

interface Totals {
  input: number;
  cached: number;
  cacheWrite: number;
  output: number;
  batchTokens: number;
  /** Requests and tokens of the records that carry a request count. */
  counted: { requests: number; input: number; output: number };
  anyUncounted: boolean;
}

function totalsOf(records: readonly UsageRecord[]): Totals {
  const t: Totals = {
    input: 0,
    cached: 0,
    cacheWrite: 0,
    output: 0,
    batchTokens: 0,
    counted: { requests: 0, input: 0, output: 0 },
    anyUncounted: false,
  };
  for (const r of records) {
    t.input += r.inputTokens;
    t.cached += r.cachedInputTokens;
    t.cacheWrite += r.cacheWriteTokens;
    t.output += r.outputTokens;
    if (r.batch) t.batchTokens += r.inputTokens + r.outputTokens;
    if (r.requests === null) t.anyUncounted = true;
    else {
      t.counted.requests += r.requests;
      t.counted.input += r.inputTokens;
      t.counted.output += r.outputTokens;
    }
  }
  return t;
}

/** Per-request sizes: percentiles from request logs, else tokens over requests of the buckets that count them, labelled an estimate. */
export function perRequestSizes(records: readonly UsageRecord[], t: Totals): PerRequest {
  const single = records.filter((r) => r.perRequest);
  if (single.length > 0 && single.length === records.length) {
    const inputs = single.map((r) => r.inputTokens).sort((a, b) => a - b);
    const outputs = single.map((r) => r.outputTokens).sort((a, b) => a - b);
    return {
      meanInputTokens: t.input / single.length,
      meanOutputTokens: t.output / single.length,
      p50InputTokens: percentile(inputs, 50),
      p90InputTokens: percentile(inputs, 90),
      p50OutputTokens: percentile(outputs, 50),
      p90OutputTokens: percentile(outputs, 90),
      source: "per-request",
      note: `${single.length} requests`,
    };
  }
  if (t.counted.requests > 0) {
    const share = t.output > 0 ? t.counted.output / t.output : 1;
    return {
      meanInputTokens: t.counted.input / t.counted.requests,
      meanOutputTokens: t.counted.output / t.counted.requests,
      source: "bucket-mean",
      note: `an estimate: tokens over requests of aggregated buckets (${(share * 100).toFixed(0)} % of output tokens carry a request count); no percentiles without per-request data`,
    };
  }
  return {
    meanInputTokens: null,
    meanOutputTokens: null,
    source: "unknown",
    note: "the usage has no request counts (Anthropic's usage report has none): give workload.inputTokensPerRequest and outputTokensPerRequest",
  };
}

/** Output tokens of each model, largest first. */
function modelShares(records: readonly UsageRecord[]): { model: string; outputTokens: number }[] {
  const by = new Map<string, number>();
  for (const r of records) by.set(r.model, (by.get(r.model) ?? 0) + r.outputTokens);
  return [...by]
    .map(([model, outputTokens]) => ({ model, outputTokens }))
    .sort((a, b) => b.outputTokens - a.outputTokens);
}

/**
 * The workload the records show. Monthly figures are the span's totals
 * times 730 / span hours; a span under 7 days is a warning, since the
 * hour-of-week profile has then not seen every weekday.
 */
export function deriveWorkload(records: readonly UsageRecord[]): WorkloadFromUsage {
  if (records.length === 0) throw new RangeError("deriveWorkload needs at least one usage record");
  const { firstHour, endHour } = hourRange(records);
  const hours = endHour - firstHour;
  const t = totalsOf(records);
  const scale = HOURS_PER_MONTH / hours;
  const hourly = hourlyOutputTokens(records, firstHour, hours);
  const warnings: string[] = [];
  if (hours < MIN_PROFILE_DAYS * 24) {
    warnings.push(
      `The usage spans ${(hours / 24).toFixed(1)} days, under ${MIN_PROFILE_DAYS}: the hour-of-week profile is thin and the monthly figures rest on few days.`,
    );
  }
  if (records.some((r) => r.endMs - r.startMs > HOUR_MS)) {
    warnings.push(
      "Some buckets are longer than an hour (e.g. bucket_width 1d): their tokens are spread evenly over the bucket, so the hourly profile is flat inside them; export with bucket_width 1h for the daily cycle.",
    );
  }
  const perRequest = perRequestSizes(records, t);
  const allInput = t.input + t.output;
  return {
    span: { start: new Date(firstHour * HOUR_MS).toISOString(), end: new Date(endHour * HOUR_MS).toISOString(), hours },
    monthly: {
      inputTokens: t.input * scale,
      cachedInputTokens: t.cached * scale,
      cacheWriteTokens: t.cacheWrite * scale,
      outputTokens: t.output * scale,
      requests: t.anyUncounted ? null : t.counted.requests * scale,
    },
    perRequest,
    cachedInputShare: t.input > 0 ? t.cached / t.input : 0,
    batchShare: allInput > 0 ? t.batchTokens / allInput : 0,
    hourOfWeek: hourOfWeekProfile(hourly, firstHour),
    peakToMean: peakToMean(hourly),
    trend: weeklyTrend(hourly),
    models: modelShares(records),
    hourlyOutputTokens: hourly,
    warnings,
  };
}
