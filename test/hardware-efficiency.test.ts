import { describe, expect, test } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadCatalog, loadGpus } from "../catalog/load";
import { readThroughputRows } from "../calibration/points";
import { measuredRatesShare, throughputCase, throughputCases } from "../calibration/rows";
import { tempDir } from "./temp-dir";
import { llama8bShape, noOverheads } from "./engine-fixture";
import { hardwareEfficiencyCsv, parseHardwareEfficiencyCsv } from "../catalog/hardware-efficiency";
import { fromRoot } from "../catalog/paths";
import { readText } from "../catalog/read";
import { fitLatencyLine } from "../calibration/aiconfigurator-tables";
import type { Gpu } from "../engine/hardware";
import { decodeStepSeconds, type ReplicaShape } from "../engine/throughput";

const file = fromRoot("calibration", "data", "hardware-efficiency.csv");
const rows = parseHardwareEfficiencyCsv(readText(file), file);
const catalog = loadCatalog();
const value = (gpu: string, constant: string) => rows.find((r) => r.gpu === gpu && r.constant === constant)!.value;
const shape = (gpu: Gpu, tp = 1): ReplicaShape => llama8bShape(gpu, tp, noOverheads, 8192);

describe("calibration/data/hardware-efficiency.csv", () => {
  test("parses, and every row names the aiconfigurator table and commit it was derived from", () => {
    expect(rows.length).toBeGreaterThan(50);
    for (const r of rows) expect(r.source).toMatch(/^github\.com\/ai-dynamo\/aiconfigurator .+\.parquet@[0-9a-f]{40}$/);
  });

  test("gives every catalog GPU its measured efficiencies", () => {
    for (const gpu of catalog.gpus.values())
      expect(gpu.efficiency.weightBandwidth.bf16).toBe(value(gpu.id, "weight_bandwidth.bf16"));
  });

  test("has no all-reduce faster than one direction of the GPU's NVLink (or PCIe): a ring sends and receives at once", () => {
    for (const gpu of catalog.gpus.values())
      for (const a of gpu.efficiency.allReduce) expect(a.busGBps).toBeLessThanOrEqual(gpu.interconnectGBps);
  });
});

describe("the engine prices with the pinned values", () => {
  const h100 = catalog.gpus.get("h100-80gb")!;
  const noAttention = { decodeAttention: { bf16: { fixedUs: 0, itemNs: 0 } } };
  const measuredReads: Gpu = { ...h100, efficiency: { ...h100.efficiency, ...noAttention } };
  const peakReads: Gpu = {
    ...h100,
    efficiency: { ...h100.efficiency, ...noAttention, weightBandwidth: { bf16: 1 }, kvReadBandwidth: { bf16: 1 } },
  };

  test("one Llama-3.1-8B stream on an H100 reads its weights at the file's weight_bandwidth.bf16 share of 3,350 GB/s", () => {
    const ratio =
      decodeStepSeconds(shape(measuredReads), 1, 0).seconds / decodeStepSeconds(shape(peakReads), 1, 0).seconds;
    // A batch of one is read-bound: its matmuls take 1/5000 of the read time.
    expect(1 / ratio).toBeCloseTo(value("h100-80gb", "weight_bandwidth.bf16"), 3);
  });

  test("64 sequences of 4,096 tokens read their 34.4 GB of KV at the file's kv_read_bandwidth.bf16 share", () => {
    const extra = decodeStepSeconds(shape(h100), 64, 4096).seconds - decodeStepSeconds(shape(h100), 64, 0).seconds;
    expect(extra).toBeCloseTo((64 * 4096 * 131_072) / (3350e9 * value("h100-80gb", "kv_read_bandwidth.bf16")), 9);
  });

  test("decode attention costs the file's fixed microseconds per layer and nanoseconds per sequence x KV head (8 KV heads)", () => {
    const attention =
      decodeStepSeconds(shape(h100), 64, 0).seconds - decodeStepSeconds(shape(measuredReads), 64, 0).seconds;
    const perLayerUs =
      value("h100-80gb", "decode_attention_fixed_us.bf16") +
      (64 * 8 * value("h100-80gb", "decode_attention_item_ns.bf16")) / 1000;
    expect(attention * 1e6).toBeCloseTo(32 * perLayerUs, 6);
  });

  test("TP 2 adds two all-reduces per layer (32 layers) at the file's allreduce_latency_us.tp2", () => {
    const instant: Gpu = {
      ...h100,
      efficiency: { ...h100.efficiency, allReduce: h100.efficiency.allReduce.map((a) => ({ ...a, latencyUs: 0 })) },
    };
    const latency =
      decodeStepSeconds(shape(h100, 2), 1, 0).seconds - decodeStepSeconds(shape(instant, 2), 1, 0).seconds;
    expect(latency * 1e6).toBeCloseTo(2 * 32 * value("h100-80gb", "allreduce_latency_us.tp2"), 6);
  });
});

