import { describe, expect, test } from "vitest";
import { readKvRows } from "../calibration/points";
import { matchKvRows, predictKv } from "../calibration/rows";
import { legacySamplerFromPairs } from "../calibration/fit";
import {
  fitMemory,
  kvBytesPerTokenPerGpu,
  kvLayerSlots,
  layersPerStage,
  reserveBytesPerGpu,
  weightBytesPerStage,
  BYTES_PER_GIB,
} from "../engine/memory";
import { catalog, h100, model, oneGpu, serving } from "./engine-fixture";

const reserve = catalog.calibration.reserve;
const settings = serving;
const one = oneGpu;

describe("vLLM's startup log, row by row (calibration/data/vllm-kv-cache-points.csv, V1 rows with a model config)", () => {
  const matched = matchKvRows(readKvRows(), catalog);
  const rows = matched.flatMap((m) => (m.ok ? [m] : []));

  test("every V1 row with a config is checked, and only rows without a config are left out", () => {
    expect(rows.length).toBeGreaterThanOrEqual(19);
    for (const m of matched) if (!m.ok) expect(m.reason).toMatch(/no model config/);
  });

  test.each(rows.map((m) => [m.row.id, m] as const))("%s: weights GiB and KV cache within 3 % of the log", (_id, m) => {
    const p = predictKv(m, reserve);
    expect(Math.abs(p.weightsErrorPct)).toBeLessThanOrEqual(3);
    expect(Math.abs(p.kvTokensErrorPct)).toBeLessThanOrEqual(3);
  });
});

describe("weights per GPU", () => {
  test("Llama-3.1-8B at TP2 splits 32 layers and a 128,256-row vocabulary in two: 7.48 GiB per GPU (the log says 7.51)", () => {
    const [bytes] = weightBytesPerStage(model("llama-3.1-8b-instruct"), model("llama-3.1-8b-instruct").weights[0]!, {
      tensorParallel: 2,
      pipelineParallel: 1,
    });
    expect(bytes! / BYTES_PER_GIB).toBeCloseTo(7.48, 2);
  });

  test("PP2 gives each stage 16 of Llama-3.1-8B's 32 layers, the embedding to the first and the LM head to the last", () => {
    expect(layersPerStage(32, 2)).toEqual([16, 16]);
    expect(layersPerStage(61, 4)).toEqual([15, 15, 15, 16]);
    const stages = weightBytesPerStage(model("llama-3.1-8b-instruct"), model("llama-3.1-8b-instruct").weights[0]!, {
      tensorParallel: 1,
      pipelineParallel: 2,
    });
    // Embedding and LM head are the same size (128,256 x 4,096 x 2 B); the last stage adds the 4,096 final-norm weights.
    expect(stages[1]! - stages[0]!).toBe(4096 * 2);
  });

  test("an FP8 checkpoint keeps Llama-3.1-8B's 2 x 0.53e9 embedding and LM-head weights at 2 bytes: 8.46 GiB, not half of 14.96", () => {
    const llama = model("llama-3.1-8b-instruct");
    const fp8 =
      weightBytesPerStage(
        llama,
        llama.weights.find((w) => w.dtype === "fp8")!,
        one,
      )[0]! / BYTES_PER_GIB;
    expect(fp8).toBeCloseTo(8.46, 2);
  });

  test("Kimi K2.5's vision encoder is replicated on every rank under --mm-encoder-tp-mode data: 400M x 2 B = 0.75 GiB per GPU", () => {
    const kimi = model("kimi-k2.5");
    const withEncoder = weightBytesPerStage(kimi, kimi.weights[0]!, { tensorParallel: 8, pipelineParallel: 1 })[0]!;
    const without = weightBytesPerStage(
      { ...kimi, architecture: { ...kimi.architecture, visionEncoderParams: undefined } },
      kimi.weights[0]!,
      { tensorParallel: 8, pipelineParallel: 1 },
    )[0]!;
    expect((withEncoder - without) / BYTES_PER_GIB).toBeCloseTo(0.745, 3);
  });
});

