import { describe, expect, test } from "vitest";
import { AicRowSchema, aiconfiguratorRows, readAicRows, type AicRow } from "../calibration/aiconfigurator";

const base = {
  silicon_data_source: "source_file=x.csv; silicon_concurrency=8",
  backend: "vllm",
  backend_version: "0.12.0",
  model_path: "Qwen/Qwen3-32B",
  system: "h100_sxm",
  precision: "",
  mode: "agg",
  isl: "1024",
  osl: "128",
  gemm_quant_mode: "",
  moe_quant_mode: "",
  batch_size: "8",
  tp_size: "2",
  pp_size: "1",
  attention_dp_size: "",
  moe_tp_size: "1",
  moe_ep_size: "1",
  silicon_ttft_ms: "154.25",
  silicon_tpot_ms: "18.04",
};
const row = (over: Record<string, string>): AicRow => AicRowSchema.parse({ ...base, id: "r", ...over });

describe("NVIDIA aiconfigurator's measured rows", () => {
  test("a closed loop of 8 clients at TTFT 154.25 ms and TPOT 18.04 ms over 128 tokens emits 8 x 128 / 2.445 s = 418.8 tok/s", () => {
    const [converted] = aiconfiguratorRows([row({})]).rows;
    // request time 154.25 + 127 x 18.04 = 2445.33 ms
    expect(converted!.output_tokens_per_s).toBeCloseTo((8 * 128 * 1000) / 2445.33, 1);
    expect(converted!.per_request_output_tokens_per_s).toBeCloseTo(1000 / 18.04, 2);
    expect(converted!).toMatchObject({ gpu: "h100-80gb", model_config: "qwen3-32b", weight_dtype: "bf16", tp: 2 });
    expect(converted!.campaign).toBe("aic:vllm 0.12.0 qwen3-32b h100_sxm");
  });

  test("disaggregated rows, expert parallel and data-parallel attention are left out, each with its reason", () => {
    const { rows, leftOut } = aiconfiguratorRows([
      row({ id: "disagg", mode: "disagg" }),
      row({ id: "ep", model_path: "Qwen/Qwen3-235B-A22B-FP8", precision: "fp8", moe_tp_size: "1", moe_ep_size: "2" }),
      row({ id: "dp", model_path: "Qwen/Qwen3-235B-A22B-FP8", precision: "fp8", tp_size: "1", moe_tp_size: "2" }),
      row({ id: "no-c", silicon_data_source: "source_file=x.csv" }),
    ]);
    expect(rows).toHaveLength(0);
    expect(leftOut.map((l) => l.reason.split(/[ :]/)[0])).toEqual(["disaggregated", "expert", "MoE", "no"]);
  });

  test("a copy of a run under another model name is kept once; the later of two measurements is the one kept", () => {
    const copy = aiconfiguratorRows([row({ id: "a" }), row({ id: "b" })]);
    expect(copy.rows.map((r) => r.id)).toEqual(["aic-a"]);
    expect(copy.leftOut[0]!.reason).toMatch(/^copy of a/);
    const remeasured = aiconfiguratorRows([
      row({ id: "old", silicon_data_source: "silicon_concurrency=8; measured=2026-03-02", silicon_ttft_ms: "884" }),
      row({ id: "new", silicon_data_source: "silicon_concurrency=8; measured=2026-03-27" }),
    ]);
    expect(remeasured.rows.map((r) => r.id)).toEqual(["aic-new"]);
    expect(remeasured.leftOut[0]!.reason).toMatch(/^earlier measurement of new/);
  });

  test("a sweep whose TTFT grows 14x when concurrency doubles is saturated from there on", () => {
    const at = (c: number, ttft: number) =>
      row({
        id: `c${c}`,
        batch_size: String(c),
        silicon_data_source: `silicon_concurrency=${c}`,
        silicon_ttft_ms: String(ttft),
        osl: "1024",
        silicon_tpot_ms: "40",
      });
    const { rows, leftOut } = aiconfiguratorRows([at(32, 1062), at(64, 1357), at(128, 18957), at(256, 30000)]);
    expect(rows.map((r) => r.concurrency)).toEqual([32, 64]);
    expect(leftOut.map((l) => l.id)).toEqual(["aic-c128", "aic-c256"]);
    expect(leftOut[0]!.reason).toMatch(/TTFT grows 14\.0x from c=64 to c=128/);
  });

  test("a prompt that waits longer for its first token than it then decodes was queued (6.8 s TTFT, 127 x 25.5 ms of decode)", () => {
    const { rows, leftOut } = aiconfiguratorRows([
      row({
        id: "q",
        batch_size: "16",
        silicon_data_source: "silicon_concurrency=16",
        silicon_ttft_ms: "6775",
        silicon_tpot_ms: "25.5",
      }),
    ]);
    expect(rows).toHaveLength(0);
    expect(leftOut[0]!.reason).toMatch(/^queued: TTFT 6775 ms exceeds the 3239 ms/);
  });

  test("the committed extract parses and every row is used or left out with a reason", () => {
    const all = readAicRows();
    const { rows, leftOut } = aiconfiguratorRows(all);
    expect(all).toHaveLength(634);
    expect(rows.length + leftOut.length).toBe(all.length);
    expect(leftOut.every((l) => l.reason.length > 0)).toBe(true);
  });
});
