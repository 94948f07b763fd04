import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { pickBenchmarkPoint, readBenchmarkFile, readBenchmarkThroughput } from "../catalog/benchmark";
import { userErrorOf } from "./user-error";
import { loadCatalog } from "../catalog/load";
import { resolveInputs } from "../catalog/resolve";
import { parseScenario } from "../catalog/scenario-file";
import { evaluateFile } from "../cli/commands/evaluate";
import { evaluate } from "../engine/evaluate";

const catalog = loadCatalog();
const qwen = catalog.models.get("qwen3-8b")!;
const dir = path.join(__dirname, "fixtures", "vllm-bench");
const file = (name: string) => path.join(dir, name);
const sweep = [1, 2, 4, 8].map((c) => file(`qwen3-8b-h100-c${c}.json`));

function scenario(latency = "") {
  return parseScenario(
    `model: qwen3-8b
node: { machineType: a3-highgpu-1g }
workload: { inputTokensPerMonth: 1e6, outputTokensPerMonth: 1e6, inputTokensPerRequest: 233, outputTokensPerRequest: 221${latency} }
api: { provider: openai, model: gpt-4o, inputUsdPerMTok: 1, outputUsdPerMTok: 2 }
`,
    "scenario.yaml",
  ).scenario;
}

const errorOf = userErrorOf;

describe("reading vllm bench serve --save-result files", () => {
  test("a real-shaped file gives its output_throughput at its max_concurrency, per-request speed 1000 / mean TPOT", () => {
    const p = readBenchmarkFile(file("qwen3-8b-h100-c4.json"), qwen);
    expect(p.outputTokensPerSecond).toBe(496.88);
    expect(p.concurrency).toBe(4);
    expect(p.perRequestOutputTokensPerSecond).toBeCloseTo(135.5, 1);
    expect(p.ttftMs).toBe(64);
  });

  test("without a latency target, a sweep is credited with its highest throughput: 917.28 tok/s at concurrency 8", () => {
    const m = readBenchmarkThroughput(sweep, scenario(), qwen, "throughput.fromBenchmark");
    expect(m.outputTokensPerSecond).toBe(917.28);
    expect(m.concurrency).toBe(8);
    expect(m.date).toBe("2025-10-14");
    expect(m.reference).toContain("Qwen/Qwen3-8B");
  });

  /** The sweep read for a per-request speed target, in output tok/s. */
  const sweepAtSpeedTarget = (tokensPerSecond: number) =>
    readBenchmarkThroughput(
      sweep,
      scenario(`, latency: { minOutputTokensPerSecondPerRequest: ${tokensPerSecond} }`),
      qwen,
      "throughput.fromBenchmark",
    );

  test("with a target of 135 tok/s per request, the sweep point used is concurrency 4 (135.5), not 8 (129.7)", () => {
    const m = sweepAtSpeedTarget(135);
    expect(m.outputTokensPerSecond).toBe(496.88);
    expect(m.concurrency).toBe(4);
  });

  test("a TTFT target of 60 ms leaves only concurrency 1 (59.01 ms)", () => {
    const points = sweep.map((f) => readBenchmarkFile(f, qwen));
    const { point, meetsLatencyTarget } = pickBenchmarkPoint(points, { maxTimeToFirstTokenMs: 60 });
    expect(point.concurrency).toBe(1);
    expect(meetsLatencyTarget).toBe(true);
  });

  test("when no point meets the target, the highest throughput is used and the reference says so", () => {
    const m = sweepAtSpeedTarget(500);
    expect(m.outputTokensPerSecond).toBe(917.28);
    expect(m.reference).toMatch(/no point of the sweep meets the latency target/);
  });

  test("a file for another model is an error naming the file and model_id", () => {
    const err = errorOf(() => readBenchmarkFile(file("other-model.json"), qwen));
    expect(err.file).toBe(file("other-model.json"));
    expect(err.field).toBe("model_id");
    expect(err.message).toMatch(/"meta-llama\/Llama-3.1-8B-Instruct" is not Qwen3 8B/i);
  });

  test("a truncated file is an error naming the file", () => {
    const err = errorOf(() => readBenchmarkFile(file("truncated.json"), qwen));
    expect(err.file).toBe(file("truncated.json"));
    expect(err.message).toMatch(/not valid JSON/);
  });

  test("a malformed field is an error naming the file, the field and the value", () => {
    const err = errorOf(() => readBenchmarkFile(file("bad-field.json"), qwen));
    expect(err.field).toBe("output_throughput");
    expect(err.message).toContain('"fast"');
  });

  test("a missing file is an error naming it", () => {
    const err = errorOf(() => readBenchmarkFile(file("nope.json"), qwen));
    expect(err.message).toMatch(/file not found/);
  });
});

describe("a stack that names a benchmark sweep", () => {
  test("evaluate credits the measured point that meets its 130 tok/s target (concurrency 4, 496.88 tok/s), relative to the config file", () => {
    const { evaluation } = evaluateFile(file("scenario.yaml"), "2026-11-23");
    expect(evaluation.selfHost.throughputSource).toBe("measured");
    expect(evaluation.selfHost.capacity.outputTokensPerSecond).toBe(496.88);
    expect(evaluation.selfHost.measured?.concurrency).toBe(4);
    expect(evaluation.selfHost.measured?.reference).toContain("qwen3-8b-h100-c4.json");
  });

  test("the report then shows the measured per-request speed and TTFT of that point, not the estimate", () => {
    const { evaluation } = evaluateFile(file("scenario.yaml"), "2026-11-23");
    expect(evaluation.selfHost.capacity.latencySource).toBe("measured");
    expect(evaluation.selfHost.capacity.perRequestOutputTokensPerSecond).toBeCloseTo(135.5, 1);
    expect(evaluation.selfHost.capacity.ttftMs).toBe(64);
    expect(evaluation.selfHost.capacity.meetsLatencyTarget).toBe(true);
  });

  test("a sweep with no point meeting the target makes self-hosting infeasible, with a warning naming the sweep", () => {
    const sc = parseScenario(
      `model: qwen3-8b
node: { machineType: a3-highgpu-1g }
throughput: { fromBenchmark: [qwen3-8b-h100-c1.json, qwen3-8b-h100-c2.json, qwen3-8b-h100-c4.json, qwen3-8b-h100-c8.json] }
workload: { inputTokensPerMonth: 1e9, outputTokensPerMonth: 1e9, inputTokensPerRequest: 233, outputTokensPerRequest: 221, latency: { minOutputTokensPerSecondPerRequest: 500 } }
api: { provider: openai, model: gpt-4o }
`,
      "scenario.yaml",
    ).scenario;
    const inputs = resolveInputs(sc, catalog, { file: "scenario.yaml", benchmarkDir: dir }, "2026-11-23");
    const e = evaluate(inputs);
    expect(e.selfHost.capacity.meetsLatencyTarget).toBe(false);
    expect(e.verdict).toBe("api");
    expect(
      e.warnings.some((w) => w.startsWith("No measured point in ") && w.endsWith("meets the latency target.")),
    ).toBe(true);
  });
});
