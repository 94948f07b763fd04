import { describe, expect, test } from "vitest";
import { fitMemory, kvBytesPerToken } from "../engine/memory";
import { paramBreakdown } from "../engine/params";
import { resolveServing } from "../engine/evaluate";
import { catalog, h100, model, serving } from "./engine-fixture";

describe("KV cache bytes per token (2 x layers x KV heads x head dim x bytes; MLA: layers x (kv_lora_rank + qk_rope_head_dim) x bytes)", () => {
  test("Llama-3.1-8B at BF16 is 2 x 32 layers x 8 KV heads x 128 x 2 B = 131,072 B (GQA counts KV heads, not query heads)", () => {
    expect(kvBytesPerToken(model("llama-3.1-8b-instruct"), 2)).toBe(131_072);
  });

  test("DeepSeek-V3's MLA latent is 61 layers x (512 + 64) x 2 B = 70,272 B", () => {
    expect(kvBytesPerToken(model("deepseek-v3"), 2)).toBe(70_272);
  });

  test("Kimi K2.5 shares DeepSeek-V3's MLA cache size", () => {
    expect(kvBytesPerToken(model("kimi-k2.5"), 2)).toBe(70_272);
  });

  test("an fp8 KV cache halves Llama-3.3-70B's 327,680 B per token", () => {
    expect(kvBytesPerToken(model("llama-3.3-70b-instruct"), 2)).toBe(327_680);
    expect(kvBytesPerToken(model("llama-3.3-70b-instruct"), 1)).toBe(163_840);
  });
});

describe("parameter counts from the architecture agree with the model cards", () => {
  test.each([
    ["llama-3.1-8b-instruct", 8.03, 0.01],
    ["llama-3.3-70b-instruct", 70.55, 0.01],
    ["deepseek-v3", 671, 0.01],
  ])("%s has about %dB parameters", (id, billions, tolerance) => {
    expect(paramBreakdown(model(id)).total / 1e9).toBeGreaterThan(billions * (1 - tolerance));
    expect(paramBreakdown(model(id)).total / 1e9).toBeLessThan(billions * (1 + tolerance));
  });

  test("DeepSeek-V3 touches about 37B parameters per token", () => {
    expect(paramBreakdown(model("deepseek-v3")).active / 1e9).toBeCloseTo(37, -0.5);
  });
});

describe("vLLM's own defaults per GPU (EngineArgs.get_batch_defaults for vllm serve)", () => {
  test.each([
    ["h100-80gb", 1024, 8192],
    ["h200-141gb", 1024, 8192],
    ["a100-80gb", 256, 2048],
    ["a100-40gb", 256, 2048],
    ["l4", 256, 2048],
  ])("%s: max-num-seqs %d, max-num-batched-tokens %d", (id, seqs, batched) => {
    const gpu = catalog.gpus.get(id)!;
    const serving = resolveServing(
      { gpuMemoryUtilization: 0.9, kvCacheDtype: "auto", blockSize: 16 },
      { inputTokens: 1000, outputTokens: 1000 },
      model("llama-3.1-8b-instruct"),
      gpu,
    );
    expect([serving.maxNumSeqs, serving.maxNumBatchedTokens]).toEqual([seqs, batched]);
  });
});

describe("fit", () => {
  const llama70Bf16On = (tensorParallel: number) => {
    const llama70 = model("llama-3.3-70b-instruct");
    return fitMemory({
      model: llama70,
      variant: llama70.weights.find((w) => w.dtype === "bf16")!,
      gpu: h100,
      parallel: { tensorParallel, pipelineParallel: 1 },
      settings: serving,
      reserve: catalog.calibration.reserve,
      blockSize: 16,
    });
  };

  test("Llama-3.3-70B at BF16 (about 131 GiB of weights) does not fit one 80 GB GPU, and the result says why", () => {
    const fit = llama70Bf16On(1);
    expect(fit.fits).toBe(false);
    expect(fit.weightsGiBPerGpu).toBeGreaterThan(130);
    expect(fit.reason).toMatch(/weights need 13\d\.\d\d GiB/);
    // 131 GiB of weights against 71 GiB usable: a lower max-num-seqs cannot help, so the reason does not suggest it.
    expect(fit.reason).not.toContain("max-num-seqs");
  });

  test("Llama-3.3-70B at BF16 fits four H100s with tensor parallelism", () => {
    const fit = llama70Bf16On(4);
    expect(fit.fits).toBe(true);
    expect(fit.weightsGiBPerGpu).toBeGreaterThan(32);
    expect(fit.weightsGiBPerGpu).toBeLessThan(34);
  });
});
