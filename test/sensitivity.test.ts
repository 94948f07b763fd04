import { describe, expect, test } from "vitest";
import { evaluate } from "../engine/evaluate";
import { sensitivity, type SensitivityInput } from "../engine/sensitivity";
import { toJson } from "../reports/json";
import { renderSensitivityMarkdown, renderSensitivityTable } from "../reports/sensitivity";
import { expectGolden, fixtureInputs } from "./decision-fixture";

// Fixture arithmetic (see decision-fixture.ts): one replica costs 11 x 730 x 1.3 = 10,439 a month,
// ops 4,300; the API costs 17.5 per 1M output tokens.
const REPLICA_USD = 11 * 730 * 1.3;
const OPS_USD = 4300;
const row = (s: ReturnType<typeof sensitivity>, input: SensitivityInput) => s.rows.find((r) => r.input === input)!;

describe("sensitivity of a robust self-host verdict (1.5B output tokens a month)", () => {
  const s = sensitivity(fixtureInputs());

  test("self-hosting saves 26,250 - 14,739 = USD 11,511 a month, and nothing flips it within ±10 %", () => {
    expect(s.verdict).toBe("self-host");
    expect(s.savingsMonthlyUsd).toBeCloseTo(26250 - (REPLICA_USD + OPS_USD), 6);
    expect(s.fragile).toBe(false);
    expect(s.fragileInputs).toEqual([]);
  });

  test("the table, markdown and JSON match the golden files", () => {
    expectGolden("sensitivity.txt", `${renderSensitivityTable(s)}\n`);
    expectGolden("sensitivity.md", `${renderSensitivityMarkdown(s)}\n`);
    expectGolden("sensitivity.json", `${toJson(s)}\n`);
  });

  test("a GPU price 25 % lower saves 26,250 - (4,300 + 8.25 x 730 x 1.3) = USD 14,121", () => {
    const point = row(s, "gpuPrice").points.find((p) => p.change === -0.25)!;
    expect(point.value).toBeCloseTo(8.25, 9);
    expect(point.savingsMonthlyUsd).toBeCloseTo(26250 - (OPS_USD + 8.25 * 730 * 1.3), 6);
  });

  test("the API price flips the verdict where the API bill falls to the fleet's 14,739: 10 x 14,739 / 26,250 = USD 5.61 per 1M output", () => {
    const flip = row(s, "apiPrice").flip!;
    expect(flip.verdict).toBe("api");
    expect(flip.value).toBeCloseTo((10 * (REPLICA_USD + OPS_USD)) / 26250, 6);
  });

  test("utilization cannot pass 1: from 0.5, +25 % is 0.625, and no flip is found up to 1", () => {
    expect(row(s, "utilization").points.map((p) => p.value)).toEqual([0.375, 0.45, 0.55, 0.625]);
  });
});

describe("a fragile verdict: 0.9B output tokens a month, the API bill 15,750 against the fleet's 14,739", () => {
  const s = sensitivity(fixtureInputs({ outputTokensPerMonth: 0.9e9 }));

  test("it is fragile, because volume, GPU price and API price each flip it within 10 %", () => {
    expect(s.verdict).toBe("self-host");
    expect(s.fragile).toBe(true);
    expect(s.fragileInputs).toEqual(["volume", "gpuPrice", "apiPrice"]);
  });

  test("the GPU price flips where 4,300 + h x 730 x 1.3 = 15,750: h = USD 12.07, +9.7 %", () => {
    const flip = row(s, "gpuPrice").flip!;
    expect(flip.value).toBeCloseTo((15750 - OPS_USD) / (730 * 1.3), 6);
    expect(flip.change).toBeCloseTo((15750 - OPS_USD) / (730 * 1.3) / 11 - 1, 6);
  });

  test("the FTE cost flips where 0.25 x f + 300 + 10,439 = 15,750: f = USD 20,044, +25 %, not fragile", () => {
    const r = row(s, "fteCost");
    expect(r.flip!.value).toBeCloseTo((15750 - 300 - REPLICA_USD) / 0.25, 4);
    expect(r.fragile).toBe(false);
  });

  test("the volume flips where the API bill meets the fleet: 14,739 / 17.5 per 1M = 842M output tokens, -6.4 %", () => {
    const flip = row(s, "volume").flip!;
    expect(flip.verdict).toBe("api");
    expect(flip.value).toBeCloseTo(((REPLICA_USD + OPS_USD) / 17.5) * 1e6, -2);
  });

  test("the markdown for the PR report calls it fragile and names the inputs", () => {
    const md = renderSensitivityMarkdown(s);
    expect(md).toContain("⚠️ **Fragile verdict.**");
    expect(md).toContain(
      "⚠️ **Fragile verdict.** Verdict: self-host; self-hosting saves $1,011 a month. It flips within ±10 % of output volume / month, gpu node price / h, api price (output / 1m).",
    );
  });
});

test("when the API is not allowed no input flips the verdict, and it is never fragile", () => {
  const s = sensitivity(
    fixtureInputs({ outputTokensPerMonth: 0.9e9, api: { provider: "openai", model: "gpt-4o", allowed: false } }),
  );
  expect(s.verdict).toBe("api-not-allowed");
  expect(s.rows.every((r) => r.flip === null)).toBe(true);
  expect(s.fragile).toBe(false);
});

test("throughput is left alone when the model cannot be served: no speed makes a model that does not fit flip", () => {
  const inputs = fixtureInputs({ model: "llama-3.1-405b-instruct", throughput: {} });
  expect(evaluate(inputs).selfHost.capacity.fits).toBe(false);
  const r = sensitivity(inputs).rows.find((x) => x.input === "throughput")!;
  expect(r.flip).toBeNull();
  expect(r.points.every((p) => p.verdict === "api")).toBe(true);
});
