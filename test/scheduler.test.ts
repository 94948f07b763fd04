import { describe, expect, test } from "vitest";
import { generateRequests, BenchmarkProtocolSchema } from "../engine/benchmark-protocol";
import { replicaFit, type CapacityInputs } from "../engine/capacity";
import { engineStepSeconds, throughputAt } from "../engine/throughput";
import { cudaGraphCaptureSizes, simulateBenchmark, type SchedulerLimits } from "../engine/vllm-scheduler";
import { SCREEN_MARGIN, simulatedMeets, simulatedSteadyState } from "../engine/steady-state";
import { highestConcurrencyMeeting, meetsTarget, sweepConcurrencies } from "../engine/concurrency-search";
import { replicaCapacity, requestShape, resolveParallelism, resolveServing } from "../engine/evaluate";
import { fromRoot } from "../catalog/paths";
import { resolveInputs } from "../catalog/resolve";
import { loadScenarioFile } from "../catalog/scenario-file";
import { capacityInputs, catalog } from "./engine-fixture";

const inputs: CapacityInputs = capacityInputs("llama-3.1-8b-instruct", {
  request: { inputTokens: 1000, outputTokens: 100 },
});
const { shape } = replicaFit(inputs);
const limits: SchedulerLimits = {
  maxNumSeqs: 1024,
  maxNumBatchedTokens: 8192,
  kvCacheBlocks: 30_000,
  blockSize: 16,
  cudaGraphCaptureSizes: cudaGraphCaptureSizes(1024, 8192),
};
const one = (input: number, output: number, at = 0) => ({
  arrivalSeconds: at,
  inputTokens: input,
  outputTokens: output,
});

describe("vLLM V1's scheduler, simulated", () => {
  test("one request alone: TTFT is one prefill step, TPOT one decode step at batch 1", () => {
    const r = simulateBenchmark(shape, limits, [one(1000, 100)]);
    expect(r.meanTtftMs).toBeCloseTo(engineStepSeconds(shape, 0, 0, 1000, (1000 * 1000) / 2) * 1000, 6);
    // Decode contexts run from 1001 to 1099: the mean step is at about 1050 tokens.
    expect(r.meanTpotMs).toBeCloseTo(engineStepSeconds(shape, 1, 1050, 0, 0) * 1000, 2);
  });

  test("a 20,000-token prompt under an 8,192-token budget prefills in three steps (8192 + 8192 + 3616), then decodes", () => {
    const r = simulateBenchmark(shape, { ...limits, kvCacheBlocks: 2000 }, [one(20_000, 2)]);
    expect(r.steps).toBe(4);
  });

  test("max-num-seqs 4 keeps at most 4 of 10 requests running", () => {
    const r = simulateBenchmark(
      shape,
      { ...limits, maxNumSeqs: 4 },
      Array.from({ length: 10 }, () => one(100, 50)),
    );
    expect(r.maxRunning).toBe(4);
    expect(r.completed).toBe(10);
  });

  test("a cache of 10 blocks (160 tokens) cannot hold two 50 + 60-token requests at once: one is preempted and recomputed, both finish", () => {
    const r = simulateBenchmark(shape, { ...limits, kvCacheBlocks: 10 }, [one(50, 60), one(50, 60)]);
    expect(r.preemptions).toBeGreaterThanOrEqual(1);
    expect(r.completed).toBe(2);
  });

  test("the client's max-concurrency 2 keeps 2 in flight of 8 sent at once", () => {
    const r = simulateBenchmark(
      shape,
      limits,
      Array.from({ length: 8 }, () => one(100, 20)),
      2,
    );
    expect(r.maxRunning).toBe(2);
  });

  test("at a steady 64 in flight the simulation and the closed-form steady state agree within 5 %", () => {
    const requests = generateRequests(BenchmarkProtocolSchema.parse({ numPrompts: 1024 }), 1000, 100, 8192);
    const sim = simulateBenchmark(shape, limits, requests, 64).outputTokensPerSecond;
    const closed = throughputAt(shape, { inputTokens: 1000, outputTokens: 100 }, 64).outputTokensPerSecond;
    expect(Math.abs(sim / closed - 1)).toBeLessThan(0.05);
  });
});

describe("CUDA-graph capture sizes (vllm/config/vllm.py defaults)", () => {
  test("max-num-seqs 1024: 1, 2, 4, 8 to 248 by 8, 256 to 512 by 16 (51 sizes)", () => {
    const sizes = cudaGraphCaptureSizes(1024, 8192);
    expect(sizes.slice(0, 5)).toEqual([1, 2, 4, 8, 16]);
    expect(sizes.length).toBe(3 + 31 + 17);
    expect(sizes[sizes.length - 1]).toBe(512);
  });
  test("max-num-seqs 64 caps them at 128", () => {
    expect(cudaGraphCaptureSizes(64, 8192).at(-1)).toBe(128);
  });
});

