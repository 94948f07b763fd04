import type { CapacityInputs } from "../engine/capacity";
import type { CalibrationConstants } from "../engine/calibration";
import type { Gpu } from "../engine/hardware";
import type { ReplicaShape } from "../engine/throughput";
import { loadCatalog } from "../catalog/load";

/**
 * What the engine tests share: the catalog, a model by id, the H100 and
 * vLLM's serving settings at the values the README's worked examples use
 * (gpu_memory_utilization 0.9, max-model-len 8192, max-num-seqs 1024,
 * max-num-batched-tokens 8192, KV cache at the model's dtype, 16-token blocks).
 */
export const catalog = loadCatalog();

/** A model config from the catalog; a test naming a missing one fails here. */
export function model(id: string) {
  const m = catalog.models.get(id);
  if (!m) throw new Error(`no model ${id}`);
  return m;
}

/** The H100 80 GB of the catalog. */
export const h100 = catalog.gpus.get("h100-80gb")!;

/** The serving settings of the worked examples (see above). */
export const serving = {
  gpuMemoryUtilization: 0.9,
  maxModelLen: 8192,
  maxNumSeqs: 1024,
  maxNumBatchedTokens: 8192,
  kvCacheDtype: "auto" as const,
  blockSize: 16,
};

/** One GPU: no tensor or pipeline parallelism. */
export const oneGpu = { tensorParallel: 1, pipelineParallel: 1 };

/**
 * What estimateCapacity needs for `modelId`'s first checkpoint on one H100
 * with the serving settings above and 1,000 input and 500 output tokens a
 * request; `change` replaces fields, and `serving` fields one by one.
 */
export function capacityInputs(
  modelId: string,
  change: Omit<Partial<CapacityInputs>, "serving"> & { serving?: Partial<CapacityInputs["serving"]> } = {},
): CapacityInputs {
  const m = model(modelId);
  const { serving: servingChange, ...rest } = change;
  return {
    model: m,
    variant: m.weights[0]!,
    gpu: h100,
    parallel: oneGpu,
    request: { inputTokens: 1000, outputTokens: 500 },
    calibration: catalog.calibration,
    ...rest,
    serving: { ...serving, ...servingChange },
  };
}

/** Calibration constants with every fitted overhead at zero: what the pinned GPU rates alone predict. */
export const noOverheads: CalibrationConstants = {
  stepOverheadUs: 0,
  layerOverheadUs: 0,
  moeLayerOverheadUs: 0,
  moeTokenOverheadNs: 0,
  sequenceOverheadUs: 0,
  wna16MoeLayerOverheadUs: 0,
};

/**
 * Llama-3.1-8B-Instruct's first checkpoint (BF16, 128 KiB of KV cache a token)
 * as one replica on `gpu` at tensor parallel `tp`, with `constants` and the
 * given max-num-batched-tokens.
 */
export function llama8bShape(
  gpu: Gpu,
  tp: number,
  constants: CalibrationConstants,
  maxNumBatchedTokens: number,
): ReplicaShape {
  const llama = model("llama-3.1-8b-instruct");
  return {
    model: llama,
    variant: llama.weights[0]!,
    gpu,
    parallel: { tensorParallel: tp, pipelineParallel: 1 },
    kvBytesPerToken: 131_072,
    kvBytesPerTokenPerGpu: 131_072 / tp,
    kvCacheDtype: "auto",
    maxNumBatchedTokens,
    constants,
  };
}
