import { describe, expect, test } from "vitest";
import { cheapestMeetingTarget, costFleets, replicasNeededByHour, scaleUps, type FleetInputs } from "../engine/fleet";
import { preemptedShare, priceHybrid } from "../engine/hybrid";
import type { UsageRecord } from "../engine/usage";
import { deriveWorkload } from "../engine/workload-derive";

const HOUR = 3_600_000;
const MONDAY = Date.parse("2026-11-02T00:00:00Z");
const M = 1e6;

/** A week of hourly buckets: 10.8M output tokens an hour from 09:00 to 17:00, `quiet` in the other hours. */
function week(quiet: number): UsageRecord[] {
  return Array.from({ length: 168 }, (_, h) => {
    const busy = h % 24 >= 9 && h % 24 < 17;
    const out = busy ? 10.8 * M : quiet;
    return {
      startMs: MONDAY + h * HOUR,
      endMs: MONDAY + (h + 1) * HOUR,
      model: "m",
      inputTokens: out * 2,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: out,
      requests: out / 500,
      batch: false,
      perRequest: false,
    };
  });
}

// One replica serves 1,000 output tok/s at the target: 3.6M tokens an hour, for $10 an hour.
const base: Omit<FleetInputs, "hourlyOutputTokens"> = {
  replicaOutputTokensPerSecond: 1000,
  replicaHourlyUsd: 10,
  nodesPerReplica: 1,
  minReplicas: 1,
  maxReplicas: 4,
  declaredReplicas: 2,
  coldStartMinutes: 30,
  preemptionsPerNodeDay: 0,
  overheadShare: 0,
  opsMonthlyUsd: 0,
};
const toMonth = 730 / 168;

describe("a week with a known daily cycle (8 busy hours needing 3 replicas, 16 quiet hours needing 1)", () => {
  const w = deriveWorkload(week(3.6 * M));
  const fleets = costFleets({ ...base, hourlyOutputTokens: w.hourlyOutputTokens });
  const [peak, declared, auto] = fleets;

  test("the profile: 168 hours, peak 10.8M over a mean of 6M (8 x 10.8M + 16 x 3.6M over 24 hours)", () => {
    expect(w.span.hours).toBe(168);
    expect(w.peakToMean).toBeCloseTo(10.8 / 6, 12);
    expect(w.hourOfWeek[9]).toBe(10.8 * M);
    expect(w.hourOfWeek[0]).toBe(3.6 * M);
    expect(w.warnings).toEqual([]);
    expect(w.trend).toBeNull();
  });

  test("fixed at peak: 3 replicas x 168 h = 504 replica-hours a week, 2,190 a month, $21,900; utilization 1008M / 1814.4M = 5/9", () => {
    expect(peak!.kind).toBe("fixed-peak");
    expect(peak!.replicaHoursPerMonth).toBeCloseTo(504 * toMonth, 9);
    expect(peak!.monthlyUsd).toBeCloseTo(21_900, 6);
    expect(peak!.utilization).toBeCloseTo(5 / 9, 12);
    expect(peak!.meetsTarget).toBe(true);
  });

  test("fixed at the declared 2 replicas: $14,600, but the 56 busy hours of the week are over capacity", () => {
    expect(declared!.monthlyUsd).toBeCloseTo(14_600, 6);
    expect(declared!.meetsTarget).toBe(false);
    expect(declared!.hoursOverCapacity).toBe(56);
  });

  test("autoscaled: 8 x 3 + 16 x 1 = 40 replica-hours a day, 2 scale-ups a day at $5 each (30 min x $10/h)", () => {
    expect(auto!.replicaHoursPerMonth).toBeCloseTo(280 * toMonth, 9);
    expect(auto!.scaleUpsPerMonth).toBeCloseTo(14 * toMonth, 9);
    expect(auto!.lines.find((l) => l.name === "cold starts")!.monthlyUsd).toBeCloseTo(14 * toMonth * 5, 9);
    expect(auto!.monthlyUsd).toBeCloseTo(280 * toMonth * 10 + 14 * toMonth * 5, 6);
    expect(auto!.utilization).toBeCloseTo(1, 12);
    expect(cheapestMeetingTarget(fleets)).toBe(auto);
  });

  test("replicas.max caps the autoscaler: with max 2 it cannot serve the busy hours", () => {
    const capped = costFleets({ ...base, maxReplicas: 2, hourlyOutputTokens: w.hourlyOutputTokens })[2]!;
    expect(capped.meetsTarget).toBe(false);
    expect(capped.peakReplicas).toBe(2);
  });

  test("spot: 0.5 preemptions a node-day bill one 30-minute cold start each", () => {
    const spot = costFleets({ ...base, preemptionsPerNodeDay: 0.5, hourlyOutputTokens: w.hourlyOutputTokens })[0]!;
    // 2,190 replica-hours a month x 0.5 / 24 = 45.625 preemptions, $5 each.
    expect(spot.preemptionsPerMonth).toBeCloseTo(45.625, 9);
    expect(spot.monthlyUsd).toBeCloseTo(21_900 + 45.625 * 5, 6);
  });
});

