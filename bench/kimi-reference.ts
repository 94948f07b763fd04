import type { Catalog } from "../catalog/load";
import { estimateCapacity } from "../engine/capacity";

/**
 * The reference story (README, "The reference story"): Kimi K2.5 INT4 on 8xH100 with vLLM
 * 0.15.0 at gpu_memory_utilization 0.95, max-num-seqs 64 and max-model-len
 * 8192 (the setup log cited in model-configs/kimi-k2.5.yaml) left 0.64 GiB
 * per GPU for the KV cache, and served 112 tok/s to a single short-prompt request and 108 tok/s
 * per request at 2 concurrent. Prints the model's figures next to the story's.
 */
export function kimiReferenceCheck(catalog: Catalog): string[] {
  const model = catalog.models.get("kimi-k2.5");
  const gpu = catalog.gpus.get("h100-80gb");
  if (!model || !gpu) return ["Kimi K2.5 reference: kimi-k2.5 or h100-80gb missing from the catalog"];
  const run = (concurrency: number, inputTokens: number) =>
    estimateCapacity({
      model,
      variant: model.weights[0]!,
      gpu,
      parallel: { tensorParallel: 8, pipelineParallel: 1 },
      serving: {
        gpuMemoryUtilization: 0.95,
        maxModelLen: 8192,
        maxNumSeqs: 64,
        maxNumBatchedTokens: 8192,
        kvCacheDtype: "auto",
        blockSize: 16,
      },
      request: { inputTokens, outputTokens: 1000 },
      calibration: catalog.calibration,
      concurrency,
    });
  const one = run(1, 100);
  const two = run(2, 100);
  const m = one.memory;
  return [
    `Kimi K2.5 reference (8xH100, vLLM ${model.serving.vllmVersion}, gpu_memory_utilization 0.95, max-num-seqs 64, short prompts):`,
    `  KV cache per GPU   ${m.kvCacheGiBPerGpu.toFixed(2)} GiB (story: 0.64 GiB); weights ${m.weightsGiBPerGpu.toFixed(2)} GiB, reserve ${m.reserveGiBPerGpu.toFixed(2)} GiB; ${m.kvCacheTokens} tokens`,
    `  single stream      ${one.point.perRequestOutputTokensPerSecond.toFixed(1)} tok/s (story: 112 tok/s)`,
    `  2 concurrent       ${two.point.perRequestOutputTokensPerSecond.toFixed(1)} tok/s per request (story: 108 tok/s)`,
  ];
}
