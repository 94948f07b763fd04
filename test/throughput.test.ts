import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import type { CalibrationConstants } from "../engine/calibration";
import type { Gpu } from "../engine/hardware";
import {
  decodeStepSeconds,
  expertsTouched,
  marginalPrefillSeconds,
  throughputAt,
  type ReplicaShape,
} from "../engine/throughput";
import { llama8bShape, noOverheads } from "./engine-fixture";

const catalog = loadCatalog();
const measuredH100 = catalog.gpus.get("h100-80gb")!;
/** An H100 that reaches its datasheet peaks, with an all-reduce of `allReduceLatencyUs` and NVLink's one-direction 450 GB/s. */
const idealH100 = (allReduceLatencyUs = 0): Gpu => ({
  ...measuredH100,
  efficiency: {
    weightBandwidth: { bf16: 1, fp8: 1 },
    matmulCompute: { bf16: 1, fp8: 1 },
    gemmRooflineExponent: { bf16: 1000, fp8: 1000 },
    kvReadBandwidth: { bf16: 1, fp8: 1 },
    decodeAttention: { bf16: { fixedUs: 0, itemNs: 0 } },
    prefillAttentionCompute: 1,
    moeExpertBandwidth: { bf16: 1, fp8: 1, int4: 1 },
    moeExpertCompute: { bf16: 1, fp8: 1, int4: 1 },
    allReduce: [{ gpus: 8, latencyUs: allReduceLatencyUs, busGBps: 450 }],
  },
});
const h100 = idealH100();
const ideal: CalibrationConstants = noOverheads;
const shape = (constants: CalibrationConstants, tp = 1, gpu: Gpu = h100): ReplicaShape =>
  llama8bShape(gpu, tp, constants, h100.vllmDefaultMaxNumBatchedTokens);

describe("the decode roofline", () => {
  test("one Llama-3.1-8B stream on an ideal H100 reads its 15.0 GB of matmul weights a step: 3,350 GB/s / 15.0 GB = about 223 tok/s", () => {
    // 8.03e9 parameters less the 0.53e9 embedding rows (a lookup, not a read of the whole table), at 2 bytes.
    const step = decodeStepSeconds(shape(ideal), 1, 0);
    expect(1 / step.seconds).toBeGreaterThan(221);
    expect(1 / step.seconds).toBeLessThan(225);
    expect(step.bound).toBe("memory");
  });

  test("the KV cache adds its bytes: 64 sequences at 4,096 tokens read 64 x 4,096 x 131,072 B = 34.4 GB more a step", () => {
    const empty = decodeStepSeconds(shape(ideal), 64, 0).seconds;
    const full = decodeStepSeconds(shape(ideal), 64, 4096).seconds;
    expect((full - empty) * 3350e9).toBeCloseTo(64 * 4096 * 131_072, -7);
  });

  test("the fixed costs add per step, per layer (32 for Llama-3.1-8B) and per TP all-reduce (two per layer)", () => {
    const base = decodeStepSeconds(shape(ideal, 2), 1, 0).seconds;
    const withCosts = decodeStepSeconds(
      shape({ ...ideal, stepOverheadUs: 100, layerOverheadUs: 10 }, 2, idealH100(5)),
      1,
      0,
    ).seconds;
    expect((withCosts - base) * 1e6).toBeCloseTo(100 + 32 * 10 + 2 * 32 * 5, 6);
  });

  test("a batch of 8 tokens routing 8 of 256 experts each touches 256 x (1 - (248/256)^8) = 57.4 experts; one token touches 8", () => {
    expect(expertsTouched(256, 8, 1)).toBeCloseTo(8, 9);
    expect(expertsTouched(256, 8, 8)).toBeCloseTo(57.4, 1);
    expect(expertsTouched(256, 8, 100_000)).toBeCloseTo(256, 6);
  });
});

describe("throughput against concurrency, with the calibrated constants", () => {
  const calibrated = shape(catalog.calibration.throughput, 1, measuredH100);
  const request = { inputTokens: 1000, outputTokens: 500 };

  test("more requests in flight never lower the replica's output, never speed up one request, never shorten the first token", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1023 }), (c) => {
        const a = throughputAt(calibrated, request, c);
        const b = throughputAt(calibrated, request, c + 1);
        expect(b.outputTokensPerSecond).toBeGreaterThanOrEqual(a.outputTokensPerSecond * (1 - 1e-12));
        expect(b.perRequestOutputTokensPerSecond).toBeLessThanOrEqual(a.perRequestOutputTokensPerSecond * (1 + 1e-12));
        expect(b.ttftMs).toBeGreaterThanOrEqual(a.ttftMs * (1 - 1e-12));
      }),
    );
  });

  test("a single request's output is its decode speed stretched by its own prefill: 500 / (500 / speed + prefill seconds)", () => {
    const p = throughputAt(calibrated, request, 1);
    const prefill = marginalPrefillSeconds(calibrated, 1000);
    expect(p.outputTokensPerSecond).toBeCloseTo(500 / (500 / p.perRequestOutputTokensPerSecond + prefill), 9);
  });
});
