import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { resolveInputs } from "../catalog/resolve";
import { parseScenario } from "../catalog/scenario-file";
import { estimateCapacity, type CapacityInputs } from "../engine/capacity";
import { sweepConcurrencies } from "../engine/concurrency-search";
import { evaluate } from "../engine/evaluate";
import { capacityInputs, catalog, model, serving } from "./engine-fixture";

const base: CapacityInputs = capacityInputs("llama-3.1-8b-instruct");

describe("throughput at a latency target", () => {
  test("without a target the replica is credited at the peak its KV cache and max-num-seqs allow (280), or at the CUDA-graph size below it (272) when padding 280 to 288 serves less", () => {
    const c = estimateCapacity(base);
    const atLimit = estimateCapacity({ ...base, concurrency: c.maxConcurrency });
    expect([c.maxConcurrency, 272]).toContain(c.point.concurrency);
    expect(c.outputTokensPerSecond).toBeGreaterThanOrEqual(atLimit.outputTokensPerSecond);
    expect(c.maxConcurrency).toBe(Math.min(1024, Math.floor(c.memory.kvCacheTokens / 1500)));
    expect(["kv-cache", "max-num-seqs", "compute"]).toContain(c.bindingLimit);
  });

  test("a per-request speed target stops at the highest concurrency that still meets it, and says so", () => {
    const peak = estimateCapacity(base);
    const target = (peak.sweep[0]!.perRequestOutputTokensPerSecond + peak.point.perRequestOutputTokensPerSecond) / 2;
    const c = estimateCapacity({ ...base, latency: { minOutputTokensPerSecondPerRequest: target } });
    expect(c.bindingLimit).toBe("latency-target");
    expect(c.point.perRequestOutputTokensPerSecond).toBeGreaterThanOrEqual(target);
    const next = estimateCapacity({ ...base, concurrency: c.point.concurrency + 1 });
    expect(next.point.perRequestOutputTokensPerSecond).toBeLessThan(target);
  });

  test("a target even one request misses credits nothing and says the target cannot be met", () => {
    const c = estimateCapacity({ ...base, latency: { maxTimeToFirstTokenMs: 0.001 } });
    expect(c.meetsLatencyTarget).toBe(false);
    expect(c.outputTokensPerSecond).toBe(0);
  });

  test("a stricter target never credits more throughput (any mix of speed and TTFT targets)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 200, noNaN: true }),
        fc.double({ min: 1, max: 200, noNaN: true }),
        fc.double({ min: 20, max: 5000, noNaN: true }),
        fc.double({ min: 20, max: 5000, noNaN: true }),
        (s1, s2, t1, t2) => {
          const loose = estimateCapacity({
            ...base,
            latency: { minOutputTokensPerSecondPerRequest: Math.min(s1, s2), maxTimeToFirstTokenMs: Math.max(t1, t2) },
          });
          const strict = estimateCapacity({
            ...base,
            latency: { minOutputTokensPerSecondPerRequest: Math.max(s1, s2), maxTimeToFirstTokenMs: Math.min(t1, t2) },
          });
          expect(strict.outputTokensPerSecond).toBeLessThanOrEqual(loose.outputTokensPerSecond);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("a stricter target never lowers the cost per token or the monthly bill, nor turns the verdict to self-hosting", () => {
    const scenario = (speed: number) =>
      resolveInputs(
        parseScenario(
          `model: llama-3.1-8b-instruct
node: { machineType: a3-highgpu-1g, pricing: on-demand }
replicas: { min: 1, max: 100 }
workload: { inputTokensPerMonth: 2e9, outputTokensPerMonth: 1e9, inputTokensPerRequest: 1000, outputTokensPerRequest: 500, latency: { minOutputTokensPerSecondPerRequest: ${speed} } }
api: { provider: openai, model: gpt-4o, inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 }
`,
          "scenario.yaml",
        ).scenario,
        catalog,
        { file: "scenario.yaml" },
        "2026-11-23",
      );
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 150, noNaN: true }),
        fc.double({ min: 5, max: 150, noNaN: true }),
        (a, b) => {
          const loose = evaluate(scenario(Math.min(a, b)));
          const strict = evaluate(scenario(Math.max(a, b)));
          expect(strict.selfHost.usdPerMillionOutputTokens.computeAtFullUtilization).toBeGreaterThanOrEqual(
            loose.selfHost.usdPerMillionOutputTokens.computeAtFullUtilization,
          );
          if (strict.selfHost.capacity.meetsLatencyTarget)
            expect(strict.selfHost.monthlyUsd.total).toBeGreaterThanOrEqual(loose.selfHost.monthlyUsd.total);
          if (loose.verdict === "api") expect(strict.verdict).toBe("api");
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("what binds", () => {
  test("Llama-3.3-70B at BF16 on one H100: the weights do not fit", () => {
    const l70 = model("llama-3.3-70b-instruct");
    const c = estimateCapacity({ ...base, model: l70, variant: l70.weights[0]! });
    expect(c.fits).toBe(false);
    expect(c.bindingLimit).toBe("weights");
    expect(c.outputTokensPerSecond).toBe(0);
  });

  test("short requests on a roomy cache hit max-num-seqs before the KV cache", () => {
    const c = estimateCapacity({
      ...base,
      serving: { ...serving, maxNumSeqs: 8 },
      request: { inputTokens: 100, outputTokens: 100 },
    });
    expect(c.maxConcurrency).toBe(8);
    expect(c.bindingLimit).toBe("max-num-seqs");
  });

  test("1,024 short requests on Llama-3.1-8B make the decode step compute-bound, and compute is named", () => {
    const c = estimateCapacity({ ...base, request: { inputTokens: 100, outputTokens: 100 } });
    expect(c.point.concurrency).toBe(1024);
    expect(c.point.decodeBound).toBe("compute");
    expect(c.bindingLimit).toBe("compute");
  });

  test("long requests fill the KV cache first", () => {
    const c = estimateCapacity({
      ...base,
      serving: { ...serving, maxModelLen: 65_536 },
      request: { inputTokens: 60_000, outputTokens: 1000 },
    });
    expect(c.maxConcurrency).toBe(Math.floor(c.memory.kvCacheTokens / 61_000));
    expect(c.bindingLimit).toBe("kv-cache");
  });

  test("a requested concurrency above the limit is capped and the cap is named", () => {
    const c = estimateCapacity({ ...base, serving: { ...serving, maxNumSeqs: 4 }, concurrency: 100 });
    expect(c.point.concurrency).toBe(4);
    expect(c.bindingLimit).toBe("max-num-seqs");
  });

  test("a measured figure wins and is labelled", () => {
    const c = estimateCapacity({ ...base, measuredOutputTokensPerSecond: 1234 });
    expect(c.outputTokensPerSecond).toBe(1234);
    expect(c.throughputSource).toBe("measured");
    expect(c.bindingLimit).toBe("measured");
  });
});

describe("the sweep", () => {
  test("doubles from 1 and ends at the limit: 1, 2, 4, 8, 10", () => {
    expect(sweepConcurrencies(10)).toEqual([1, 2, 4, 8, 10]);
    expect(sweepConcurrencies(1)).toEqual([1]);
  });

  test("is computed when read, and JSON carries it", () => {
    const c = estimateCapacity({ ...base, serving: { ...serving, maxNumSeqs: 16 } });
    expect(c.sweep.map((p) => p.concurrency)).toEqual([1, 2, 4, 8, 16]);
    expect(JSON.parse(JSON.stringify(c)).sweep).toHaveLength(5);
  });
});
