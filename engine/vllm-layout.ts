import type { ModelConfig } from "./model-config";

/**
 * The layouts vLLM refuses to start with, so the project refuses them too
 * instead of pricing a replica that would crash at startup.
 */

/**
 * Block sizes vLLM accepts for `--block-size`: `BlockSize = Literal[1, 8,
 * 16, 32, 64, 128, 256]` in vllm-project/vllm vllm/config/cache.py (v0.15.0
 * and later; MLA models get 64 whatever is asked).
 */
export const VLLM_BLOCK_SIZES = [1, 8, 16, 32, 64, 128, 256] as const;

/** Which setting a refusal is about, and vLLM's reason in a sentence. */
export interface LayoutRefusal {
  setting: "tensorParallel" | "pipelineParallel" | "gpus" | "blockSize";
  message: string;
}

/** A replica layout as the user asked for it. */
export interface RequestedLayout {
  tensorParallel: number;
  pipelineParallel: number;
  /** GPUs the replica has (machine GPUs x nodes). */
  gpus: number;
  blockSize: number;
}

/**
 * The first rule of vLLM's that the layout breaks, or undefined:
 * - attention heads divisible by TP (`ModelConfig.verify_with_parallel_config`,
 *   vllm/config/model.py: "Total number of attention heads (N) must be
 *   divisible by tensor parallel size (T)");
 * - KV heads divisible by TP, or TP by the KV heads once TP exceeds them (they
 *   are then replicated: `QKVParallelLinear` in
 *   vllm/model_executor/layers/linear.py calls `divide(tp_size,
 *   total_num_kv_heads)`); MLA has one latent, no KV heads to split;
 * - TP x PP equal to the replica's GPUs (vLLM's world size);
 * - at least one layer per PP stage (`get_pp_indices` in
 *   vllm/distributed/utils.py splits the layers over the stages);
 * - a block size from {@link VLLM_BLOCK_SIZES}.
 */
export function layoutRefusal(model: ModelConfig, layout: RequestedLayout): LayoutRefusal | undefined {
  const a = model.architecture;
  const tp = layout.tensorParallel;
  const pp = layout.pipelineParallel;
  if (a.numAttentionHeads % tp !== 0) {
    return {
      setting: "tensorParallel",
      message: `${tp} does not divide ${model.id}'s ${a.numAttentionHeads} attention heads, which vLLM refuses ("Total number of attention heads must be divisible by tensor parallel size"); valid: ${divisors(a.numAttentionHeads).join(", ")}`,
    };
  }
  const kv = a.numKeyValueHeads;
  if (!a.mla && kv % tp !== 0 && tp % kv !== 0) {
    return {
      setting: "tensorParallel",
      message: `${tp} neither divides ${model.id}'s ${kv} KV heads nor is a multiple of them, so vLLM cannot split or replicate them`,
    };
  }
  if (tp * pp !== layout.gpus) {
    return {
      setting: "gpus",
      message: `tensor parallel ${tp} x pipeline parallel ${pp} = ${tp * pp} GPUs, but the replica has ${layout.gpus}; vLLM's world size is TP x PP`,
    };
  }
  if (pp > a.numLayers) {
    return {
      setting: "pipelineParallel",
      message: `${pp} stages for ${model.id}'s ${a.numLayers} layers would leave a stage with no layer; valid: 1 to ${a.numLayers}`,
    };
  }
  if (!(VLLM_BLOCK_SIZES as readonly number[]).includes(layout.blockSize)) {
    return {
      setting: "blockSize",
      message: `${layout.blockSize} is not a block size vLLM offers; valid: ${VLLM_BLOCK_SIZES.join(", ")}`,
    };
  }
  return undefined;
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}
