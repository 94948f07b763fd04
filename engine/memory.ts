import type { ReserveConstants } from "./calibration";
import type { Gpu } from "./hardware";
import type { ModelConfig, ModulePart, WeightVariant } from "./model-config";
import { bytesPerWeight, paramBreakdown } from "./params";

/** Bytes in a GiB: vLLM's logs and CUDA's totals are in GiB. */
export const BYTES_PER_GIB = 1024 ** 3;

/** How a replica is split across GPUs. */
export interface Parallelism {
  tensorParallel: number;
  pipelineParallel: number;
}

/** vLLM settings the memory model needs. */
export interface MemorySettings {
  gpuMemoryUtilization: number;
  maxModelLen: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  kvCacheDtype: "auto" | "fp8";
}

/** vLLM pads the vocabulary of each TP shard to a multiple of 64. */
const VOCAB_PAD = 64;

function paddedVocabShare(vocab: number, tp: number): number {
  const perRank = Math.ceil(vocab / tp);
  return Math.ceil(perRank / VOCAB_PAD) * VOCAB_PAD;
}

/**
 * Weight bytes on the busiest GPU of a replica, as vLLM's "Model loading took
 * N GiB" reports them: linear layers split across TP ranks (KV projections
 * replicated once TP exceeds the KV heads, MLA down-projections always
 * replicated), the padded vocabulary split across ranks, layers split across
 * PP stages with the embedding on the first and the LM head on the last.
 */
export function weightBytesPerGpu(model: ModelConfig, variant: WeightVariant, parallel: Parallelism): number {
  const a = model.architecture;
  const p = paramBreakdown(model);
  const tp = parallel.tensorParallel;
  const pp = parallel.pipelineParallel;
  const b = (part: ModulePart) => bytesPerWeight(variant, part);
  const h = a.hiddenSize;

  let attentionPerLayer: number;
  if (a.mla) {
    attentionPerLayer = ((p.perLayerAttention - p.perLayerAttentionReplicated) / tp + p.perLayerAttentionReplicated) * b("attention");
  } else {
    const qo = 2 * h * a.numAttentionHeads * a.headDim;
    const kvHeadsPerRank = Math.max(1, a.numKeyValueHeads / tp);
    const kv = 2 * h * kvHeadsPerRank * a.headDim;
    attentionPerLayer = (qo / tp + kv) * b("attention");
  }
  const norms = p.perLayerNorms * 2;
  const experts = a.moe?.numExperts ?? 0;
  const densePerLayer = (p.perDenseMlp / tp) * b("dense_mlp");
  const moePerLayer =
    ((experts * p.perRoutedExpert) / tp) * b("routed_experts") +
    (p.perSharedExperts / tp) * b("shared_experts") +
    p.perRouter * b("router");

  const vocabRows = paddedVocabShare(a.vocabSize, tp);
  const embedding = vocabRows * h * b("embeddings");
  const lmHead = a.tieWordEmbeddings ? 0 : vocabRows * h * b("lm_head");

  // Layers per stage: vLLM gives the remainder to the last stages; the first
  // stage holds the embedding, the last the LM head.
  const layersPerStage = Math.floor(a.numLayers / pp);
  const layerBytes = (index: number) => {
    const dense = index < p.denseLayers;
    return attentionPerLayer + norms + (dense ? densePerLayer : moePerLayer);
  };
  let worst = 0;
  let start = 0;
  for (let stage = 0; stage < pp; stage++) {
    const count = layersPerStage + (stage >= pp - (a.numLayers % pp) ? 1 : 0);
    let bytes = 0;
    for (let i = start; i < start + count; i++) bytes += layerBytes(i);
    start += count;
    if (stage === 0) bytes += embedding;
    if (stage === pp - 1) bytes += lmHead + h * 2;
    worst = Math.max(worst, bytes);
  }
  return worst;
}

/** Bytes per KV cache element. */
export function kvElementBytes(variant: WeightVariant, kvCacheDtype: "auto" | "fp8"): number {
  if (kvCacheDtype === "fp8") return 1;
  // `auto` follows the activation dtype, which is 16-bit for every weight format here.
  return variant.dtype === "fp16" ? 2 : 2;
}

/** Layers whose KV cache spans the whole context (the rest keep only their sliding window). */
export function fullAttentionLayers(model: ModelConfig): number {
  const sw = model.architecture.slidingWindow;
  if (!sw) return model.architecture.numLayers;
  return Math.floor(model.architecture.numLayers / sw.globalLayerEvery);
}

/**
 * KV cache bytes one token takes across the whole model (all layers, all
 * heads): `2 * L * H_kv * d_h * b` for GQA, `L * (kv_lora_rank + rope) * b`
 * for MLA (DOMAIN.md §2).
 */
export function kvBytesPerToken(model: ModelConfig, bytesPerElement: number): number {
  const a = model.architecture;
  if (a.mla) return a.numLayers * (a.mla.kvLoraRank + a.mla.qkRopeHeadDim) * bytesPerElement;
  return 2 * a.numLayers * a.numKeyValueHeads * a.headDim * bytesPerElement;
}

