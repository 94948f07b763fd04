import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { readThroughputRows, readValidationRules } from "../calibration/points";
import { VLLM_VALIDATION, errorGroup, isFittedRow, throughputCases } from "../calibration/rows";

const catalog = loadCatalog();
const rows = readThroughputRows();

describe("validation rows (calibration/data/validation-rows.csv) are reported, never fitted", () => {
  test("every rule names at least one row, so no rule is dead", () => {
    for (const rule of readValidationRules()) {
      expect(
        rows.some((r) => new RegExp(rule.id_pattern).test(r.id)),
        rule.id_pattern,
      ).toBe(true);
    }
  });

  test("GPUStack's Qwen3-32B bursts on A100 are validation; its ShareGPT rows at fixed concurrency are calibration", () => {
    const group = (id: string) => errorGroup(rows.find((r) => r.id === id)!);
    expect(group("gpustack-qwen3-32b-fp8-a100-vllm-sharegpt-burst")).toBe(VLLM_VALIDATION);
    expect(group("gpustack-qwen3-32b-a100-vllm-rand128-4-burst")).toBe(VLLM_VALIDATION);
    expect(group("gpustack-qwen3-8b-h100-vllm-sharegpt-c4")).toBe("vllm");
  });

  test("a validation rule names vLLM rows only: an SGLang burst of the same tables stays in SGLang's group", () => {
    const sglang = rows.find((r) => r.id === "gpustack-qwen3-32b-bf16-h100-sglang-sharegpt-burst")!;
    expect(errorGroup(sglang)).toBe("sglang");
  });

  test("no validation row is among the rows the overheads are fitted on", () => {
    const cases = throughputCases(catalog);
    const fitted = cases.filter(isFittedRow);
    expect(fitted.length).toBeGreaterThan(200);
    expect(fitted.filter((c) => errorGroup(c.row) === VLLM_VALIDATION)).toEqual([]);
    expect(cases.filter((c) => errorGroup(c.row) === VLLM_VALIDATION).length).toBe(7);
  });
});