describe("benchmark protocols (vllm bench serve's names)", () => {
  test("the same seed gives the same requests; a ShareGPT-like spread keeps its means within 10 % over 1000 prompts", () => {
    const p = BenchmarkProtocolSchema.parse({ numPrompts: 1000, dataset: "sharegpt", seed: 7 });
    const a = generateRequests(p, 220, 190, 8192);
    expect(generateRequests(p, 220, 190, 8192)).toEqual(a);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(a.map((r) => r.inputTokens)) / 220).toBeGreaterThan(0.9);
    expect(mean(a.map((r) => r.inputTokens)) / 220).toBeLessThan(1.1);
    expect(mean(a.map((r) => r.outputTokens)) / 190).toBeGreaterThan(0.9);
    expect(mean(a.map((r) => r.outputTokens)) / 190).toBeLessThan(1.1);
  });
  test("a constant rate of 4 a second sends prompt 9 at 2.25 s; infinity sends all at 0", () => {
    expect(
      generateRequests(
        BenchmarkProtocolSchema.parse({ numPrompts: 10, requestRate: 4, arrivals: "constant" }),
        10,
        10,
        100,
      )[9]!.arrivalSeconds,
    ).toBeCloseTo(2.25, 9);
    expect(generateRequests(BenchmarkProtocolSchema.parse({ numPrompts: 10 }), 10, 10, 100)[9]!.arrivalSeconds).toBe(0);
  });
});

describe("the closed-loop steady state that evaluate() credits (engine/steady-state.ts)", () => {
  const request = { inputTokens: 1000, outputTokens: 100 };
  const fit = replicaFit(inputs);

  test("one request in flight: TTFT is one prefill of 1,000 tokens and per-request speed one decode step, as in the closed form", () => {
    const sim = simulatedSteadyState(fit.shape, fit.limits, request, 1);
    const closed = throughputAt(fit.shape, request, 1);
    expect(sim.ttftMs).toBeCloseTo(closed.ttftMs, 0);
    expect(sim.perRequestOutputTokensPerSecond / closed.perRequestOutputTokensPerSecond).toBeCloseTo(1, 2);
  });

  test.each([8, 64, 256])(
    "at %i in flight, output tok/s and per-request speed agree with the closed form within 5 %",
    (c) => {
      const sim = simulatedSteadyState(fit.shape, fit.limits, request, c);
      const closed = throughputAt(fit.shape, request, c);
      expect(Math.abs(sim.outputTokensPerSecond / closed.outputTokensPerSecond - 1)).toBeLessThan(0.05);
      expect(Math.abs(sim.perRequestOutputTokensPerSecond / closed.perRequestOutputTokensPerSecond - 1)).toBeLessThan(
        0.05,
      );
    },
  );

  test("the fast path's margin is twice that agreement: every shipped stack's per-request speed, closed form vs simulation, within SCREEN_MARGIN / 2 at 1, 2, 4, ... up to its limit", () => {
    for (const stack of [
      "Pulumi.dev.yaml",
      "Pulumi.llama70b-h100.yaml",
      "Pulumi.qwen32b-a100.yaml",
      "examples/scenario.yaml",
    ]) {
      const file = fromRoot(stack);
      const loaded = loadScenarioFile(file);
      const e = resolveInputs({ ...loaded.scenario, throughput: {} }, catalog, {
        file,
        fieldPrefix: loaded.fieldPrefix,
      });
      const cap = replicaCapacity(e);
      const req = requestShape(e.scenario);
      const f = replicaFit({
        model: e.model,
        variant: e.variant,
        gpu: e.gpu,
        parallel: resolveParallelism(e.scenario, e.machine),
        serving: resolveServing(e.scenario.serving, req, e.model, e.gpu),
        request: req,
        calibration: e.calibration,
      });
      for (const c of sweepConcurrencies(cap.maxConcurrency)) {
        const ratio =
          simulatedSteadyState(f.shape, f.limits, req, c).perRequestOutputTokensPerSecond /
          throughputAt(f.shape, req, c).perRequestOutputTokensPerSecond;
        expect(Math.abs(ratio - 1), `${stack} at ${c}`).toBeLessThan(SCREEN_MARGIN / 2);
      }
    }
  });

  test.each([
    { minOutputTokensPerSecondPerRequest: 40 },
    { minOutputTokensPerSecondPerRequest: 40, maxTimeToFirstTokenMs: 200 },
    { maxTimeToFirstTokenMs: 60 },
    { minOutputTokensPerSecondPerRequest: 500 },
  ])("the search with the fast path ends where a search over the simulation alone does (%o)", (target) => {
    const limit = 400;
    const screened = highestConcurrencyMeeting(simulatedMeets(fit.shape, fit.limits, request, target), limit);
    const simulatedOnly = highestConcurrencyMeeting(
      (c) => meetsTarget(simulatedSteadyState(fit.shape, fit.limits, request, c), target),
      limit,
    );
    expect(screened).toBe(simulatedOnly);
  });
});