/**
 * KV cache bytes one token takes on one GPU of a replica: GQA heads split
 * across TP ranks (at least one head per rank), MLA's latent replicated on
 * every rank, layers split across PP stages (the largest stage binds).
 */
export function kvBytesPerTokenPerGpu(model: ModelConfig, bytesPerElement: number, parallel: Parallelism): number {
  const a = model.architecture;
  const layers = Math.ceil(a.numLayers / parallel.pipelineParallel);
  if (a.mla) return layers * (a.mla.kvLoraRank + a.mla.qkRopeHeadDim) * bytesPerElement;
  const headsPerRank = Math.max(1, a.numKeyValueHeads / parallel.tensorParallel);
  return 2 * layers * headsPerRank * a.headDim * bytesPerElement;
}

/**
 * Memory vLLM holds per GPU outside weights and KV cache: non-torch memory,
 * NCCL buffers once TP > 1, the activation peak of a max-num-batched-tokens
 * forward pass, and the sampler's logits for max-num-seqs sequences.
 */
export function reserveBytesPerGpu(
  model: ModelConfig,
  settings: MemorySettings,
  parallel: Parallelism,
  reserve: ReserveConstants,
): number {
  const a = model.architecture;
  const tpExtra = parallel.tensorParallel > 1 ? reserve.tensorParallelGiB : 0;
  const activation = reserve.activationBytesPerTokenHidden * settings.maxNumBatchedTokens * a.hiddenSize;
  const logits = reserve.logitsBytesPerSeqVocab * settings.maxNumSeqs * (a.vocabSize / parallel.tensorParallel);
  return (reserve.baseGiB + tpExtra) * BYTES_PER_GIB + activation + logits;
}

/** What one replica's GPUs hold: the "does it fit" answer, with the numbers. */
export interface MemoryFit {
  fits: boolean;
  /** Why it does not fit, in a sentence with the GiB figures; absent when it fits. */
  reason?: string;
  weightsGiBPerGpu: number;
  reserveGiBPerGpu: number;
  kvCacheGiBPerGpu: number;
  /** Whole-model KV bytes per token (before TP/PP split). */
  kvBytesPerToken: number;
  kvBytesPerTokenPerGpu: number;
  /** KV cache capacity of the replica in tokens, rounded down to whole blocks. */
  kvCacheTokens: number;
  /** Requests of `maxModelLen` tokens the cache holds at once. */
  maxConcurrencyAtMaxModelLen: number;
  usableGiBPerGpu: number;
}

/**
 * Fits a model on one replica the way vLLM's startup profile does:
 * `usable = gpu_memory_utilization * CUDA total`, minus weights and reserve,
 * leaves the KV cache. Not fitting is a result, not an exception.
 */
export function fitMemory(args: {
  model: ModelConfig;
  variant: WeightVariant;
  gpu: Gpu;
  parallel: Parallelism;
  settings: MemorySettings;
  reserve: ReserveConstants;
  blockSize: number;
}): MemoryFit {
  const { model, variant, gpu, parallel, settings, reserve, blockSize } = args;
  const usable = settings.gpuMemoryUtilization * gpu.cudaTotalGiB * BYTES_PER_GIB;
  const weights = weightBytesPerGpu(model, variant, parallel);
  const reserveBytes = reserveBytesPerGpu(model, settings, parallel, reserve);
  const kvBytes = Math.max(0, usable - weights - reserveBytes);
  const elementBytes = kvElementBytes(variant, settings.kvCacheDtype);
  const perTokenPerGpu = kvBytesPerTokenPerGpu(model, elementBytes, parallel);
  // MLA models get 64-token blocks from vLLM whatever --block-size says.
  const block = model.architecture.mla ? 64 : blockSize;
  const blocks = Math.floor(kvBytes / (perTokenPerGpu * block));
  const kvCacheTokens = blocks * block;
  const toGiB = (bytes: number) => bytes / BYTES_PER_GIB;
  const maxConcurrencyAtMaxModelLen = kvCacheTokens / settings.maxModelLen;
  let reason: string | undefined;
  if (weights + reserveBytes >= usable) {
    reason = `weights need ${toGiB(weights).toFixed(2)} GiB and vLLM's reserve ${toGiB(reserveBytes).toFixed(2)} GiB per GPU, but ${settings.gpuMemoryUtilization} x ${gpu.cudaTotalGiB} GiB leaves only ${toGiB(usable).toFixed(2)} GiB`;
  } else if (kvCacheTokens < settings.maxModelLen) {
    reason = `the KV cache holds ${kvCacheTokens} tokens (${toGiB(kvBytes).toFixed(2)} GiB per GPU), less than one request of max-model-len ${settings.maxModelLen}`;
  }
  return {
    fits: reason === undefined,
    ...(reason === undefined ? {} : { reason }),
    weightsGiBPerGpu: toGiB(weights),
    reserveGiBPerGpu: toGiB(reserveBytes),
    kvCacheGiBPerGpu: toGiB(kvBytes),
    kvBytesPerToken: kvBytesPerToken(model, elementBytes),
    kvBytesPerTokenPerGpu: perTokenPerGpu,
    kvCacheTokens,
    maxConcurrencyAtMaxModelLen,
    usableGiBPerGpu: toGiB(usable),
  };
}
