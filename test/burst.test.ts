import { describe, expect, test } from "vitest";
import { burstOutputTokensPerSecond, burstPrompts } from "../calibration/rows";
import type { ThroughputRow } from "../calibration/points";

/** A replica whose per-request speed is 10 tok/s at any batch: throughput(k) = 10k. */
const linear = (k: number) => ({ outputTokensPerSecond: 10 * k });

describe("a burst of variable-length requests", () => {
  test("4 requests of mean 100 tokens on a cap of 4 drain in 100 x (1/40 + 1/30 + 1/20 + 1/10) s = 20.83 s: 19.2 tok/s, not the full batch's 40", () => {
    expect(burstOutputTokensPerSecond(4, 4, 100, linear)).toBeCloseTo(
      400 / (100 * (1 / 40 + 1 / 30 + 1 / 20 + 1 / 10)),
      6,
    );
  });

  test("a queue ten times the cap runs full for 36 of its 40 mean outputs, then drains: 4000 tokens in 90 + 20.83 s", () => {
    expect(burstOutputTokensPerSecond(40, 4, 100, linear)).toBeCloseTo(
      4000 / (3600 / 40 + 100 * (1 / 40 + 1 / 30 + 1 / 20 + 1 / 10)),
      6,
    );
  });

  test("a replica that is as fast at any batch (throughput flat in k) loses nothing to the drain", () => {
    expect(burstOutputTokensPerSecond(1000, 256, 200, () => ({ outputTokensPerSecond: 500 }))).toBeCloseTo(500, 6);
  });
});

describe("the prompt count of an everything-at-once run", () => {
  const row = (num_prompts: number | undefined, notes: string) => ({ num_prompts, notes }) as ThroughputRow;
  test("is the row's num_prompts, else the count its notes give, else the benchmark clients' default of 1000", () => {
    expect(burstPrompts(row(500, "ShareGPT 1000 prompts"))).toBe(500);
    expect(burstPrompts(row(undefined, "ShareGPT 1000 prompts sent at rate=inf"))).toBe(1000);
    expect(burstPrompts(row(undefined, "random 4000/200, 500 prompts at rate=inf"))).toBe(500);
    expect(burstPrompts(row(undefined, "all prompts sent at once"))).toBe(1000);
  });
});