describe("KV cache per GPU", () => {
  test("GQA splits KV heads across TP ranks: Qwen2.5-7B's 4 KV heads at TP4 leave one head, 28 x 2 x 128 x 2 B = 14,336 B per token", () => {
    expect(kvBytesPerTokenPerGpu(model("qwen2.5-7b-instruct"), 2, { tensorParallel: 4, pipelineParallel: 1 })).toBe(
      14_336,
    );
  });

  test("TP beyond the KV heads replicates them: TP8 costs as much per GPU as TP4", () => {
    const q = model("qwen2.5-7b-instruct");
    expect(kvBytesPerTokenPerGpu(q, 2, { tensorParallel: 8, pipelineParallel: 1 })).toBe(
      kvBytesPerTokenPerGpu(q, 2, { tensorParallel: 4, pipelineParallel: 1 }),
    );
  });

  test("MLA's latent is replicated on every TP rank: DeepSeek-V3 is 70,272 B per token on each GPU at TP8", () => {
    expect(kvBytesPerTokenPerGpu(model("deepseek-v3"), 2, { tensorParallel: 8, pipelineParallel: 1 })).toBe(70_272);
  });

  test("vLLM's hybrid allocator charges Gemma 3 27B 70 layer slots per token (10 full + 52 sliding in groups of 10, the last padded)", () => {
    expect(kvLayerSlots(model("gemma-3-27b-it"))).toBe(70);
  });

  test("Gemma 2 9B's 21 full and 21 sliding layers make two groups of 21: 42 slots, the plain layer count", () => {
    expect(kvLayerSlots(model("gemma-2-9b-it"))).toBe(42);
  });

  test("an fp8 KV cache holds twice the tokens of a 16-bit one on the same memory", () => {
    const llama = model("llama-3.1-8b-instruct");
    const args = { model: llama, variant: llama.weights[0]!, gpu: h100, parallel: one, reserve, blockSize: 16 };
    const bf16 = fitMemory({ ...args, settings });
    const fp8 = fitMemory({ ...args, settings: { ...settings, kvCacheDtype: "fp8" } });
    expect(fp8.kvCacheGiBPerGpu).toBeCloseTo(bf16.kvCacheGiBPerGpu, 9);
    expect(Math.abs(fp8.kvCacheTokens - 2 * bf16.kvCacheTokens)).toBeLessThanOrEqual(16);
  });

  test("MLA models get 64-token blocks: DeepSeek-V3's KV cache is a whole number of 64-token blocks", () => {
    const ds = model("deepseek-v3");
    const fit = fitMemory({
      model: ds,
      variant: ds.weights[0]!,
      gpu: catalog.gpus.get("h200-141gb")!,
      parallel: { tensorParallel: 8, pipelineParallel: 1 },
      settings,
      reserve,
      blockSize: 16,
    });
    expect(fit.kvCacheTokens % 64).toBe(0);
    expect(fit.kvCacheTokens).toBeGreaterThan(0);
  });
});

describe("the reserve outside weights and KV cache", () => {
  const llama = model("llama-3.1-8b-instruct");

  test("TP adds the fitted NCCL term once, whatever the TP size", () => {
    const tp1 = reserveBytesPerGpu(llama, settings, one, reserve);
    const tp2 = reserveBytesPerGpu(llama, settings, { tensorParallel: 2, pipelineParallel: 1 }, reserve);
    const tp4 = reserveBytesPerGpu(llama, settings, { tensorParallel: 4, pipelineParallel: 1 }, reserve);
    expect((tp2 - tp1) / BYTES_PER_GIB).toBeCloseTo(reserve.tensorParallelGiB, 9);
    expect(tp4).toBe(tp2);
  });

  test("the sampler's warm-up grows with max-num-seqs x vocabulary: 64 sequences reserve less than 1024", () => {
    const few = reserveBytesPerGpu(llama, { ...settings, maxNumSeqs: 64 }, one, reserve);
    const many = reserveBytesPerGpu(llama, settings, one, reserve);
    expect(many - few).toBeCloseTo(reserve.logitsBytesPerSeqVocab * 960 * 128_256, 0);
  });

  test("before 0.17 the sampler warm-up is larger, by max-num-seqs x vocabulary: the same extra for Qwen3-14B and Qwen3-32B, which share a 151,936 vocabulary", () => {
    const extra = (id: string, seqs: number) =>
      reserveBytesPerGpu(model(id), { ...settings, maxNumSeqs: seqs, vllmVersion: "0.16.0" }, one, reserve) -
      reserveBytesPerGpu(model(id), { ...settings, maxNumSeqs: seqs, vllmVersion: "0.17.0" }, one, reserve);
    expect(extra("qwen3-14b", 1024)).toBeCloseTo(reserve.legacySamplerBytesPerSeqVocab * 1024 * 151_936, 0);
    expect(extra("qwen3-32b", 1024)).toBeCloseTo(extra("qwen3-14b", 1024), 0);
    // A quarter of the sequences, a quarter of the extra: it is the warm-up, not the model.
    expect(extra("qwen3-14b", 256) * 4).toBeCloseTo(extra("qwen3-14b", 1024), 0);
    // Between 2 and 4 GiB at 1024 sequences (the version sweep logs 5.64 - 2.23 = 3.41 GiB of torch peak).
    expect(extra("qwen3-14b", 1024) / BYTES_PER_GIB).toBeGreaterThan(2);
    expect(extra("qwen3-14b", 1024) / BYTES_PER_GIB).toBeLessThan(4);
  });

  test("the legacy sampler term measured directly from the 0.16/0.17 pair is about 23 bytes per sequence per vocabulary entry (3.40 GiB / (1024 x 151,936))", () => {
    const rows = matchKvRows(readKvRows(), catalog).flatMap((m) => (m.ok ? [m] : []));
    expect(legacySamplerFromPairs(rows)).toBeCloseTo(23.1, 0);
  });

  test("only the last PP stage samples, so the first stage keeps more KV room", () => {
    const first = reserveBytesPerGpu(llama, settings, { tensorParallel: 1, pipelineParallel: 2 }, reserve, false);
    const last = reserveBytesPerGpu(llama, settings, { tensorParallel: 1, pipelineParallel: 2 }, reserve, true);
    expect(last).toBeGreaterThan(first);
  });

  test("every reserve coefficient the fit found is non-negative (memory, not a fudge)", () => {
    for (const [key, value] of Object.entries(reserve))
      if (typeof value === "number") expect(value, key).toBeGreaterThanOrEqual(0);
  });
});
