import type { Evaluation } from "../engine/evaluate";
import type { ModelConfig, WeightDtype, WeightVariant } from "../engine/model-config";

/** The port vLLM's OpenAI-compatible server listens on (its default). */
export const VLLM_PORT = 8000;

/** vLLM `--dtype` for a weight format: 16-bit checkpoints say so; quantized ones let vLLM read the config. */
export function vllmDtype(dtype: WeightDtype): string {
  switch (dtype) {
    case "bf16":
      return "bfloat16";
    case "fp16":
      return "float16";
    case "fp8":
    case "int8":
    case "int4":
    case "awq-int4":
    case "gptq-int4":
    case "nvfp4":
      return "auto";
    default: {
      const never: never = dtype;
      return never;
    }
  }
}

/** The checkpoint the evaluation priced. */
export function servedVariant(evaluation: Evaluation, model: ModelConfig): WeightVariant {
  const variant = model.weights.find((w) => w.dtype === evaluation.model.weightDtype);
  if (!variant)
    throw new Error(`${model.id} has no ${evaluation.model.weightDtype} checkpoint, yet the evaluation priced one`);
  return variant;
}

/**
 * `vllm serve` arguments, every sizing value taken from the engine's
 * evaluation (parallelism, context, batch, memory share), then the
 * checkpoint's quantization and the model's pinned extra arguments. The
 * revision is the checkpoint's unless the deployment pins one.
 */
export function vllmArgs(evaluation: Evaluation, model: ModelConfig, revision?: string): string[] {
  const variant = servedVariant(evaluation, model);
  const { serving, parallel } = evaluation;
  const args = [
    variant.huggingFaceRepo,
    "--revision",
    revision ?? variant.revision,
    "--served-model-name",
    model.id,
    "--host",
    "0.0.0.0",
    "--port",
    String(VLLM_PORT),
    "--tensor-parallel-size",
    String(parallel.tensorParallel),
    "--pipeline-parallel-size",
    String(parallel.pipelineParallel),
    "--max-model-len",
    String(serving.maxModelLen),
    "--max-num-seqs",
    String(serving.maxNumSeqs),
    "--max-num-batched-tokens",
    String(serving.maxNumBatchedTokens),
    "--gpu-memory-utilization",
    String(serving.gpuMemoryUtilization),
    "--kv-cache-dtype",
    serving.kvCacheDtype,
    "--dtype",
    vllmDtype(variant.dtype),
  ];
  // MLA models need vLLM's own block size (64); forcing the scenario's 16 would fail at start.
  if (!model.architecture.mla) args.push("--block-size", String(serving.blockSize));
  if (variant.vllmQuantization !== undefined) args.push("--quantization", variant.vllmQuantization);
  // A replica larger than one node runs on the Ray cluster its LeaderWorkerSet group forms.
  if (parallel.tensorParallel * parallel.pipelineParallel > evaluation.node.gpusPerNode)
    args.push("--distributed-executor-backend", "ray");
  args.push(...model.serving.extraVllmArgs);
  return args;
}
