import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { resolveInputs } from "../catalog/resolve";
import { parseScenario } from "../catalog/scenario-file";
import { evaluate, type EvaluationInputs } from "../engine/evaluate";

const catalog = loadCatalog();
const TODAY = "2026-11-23";

/** The reference story with the numbers pinned so every figure can be checked by hand. */
const story = `
model: kimi-k2.5
node: { machineType: a3-highgpu-8g, region: us-central1, pricing: spot, preemptionsPerDay: 0.5, coldStartMinutes: 20 }
replicas: { min: 1, max: 1 }
throughput: { outputTokensPerSecond: 216 }
workload: { inputTokensPerMonth: 60e6, outputTokensPerMonth: 20e6, inputTokensPerRequest: 3000, outputTokensPerRequest: 1000, utilization: 0.6 }
ops: { fteFraction: 0.25, fteMonthlyUsd: 16000, fixedMonthlyUsd: 300, overheadPct: 30 }
api: { provider: google, model: gemini-3-pro-preview }
serving: { gpuMemoryUtilization: 0.95, maxModelLen: 4096, maxNumSeqs: 64 }
`;

function inputsOf(text: string): EvaluationInputs {
  const { scenario } = parseScenario(text, "scenario.yaml");
  return resolveInputs(scenario, catalog, { file: "scenario.yaml" }, TODAY);
}

describe("the reference story: Kimi K2.5 on one 8xH100 spot node against Gemini 3 Pro", () => {
  const e = evaluate(inputsOf(story));
  const hourly = 50.6095408219178;

  test("the API wins", () => {
    expect(e.verdict).toBe("api");
    expect(e.summary).toBe(
      "The API wins: Kimi K2.5 on 1 x a3-highgpu-8g (spot) costs $52,585 a month against $360 for gemini-3-pro-preview.",
    );
  });

  test("compute is one node x USD 50.61/h x 730 h", () => {
    expect(e.selfHost.nodes).toBe(1);
    expect(e.selfHost.monthlyUsd.compute).toBeCloseTo(hourly * 730, 6);
    expect(e.selfHost.monthlyUsd.overhead).toBeCloseTo(hourly * 730 * 0.3, 6);
  });

  test("ops is 0.25 x USD 16,000 + USD 300", () => {
    expect(e.selfHost.monthlyUsd.ops).toBe(4300);
  });

  test("preemption is 0.5 a day x 730/24 days x 20 min x USD 50.61/h", () => {
    expect(e.selfHost.monthlyUsd.preemption).toBeCloseTo(0.5 * (730 / 24) * (20 / 60) * hourly, 6);
  });

  test("the API bill is 60M x USD 2 + 20M x USD 12 per 1M = USD 360", () => {
    expect(e.api.monthlyUsd).toBeCloseTo(360, 9);
  });

  test("the measured 216 tok/s wins over the estimate and is labelled measured", () => {
    expect(e.selfHost.throughputSource).toBe("measured");
    expect(e.selfHost.capacity.outputTokensPerSecond).toBe(216);
  });

  test("break-even needs over 500 % utilization: the node can never pay for itself at Gemini's price", () => {
    // 216 tok/s x 3600 x 730 h = 567.6M tokens at full load, worth USD 18 per 1M all-in on the API.
    const apiAtFullLoad = 216 * 3600 * 730 * (360 / 20e6);
    expect(e.breakEven.utilization).toBeCloseTo(e.selfHost.monthlyUsd.total / apiAtFullLoad, 9);
    expect(e.breakEven.utilization).toBeGreaterThan(5);
  });

  test("each replica would need the fleet's cost / (3600 x 730 h x 60 % x USD 18 per 1M) output tok/s to break even", () => {
    expect(e.breakEven.outputTokensPerSecondPerReplica).toBeCloseTo(
      e.selfHost.monthlyUsd.total / (3600 * 730 * 0.6 * 18e-6),
      6,
    );
    // About 1,850 tok/s: 8.6x the measured 216.
    expect(e.breakEven.outputTokensPerSecondPerReplica / 216).toBeGreaterThan(8);
  });

  test("cost per 1M output tokens at full load is USD 50.61 / (216 x 3600) x 1e6 = USD 65.08", () => {
    expect(e.selfHost.usdPerMillionOutputTokens.computeAtFullUtilization).toBeCloseTo(65.08, 2);
  });

  test("the 2026-07-30 price is older than 90 days on 2026-11-23 and says so", () => {
    expect(e.warnings.some((w) => w.includes("from 2026-07-30, more than 90 days old"))).toBe(true);
  });
});