describe("the latency line of a kernel table", () => {
  test("recovers 5 us + bytes / 2 TB/s from points on it", () => {
    const points = [1e6, 1e7, 1e8, 1e9].map((x) => ({ x, y: 5e-6 + x / 2e12 }));
    const line = fitLatencyLine(points);
    expect(line.intercept * 1e6).toBeCloseTo(5, 6);
    expect(line.rate / 1e12).toBeCloseTo(2, 6);
  });

  test("keeps the intercept at zero rather than negative", () => {
    const line = fitLatencyLine([
      { x: 1, y: 0.5 },
      { x: 2, y: 1.5 },
    ]);
    expect(line.intercept).toBe(0);
  });
});

describe("the catalog loader", () => {
  const gpuFile = fromRoot("catalog", "data", "gpus.yaml");
  const write = (text: string) => {
    const f = path.join(tempDir("hw-eff-"), "hardware-efficiency.csv");
    fs.writeFileSync(f, text);
    return f;
  };

  test("refuses a row for a GPU the catalog does not have, naming it", () => {
    const extra = rows.map((r) =>
      r.gpu === "l4" && r.constant === "weight_bandwidth.bf16" ? { ...r, gpu: "b200" } : r,
    );
    const f = write(hardwareEfficiencyCsv(extra));
    expect(() => loadGpus(gpuFile, f)).toThrow(/b200 is not a GPU/);
  });

  test("refuses a file that lacks a constant the engine needs for a GPU, naming both", () => {
    const f = write(
      hardwareEfficiencyCsv(rows.filter((r) => !(r.gpu === "l4" && r.constant === "matmul_compute.bf16"))),
    );
    expect(() => loadGpus(gpuFile, f)).toThrow(/GPU l4 has no matmul_compute\.bf16 row/);
  });
});

describe("rows that are not a cold CUDA-graph vLLM run are left out, with the reason", () => {
  const reason = (id: string) => {
    const row = readThroughputRows().find((r) => r.id === id)!;
    const m = throughputCase(row, catalog, catalog.calibration);
    return m.ok ? "" : m.reason;
  };

  test("Llama-3.1-8B-FP8 on one H200 at 64 x 2000/100 needs 210 % of the H200's time at its measured kernel rates", () => {
    // TTFT 121.73 ms, TPOT 9.74 ms at 64 clients: 64 x 100 / (0.12173 + 99 x 0.00974) = 5893 output tok/s,
    // 58.9 requests a second, 123.8k tokens a second x 2 x 7.5e9 active parameters = 1.86e15 FLOP/s
    // over the H200's measured FP8 GEMM rate (0.544 x 1978 TFLOPS = 1076): 173 %; the KV reads add 37 %.
    expect(
      reason(
        "aic-nvidia_llama_3_1_8b_instruct_fp8_nvidia_llama_3_1_8b_instruct_fp8_h200_sxm_vllm_agg_2000x100_c64_tp1_epnone_2",
      ),
    ).toMatch(
      /need 210 % of each GPU's time at the measured kernel rates .*large-GEMM rate 173 %, decode KV reads at the measured attention rate 37 %/,
    );
  });

  test("a decode-heavy row of the same campaign (128 x 4000/2000) is over the bound by its KV reads: 107 %, 23 % of it matmuls", () => {
    expect(
      reason(
        "aic-nvidia_llama_3_1_8b_instruct_fp8_nvidia_llama_3_1_8b_instruct_fp8_h200_sxm_vllm_agg_4000x2000_c128_tp1_epnone_11",
      ),
    ).toMatch(/need 107 % .*large-GEMM rate 23 %/);
  });

  test("no row of another vLLM campaign comes near the bound: the highest needs under 80 % of its GPUs' time", () => {
    const shares = throughputCases(catalog)
      .filter((c) => c.row.engine === "vllm")
      .map((c) => measuredRatesShare(c.row, c.shape));
    expect(shares.length).toBeGreaterThan(200);
    expect(Math.max(...shares.map((x) => x.gemm + x.kv))).toBeLessThan(0.8);
  });

  test("TensorRT-LLM rows are not judged by vLLM's kernel rates: NVIDIA's Llama-3.1-8B-FP8 table stays", () => {
    expect(reason("trtllm-v1.0-llama31-8b-fp8-h100-tp1-1000-1000")).toBe("");
  });

  test("a run with --enforce-eager", () => {
    expect(reason("vllm-issue20469-qwen3-14b-awq-a100-16000-200-c1")).toMatch(/--enforce-eager/);
  });
});
