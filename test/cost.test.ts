import { describe, expect, test } from "vitest";
import {
  apiMonthlyUsd,
  breakEvenMonthlyOutputTokens,
  breakEvenOutputTokensPerSecond,
  breakEvenUtilization,
  monthlyOutputTokensPerReplica,
  replicasNeeded,
  selfHostMonthlyUsdAt,
  usdPerMillionOutputTokens,
  type ApiRates,
  type FleetCostModel,
} from "../engine/cost";

const gemini3Pro: ApiRates = {
  inputUsdPerMTok: 2,
  outputUsdPerMTok: 12,
  cachedInputUsdPerMTok: 0.2,
  cachedInputShare: 0,
  batchShare: 0,
  batchDiscount: 0.5,
};

describe("USD per 1M output tokens", () => {
  test("USD 3.50/h at 700 tok/s is USD 1.39 per 1M output tokens, 1.81 with 30 % overhead", () => {
    const perM = usdPerMillionOutputTokens(3.5, 700);
    expect(perM).toBeCloseTo(1.389, 3);
    expect(perM * 1.3).toBeCloseTo(1.806, 3);
  });

  test("USD 20/h needs 1.67M output tokens an hour to match Gemini 3 Pro's USD 12 per 1M (the reference story)", () => {
    // 20 / 12 * 1e6 = 1.667M tokens an hour = 463 tok/s.
    expect(usdPerMillionOutputTokens(20, 1_666_667 / 3600)).toBeCloseTo(12, 3);
  });

  test("a replica that serves nothing costs infinitely much per token", () => {
    expect(usdPerMillionOutputTokens(10, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("API bill", () => {
  test("60M input and 20M output tokens on Gemini 3 Pro cost 60 x 2 + 20 x 12 = USD 360", () => {
    expect(apiMonthlyUsd(gemini3Pro, 60e6, 20e6)).toBeCloseTo(360, 9);
  });

  test("half the input from the prompt cache at USD 0.2 saves 30 x 1.8 = USD 54", () => {
    expect(apiMonthlyUsd({ ...gemini3Pro, cachedInputShare: 0.5 }, 60e6, 20e6)).toBeCloseTo(306, 9);
  });

  test("all traffic on the batch API at a 50 % discount halves the bill", () => {
    expect(apiMonthlyUsd({ ...gemini3Pro, batchShare: 1 }, 60e6, 20e6)).toBeCloseTo(180, 9);
  });
});

describe("fleet size", () => {
  test("100 tok/s for 730 h at 60 % utilization is 157.68M tokens a month", () => {
    expect(monthlyOutputTokensPerReplica(100, 730, 0.6)).toBeCloseTo(157_680_000, 0);
  });

  test.each([
    [20e6, 157.68e6, 1, 1],
    [200e6, 157.68e6, 1, 2],
    [1e6, 157.68e6, 3, 3],
    [0, 157.68e6, 0, 0],
  ])("%d tokens at %d per replica with min %d needs %d replicas", (volume, perReplica, min, expected) => {
    expect(replicasNeeded(volume, perReplica, min)).toBe(expected);
  });
});

describe("break-even", () => {
  // One replica: USD 10,000 a month all-in, serves 100M tokens; ops USD 5,000. API: USD 0.0002 per output token (USD 200 per 1M).
  const fleet: FleetCostModel = {
    perReplicaMonthlyUsd: 10_000,
    fixedMonthlyUsd: 5_000,
    tokensPerReplicaMonth: 100e6,
    minReplicas: 1,
  };
  const apiPerToken = 200 / 1e6;

  test("with one replica, self-hosting (USD 15,000) beats the API from 75M tokens a month", () => {
    expect(breakEvenMonthlyOutputTokens(fleet, apiPerToken)).toBeCloseTo(75e6, 0);
  });

  test("when one replica's range is too small, the crossing is found on the replica count that can carry it", () => {
    // API at USD 120 per 1M: r=1 needs 125M > 100M; r=2 costs 25,000 -> 208.3M > 200M; r=3 costs 35,000 -> 291.7M <= 300M.
    expect(breakEvenMonthlyOutputTokens(fleet, 120 / 1e6)).toBeCloseTo(291_666_667, 0);
    expect(selfHostMonthlyUsdAt(fleet, 291_666_667)).toBe(35_000);
  });

  test("when one more replica costs more per token than the API, self-hosting never wins", () => {
    expect(breakEvenMonthlyOutputTokens(fleet, 99 / 1e6)).toBeNull();
  });

  test("the break-even utilization of a USD 15,000 fleet serving 100M tokens at full load against USD 200 per 1M is 75 %", () => {
    expect(breakEvenUtilization(15_000, 100e6, apiPerToken)).toBeCloseTo(0.75, 9);
  });

  test("a USD 15,000-a-month replica at 730 h and 75 % utilization must serve 15,000 / (730 x 3600 x 0.75 x USD 200 per 1M) = 38.05 tok/s", () => {
    expect(breakEvenOutputTokensPerSecond(15_000, 730, 0.75, apiPerToken)).toBeCloseTo(
      15_000 / (730 * 3600 * 0.75 * 200e-6),
      9,
    );
    expect(breakEvenOutputTokensPerSecond(15_000, 730, 0.75, apiPerToken)).toBeCloseTo(38.05, 2);
  });

  test("a break-even utilization above 1 means the fleet can never pay for itself", () => {
    expect(breakEvenUtilization(52_000, 100e6, 18 / 1e6)).toBeGreaterThan(1);
  });
});