describe("verdicts", () => {
  test("when the API is not allowed, the verdict says so instead of comparing", () => {
    const e = evaluate(
      inputsOf(story.replace("model: gemini-3-pro-preview }", "model: gemini-3-pro-preview, allowed: false }")),
    );
    expect(e.verdict).toBe("api-not-allowed");
    expect(e.summary).toMatch(/^The API is not allowed for this workload, so self-hosting is the only option/);
  });

  test("a model that does not fit is a result with the numbers, not an exception", () => {
    const e = evaluate(
      inputsOf(
        story.replace("a3-highgpu-8g", "a3-highgpu-1g").replace("throughput: { outputTokensPerSecond: 216 }", ""),
      ),
    );
    expect(e.selfHost.capacity.fits).toBe(false);
    expect(e.verdict).toBe("api");
    expect(e.selfHost.capacity.doesNotFitReason).toMatch(/GiB/);
  });

  test("a steady high volume of a mid-size model on a cheap node beats an expensive API", () => {
    const e = evaluate(
      inputsOf(`
model: llama-3.1-8b-instruct
node: { machineType: a3-highgpu-1g, pricing: spot }
replicas: { min: 1, max: 8 }
throughput: { outputTokensPerSecond: 2000 }
workload: { inputTokensPerMonth: 3e9, outputTokensPerMonth: 1e9, inputTokensPerRequest: 1500, outputTokensPerRequest: 500, utilization: 0.7 }
api: { provider: openai, model: gpt-4o }
`),
    );
    // gpt-4o: 3,000M x 2.5 + 1,000M x 10 = USD 17,500; 2000 tok/s x 3600 x 730 x 0.7 = 3.68B tokens/replica-month: 1 replica.
    expect(e.api.monthlyUsd).toBeCloseTo(17_500, 6);
    expect(e.selfHost.replicas).toBe(1);
    expect(e.verdict).toBe("self-host");
    expect(e.savingsMonthlyUsd).toBeCloseTo(17_500 - e.selfHost.monthlyUsd.total, 6);
  });
});

describe("monotonicity", () => {
  const base = inputsOf(story.replace("throughput: { outputTokensPerSecond: 216 }", ""));

  test("more volume never lowers the API bill", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e3, max: 1e12, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (volume, factor) => {
          const at = (v: number) => {
            const s = {
              ...base.scenario,
              workload: { ...base.scenario.workload, outputTokensPerMonth: v, inputTokensPerMonth: 3 * v },
            };
            return evaluate({ ...base, scenario: s }).api.monthlyUsd;
          };
          expect(at(volume * factor)).toBeGreaterThanOrEqual(at(volume));
        },
      ),
      { numRuns: 50 },
    );
  });

  test("a faster GPU never raises the cost per token", () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 4, noNaN: true }), (speedup) => {
        const faster = {
          ...base.gpu,
          memoryBandwidthGBps: base.gpu.memoryBandwidthGBps * speedup,
          denseTflops: {
            ...base.gpu.denseTflops,
            bf16: base.gpu.denseTflops.bf16 * speedup,
            fp16: base.gpu.denseTflops.fp16 * speedup,
          },
        };
        const slow = evaluate(base).selfHost.usdPerMillionOutputTokens.computeAtFullUtilization;
        const fast = evaluate({ ...base, gpu: faster }).selfHost.usdPerMillionOutputTokens.computeAtFullUtilization;
        expect(fast).toBeLessThanOrEqual(slow * (1 + 1e-12));
      }),
      { numRuns: 30 },
    );
  });
});

describe("a request the model cannot take is bad input, not a price", () => {
  // The story's request is 3000 input + 1000 output = 4000 tokens; Kimi K2.5's context is 262,144.
  test("max-model-len shorter than one request: vLLM would reject every request", () => {
    expect(() => inputsOf(story.replace("maxModelLen: 4096", "maxModelLen: 2048"))).toThrow(
      "scenario.yaml: serving.maxModelLen: 2048 is shorter than one request (workload.inputTokensPerRequest 3000 + outputTokensPerRequest 1000), which vLLM would reject; valid: 4000 to 262144",
    );
  });

  test("max-model-len above the model's context: vLLM refuses to start", () => {
    expect(() => inputsOf(story.replace("maxModelLen: 4096", "maxModelLen: 300000"))).toThrow(
      "scenario.yaml: serving.maxModelLen: 300000 is above kimi-k2.5's context of 262144 tokens, which vLLM refuses; valid: 4000 to 262144",
    );
  });

  test("a request longer than the model's context", () => {
    expect(() =>
      inputsOf(
        story
          .replace("inputTokensPerRequest: 3000", "inputTokensPerRequest: 300000")
          .replace("maxModelLen: 4096", "maxModelLen: 8192"),
      ),
    ).toThrow(
      "scenario.yaml: workload.inputTokensPerRequest: 300000 input + 1000 output tokens per request exceed kimi-k2.5's context of 262144 tokens; valid: a request of at most 262144 tokens",
    );
  });
});
