import { describe, expect, test } from "vitest";
import { estimateCapacity, fittingMaxModelLen } from "../engine/capacity";
import { layoutRefusal } from "../engine/vllm-layout";
import { capacityInputs, model } from "./engine-fixture";

const layout = { tensorParallel: 1, pipelineParallel: 1, gpus: 1, blockSize: 16 };

describe("layouts vLLM refuses", () => {
  test("TP 8 does not divide Qwen2.5-0.5B's 14 attention heads", () => {
    expect(layoutRefusal(model("qwen2.5-0.5b-instruct"), { ...layout, tensorParallel: 8, gpus: 8 })?.setting).toBe(
      "tensorParallel",
    );
  });
  test("TP 2 divides them", () => {
    expect(layoutRefusal(model("qwen2.5-0.5b-instruct"), { ...layout, tensorParallel: 2, gpus: 2 })).toBeUndefined();
  });
  test("TP 8 over Qwen3-235B's 4 KV heads replicates them (8 is a multiple of 4): allowed", () => {
    expect(layoutRefusal(model("qwen3-235b-a22b"), { ...layout, tensorParallel: 8, gpus: 8 })).toBeUndefined();
  });
  test("TP 4 x PP 1 on an 8-GPU replica is not vLLM's world size", () => {
    expect(layoutRefusal(model("llama-3.1-8b-instruct"), { ...layout, tensorParallel: 4, gpus: 8 })?.setting).toBe(
      "gpus",
    );
  });
  test("PP 64 over Llama-3.1-8B's 32 layers leaves empty stages", () => {
    expect(layoutRefusal(model("llama-3.1-8b-instruct"), { ...layout, pipelineParallel: 64, gpus: 64 })?.setting).toBe(
      "pipelineParallel",
    );
  });
  test("block size 48 is not one vLLM offers; 128 is", () => {
    expect(layoutRefusal(model("llama-3.1-8b-instruct"), { ...layout, blockSize: 48 })?.setting).toBe("blockSize");
    expect(layoutRefusal(model("llama-3.1-8b-instruct"), { ...layout, blockSize: 128 })).toBeUndefined();
  });
});

describe("max-model-len when the default does not fit", () => {
  test("a 16,624-token cache runs a 2,100-token request at 16,384, and a 1,500-token cache none", () => {
    expect(fittingMaxModelLen(16_624, 2_100)).toBe(16_384);
    expect(fittingMaxModelLen(1_500, 2_100)).toBeUndefined();
  });

  const inputs = capacityInputs("qwen3-32b", {
    serving: { maxModelLen: 40_960 },
    request: { inputTokens: 2000, outputTokens: 100 },
    vllmVersion: "0.11.0",
  });

  test("Qwen3-32B BF16 on one H100 at 2000/100 runs, as on vLLM 0.11, with the default lowered to a power of two and a note saying so", () => {
    const c = estimateCapacity(inputs);
    expect(c.fits).toBe(true);
    expect(c.maxModelLen).toBe(16_384);
    expect(c.maxModelLenNote).toMatch(/lowered from the default 40960 to 16384/);
  });

  test("when the user set max-model-len 40960, it does not fit, with vLLM's numbers: 10.00 GiB needed", () => {
    const c = estimateCapacity({ ...inputs, serving: { ...inputs.serving, maxModelLenSetByUser: true } });
    expect(c.fits).toBe(false);
    expect(c.memory.reason).toMatch(/max-model-len 40960 needs 10\.00 GiB of KV cache per GPU/);
    expect(c.memory.reason).toMatch(/estimated maximum model length is \d+/);
  });
});