describe("scale to zero (replicas.min 0): a team that works in two-hour sessions", () => {
  test("no replica runs in idle hours; each session pays its cold starts", () => {
    const hourly = new Array<number>(168).fill(0);
    // Two-hour sessions at 10:00 on each weekday, needing one replica.
    for (let d = 0; d < 5; d++) hourly[d * 24 + 10] = hourly[d * 24 + 11] = 3 * M;
    const auto = costFleets({ ...base, minReplicas: 0, declaredReplicas: 1, hourlyOutputTokens: hourly })[2]!;
    expect(auto.replicaHoursPerMonth).toBeCloseTo(10 * toMonth, 9);
    expect(auto.scaleUpsPerMonth).toBeCloseTo(5 * toMonth, 9);
    expect(auto.monthlyUsd).toBeCloseTo(10 * toMonth * 10 + 5 * toMonth * 5, 6);
  });
});

describe("fleet helpers", () => {
  test("replicas needed: 3.6M tokens is exactly one replica, one more token needs two", () => {
    expect(replicasNeededByHour([0, 3.6 * M, 3.6 * M + 1], 1000)).toEqual([0, 1, 2]);
  });
  test("scale-ups count the repeating profile: 1,3,1 goes up twice (1->3 and, wrapping, none from 1->1)", () => {
    expect(scaleUps([1, 3, 1])).toBe(2);
    expect(scaleUps([2, 2, 2])).toBe(0);
  });
});

describe("the hybrid: k replicas all month and the API above them", () => {
  const hourly = deriveWorkload(week(3.6 * M)).hourlyOutputTokens;
  const hybridInputs = { ...base, hourlyOutputTokens: hourly, apiUsdPerOutputToken: 5 / M };

  test("at $5 per 1M output tokens one base replica is best: $7,300 + 1,752M API tokens x $5/M = $16,060", () => {
    const h = priceHybrid(hybridInputs);
    expect(h.points.map((p) => Math.round(p.monthlyUsd))).toEqual([21_900, 16_060, 18_980, 21_900]);
    expect(h.best.replicas).toBe(1);
    expect(h.best.apiShareOfOutputTokens).toBeCloseTo(403.2 / 1008, 12);
    expect(h.lines.reduce((a, l) => a + l.monthlyUsd, 0)).toBeCloseTo(h.best.monthlyUsd, 6);
  });

  test("a cheap API makes k = 0 (pure API) best; an expensive one makes the peak fleet best", () => {
    expect(priceHybrid({ ...hybridInputs, apiUsdPerOutputToken: 2 / M }).best.replicas).toBe(0);
    expect(priceHybrid({ ...hybridInputs, apiUsdPerOutputToken: 20 / M }).best.replicas).toBe(3);
  });

  test("spot minutes lost to preemption go to the API: 0.5 a day x 30 min is 1/96 of each replica's time", () => {
    expect(preemptedShare({ nodesPerReplica: 1, preemptionsPerNodeDay: 0.5, coldStartMinutes: 30 })).toBeCloseTo(
      1 / 96,
      12,
    );
    const spot = priceHybrid({ ...hybridInputs, preemptionsPerNodeDay: 0.5 });
    expect(spot.points[1]!.apiShareOfOutputTokens).toBeGreaterThan(403.2 / 1008);
  });
});
