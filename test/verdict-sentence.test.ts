import { describe, expect, test } from "vitest";
import { cannotServeReason, verdictSentence } from "../engine/verdict-sentence";

const option = { host: "Qwen3 8B on 1 x g2-standard-8 (spot)", apiModel: "gpt-4o-mini" };

describe("the verdict sentence", () => {
  test.each([
    [
      "self-host",
      800,
      2000,
      "Self-host: Qwen3 8B on 1 x g2-standard-8 (spot) costs $800 a month against $2,000 for gpt-4o-mini, saving $1,200.",
    ],
    [
      "api",
      2500,
      2000,
      "The API wins: Qwen3 8B on 1 x g2-standard-8 (spot) costs $2,500 a month against $2,000 for gpt-4o-mini.",
    ],
    [
      "api-not-allowed",
      2500,
      2000,
      "The API is not allowed for this workload, so self-hosting is the only option: Qwen3 8B on 1 x g2-standard-8 (spot) costs $2,500 a month.",
    ],
  ] as const)(
    "%s at $%d self-hosted against $%d for the API",
    (verdict, selfHostMonthlyUsd, apiMonthlyUsd, sentence) => {
      expect(verdictSentence({ ...option, verdict, selfHostMonthlyUsd, apiMonthlyUsd })).toBe(sentence);
    },
  );

  test("on usage the figures name what they rest on", () => {
    expect(
      verdictSentence({
        ...option,
        verdict: "api",
        selfHostMonthlyUsd: 2500,
        apiMonthlyUsd: 2000,
        basis: "30 days of usage",
      }),
    ).toBe(
      "The API wins: Qwen3 8B on 1 x g2-standard-8 (spot) costs $2,500 a month against $2,000 for gpt-4o-mini on 30 days of usage.",
    );
  });

  test("an option that cannot serve loses to the API whatever it costs", () => {
    expect(
      verdictSentence({
        ...option,
        verdict: "api",
        selfHostMonthlyUsd: 10,
        apiMonthlyUsd: 2000,
        cannotServe: "it does not fit",
      }),
    ).toBe("The API wins: it does not fit; the API costs $2,000 a month.");
  });
});

describe("why self-hosting cannot serve", () => {
  const serves = { fits: true, meetsLatencyTarget: true, canServe: true };
  test.each([
    ["it serves", serves, undefined],
    [
      "it does not fit: vLLM's reason",
      { ...serves, fits: false, canServe: false, doesNotFitReason: "weights need 140 GiB" },
      "weights need 140 GiB",
    ],
    [
      "one request misses the latency target",
      { ...serves, meetsLatencyTarget: false, canServe: false },
      "it misses the latency target even at one request",
    ],
    [
      "the volume needs more replicas than allowed",
      { ...serves, canServe: false },
      "no replica count within replicas.min..max serves the volume",
    ],
  ])("%s", (_case, facts, reason) => {
    expect(cannotServeReason(facts)).toBe(reason);
  });
});
