import { costFleets, type FleetInputs } from "../engine/fleet";
import { priceHybrid } from "../engine/hybrid";
import type { UsageRecord } from "../engine/usage";
import { deriveWorkload } from "../engine/workload-derive";

/** Goal (issue 15): a 90-day hourly profile through the three fleets and the hybrid in under 50 ms. */
export const FLEETS_GOAL_MS = 50;
const RUNS = 9;
const HOUR = 3_600_000;

/** 90 days of hourly buckets with a daily and weekly cycle and noise (a fixed seed, so runs compare). */
function ninetyDays(): UsageRecord[] {
  let seed = 42;
  const noise = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 0.4 + 0.8;
  const start = Date.parse("2026-09-07T00:00:00Z");
  return Array.from({ length: 90 * 24 }, (_, h) => {
    const hour = h % 24;
    const weekday = Math.floor(h / 24) % 7 < 5;
    const out = Math.round((weekday && hour >= 9 && hour < 18 ? 30e6 : 4e6) * noise());
    return {
      startMs: start + h * HOUR,
      endMs: start + (h + 1) * HOUR,
      model: "m",
      inputTokens: out * 3,
      cachedInputTokens: out,
      cacheWriteTokens: 0,
      outputTokens: out,
      requests: out / 400,
      batch: false,
      perRequest: false,
    };
  });
}

/** Times deriving the profile, costing the three fleets and searching the hybrid; returns report lines. */
export function benchFleets(): string[] {
  const records = ninetyDays();
  const times: number[] = [];
  let detail = "";
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const w = deriveWorkload(records);
    const inputs: FleetInputs = {
      hourlyOutputTokens: w.hourlyOutputTokens,
      replicaOutputTokensPerSecond: 1500,
      replicaHourlyUsd: 11.06,
      nodesPerReplica: 1,
      minReplicas: 1,
      maxReplicas: 8,
      declaredReplicas: 3,
      coldStartMinutes: 9,
      preemptionsPerNodeDay: 0.5,
      overheadShare: 0.3,
      opsMonthlyUsd: 4300,
    };
    const fleets = costFleets(inputs);
    const hybrid = priceHybrid({ ...inputs, apiUsdPerOutputToken: 15e-6 });
    times.push(performance.now() - t0);
    detail = `${w.span.hours} hours; fleets ${fleets.map((f) => `${f.kind} $${Math.round(f.monthlyUsd).toLocaleString("en-US")}`).join(", ")}; hybrid k=${hybrid.best.replicas} $${Math.round(hybrid.best.monthlyUsd).toLocaleString("en-US")} of ${hybrid.points.length} sizes`;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(RUNS / 2)]!;
  return [
    `90-day hourly profile through the three fleets and the hybrid (derive + fleets + hybrid search), median of ${RUNS} runs, goal < ${FLEETS_GOAL_MS} ms:`,
    `  ${median.toFixed(2)} ms median, ${sorted[0]!.toFixed(2)} ms fastest (${detail}) ${median < FLEETS_GOAL_MS ? "ok" : "OVER GOAL"}`,
  ];
}

if (require.main === module) process.stdout.write(`${benchFleets().join("\n")}\n`);
