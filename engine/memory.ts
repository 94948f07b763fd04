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
  /** The vLLM release that serves (its profile run changed between 0.15 and 0.18); the newest behaviour when absent. */
  vllmVersion?: string | undefined;
}

/** vLLM pads the vocabulary of each TP shard to a multiple of 64. */
const VOCAB_PAD = 64;

function paddedVocabShare(vocab: number, tp: number): number {
  const perRank = Math.ceil(vocab / tp);
  return Math.ceil(perRank / VOCAB_PAD) * VOCAB_PAD;
}

/** Layers of each PP stage: vLLM gives the remainder to the last stages. */
export function layersPerStage(numLayers: number, pp: number): number[] {
  const base = Math.floor(numLayers / pp);
  return Array.from({ length: pp }, (_, stage) => base + (stage >= pp - (numLayers % pp) ? 1 : 0));
}

/**
 * Weight bytes on each GPU of every PP stage, as vLLM's "Model loading took
 * N GiB" reports them: linear layers split across TP ranks (KV projections
 * replicated once TP exceeds the KV heads, MLA down-projections always
 * replicated), the padded vocabulary split across ranks, layers split across
 * PP stages with the embedding (and a vision encoder) on the first and the LM
 * head on the last.
 */
export function weightBytesPerStage(model: ModelConfig, variant: WeightVariant, parallel: Parallelism): number[] {
  const a = model.architecture;
  const p = paramBreakdown(model);
  const tp = parallel.tensorParallel;
  const pp = parallel.pipelineParallel;
  const b = (part: ModulePart) => bytesPerWeight(variant, part);
  const h = a.hiddenSize;

  let attentionPerLayer: number;
  if (a.mla) {
    attentionPerLayer =
      ((p.perLayerAttention - p.perLayerAttentionReplicated) / tp + p.perLayerAttentionReplicated) * b("attention");
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
  // vLLM loads a multimodal checkpoint's vision encoder in 16-bit on the first stage, TP-sharded unless
  // `--mm-encoder-tp-mode data` replicates it on every rank.
  const args = model.serving.extraVllmArgs;
  const modeAt = args.indexOf("--mm-encoder-tp-mode");
  const replicatedEncoder = args.includes("--mm-encoder-tp-mode=data") || (modeAt >= 0 && args[modeAt + 1] === "data");
  const vision = ((a.visionEncoderParams ?? 0) / (replicatedEncoder ? 1 : tp)) * 2;

  const layerBytes = (index: number) =>
    attentionPerLayer + norms + (index < p.denseLayers ? densePerLayer : moePerLayer);
  const out: number[] = [];
  let start = 0;
  layersPerStage(a.numLayers, pp).forEach((count, stage) => {
    let bytes = 0;
    for (let i = start; i < start + count; i++) bytes += layerBytes(i);
    start += count;
    if (stage === 0) bytes += embedding + vision;
    if (stage === pp - 1) bytes += lmHead + h * 2;
    out.push(bytes);
  });
  return out;
}

/** Bytes per KV cache element: 1 for an fp8 cache; `auto` follows the 16-bit activation dtype of every weight format here. */
export function kvElementBytes(kvCacheDtype: "auto" | "fp8"): number {
  return kvCacheDtype === "fp8" ? 1 : 2;
}

/** Layers whose KV cache spans the whole context (the rest keep only their sliding window). */
export function fullAttentionLayers(model: ModelConfig): number {
  const sw = model.architecture.slidingWindow;
  if (!sw) return model.architecture.numLayers;
  return Math.floor(model.architecture.numLayers / sw.globalLayerEvery);
}

/**
 * Layer slots one token of "GPU KV cache size" costs. Plain models: their
 * layers. Hybrid sliding-window models: vLLM's hybrid allocator
 * (`_get_kv_cache_groups_uniform_page_size` in vllm/v1/core/kv_cache_utils.py)
 * cuts each attention type into groups of `min(full, sliding)` layers (the
 * larger count when they are within 25 %), padding the last group of each
 * type, and reports `num_blocks // groups * block_size` tokens, so a token
 * costs groups x group-size layer slots: 70 for Gemma 3 27B's 10 full and 52
 * sliding layers, 42 for Gemma 2 9B's 21 + 21.
 */
export function kvLayerSlots(model: ModelConfig, layers = model.architecture.numLayers): number {
  if (!model.architecture.slidingWindow) return layers;
  const full = Math.max(1, Math.round((fullAttentionLayers(model) * layers) / model.architecture.numLayers));
  const sliding = layers - full;
  if (sliding <= 0) return layers;
  const small = Math.min(full, sliding);
  const large = Math.max(full, sliding);
  const groupSize = large < small * 1.25 ? large : small;
  return groupSize * (Math.ceil(full / groupSize) + Math.ceil(sliding / groupSize));
}

/**
 * KV cache bytes one token takes across the whole model (all layers, all
 * heads): `2 * L * H_kv * d_h * b` for GQA, `L * (kv_lora_rank + rope) * b`
 * for MLA (vLLM stores the compressed latent once per TP rank; README, "Capacity").
 */
export function kvBytesPerToken(model: ModelConfig, bytesPerElement: number): number {
  const a = model.architecture;
  if (a.mla) return a.numLayers * (a.mla.kvLoraRank + a.mla.qkRopeHeadDim) * bytesPerElement;
  return 2 * a.numLayers * a.numKeyValueHeads * a.headDim * bytesPerElement;
}

/**
 * KV cache bytes one reported token takes on one GPU of a stage with `layers`
 * layers: GQA heads split across TP ranks (at least one head per rank), MLA's
 * latent replicated on every rank, hybrid models' padded layer groups.
 */
export function kvBytesPerTokenOnStage(
  model: ModelConfig,
  bytesPerElement: number,
  tp: number,
  layers: number,
): number {
  const a = model.architecture;
  if (a.mla) return layers * (a.mla.kvLoraRank + a.mla.qkRopeHeadDim) * bytesPerElement;
  const headsPerRank = Math.max(1, a.numKeyValueHeads / tp);
  return 2 * kvLayerSlots(model, layers) * headsPerRank * a.headDim * bytesPerElement;
}

/** KV cache bytes one token takes on one GPU of the largest PP stage. */
export function kvBytesPerTokenPerGpu(model: ModelConfig, bytesPerElement: number, parallel: Parallelism): number {
  const layers = Math.max(...layersPerStage(model.architecture.numLayers, parallel.pipelineParallel));
  return kvBytesPerTokenOnStage(model, bytesPerElement, parallel.tensorParallel, layers);
}

/** Major, minor, patch of a release string; unknown parts are 0. */
function versionParts(v: string): number[] {
  return v.split(".").map((x) => Number.parseInt(x, 10) || 0);
}

/** True when release `a` comes before release `b`. */
export function vllmBefore(a: string, b: string): boolean {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < 3; i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  }
  return false;
}

/**
 * Bytes of the profile run's sampler warm-up on the last PP stage: vLLM runs
 * the sampler over max-num-seqs rows of the whole vocabulary
 * (`_dummy_sampler_run` in vllm/v1/worker/gpu_model_runner.py), and logits
 * are gathered whole on every TP rank. Releases before
 * `legacySamplerBeforeVllm` (0.17.0) held a larger peak there, of the same
 * max-num-seqs x vocabulary form (llm-d-incubation/llm-d-planner
 * docs/empirical-vllm-memory-results.md: 5.56 GiB for Qwen3-0.6B and 5.64
 * GiB for Qwen3-32B on vLLM 0.11; accuracy/results/version-sweep: 5.64 GiB
 * in 0.16.0, 2.23 GiB in 0.17.0 for Qwen3-14B). No version means the newest.
 */
export function samplerWarmupBytes(model: ModelConfig, settings: MemorySettings, reserve: ReserveConstants): number {
  const seqVocab = settings.maxNumSeqs * model.architecture.vocabSize;
  const legacy =
    settings.vllmVersion !== undefined && vllmBefore(settings.vllmVersion, reserve.legacySamplerBeforeVllm);
  return (reserve.logitsBytesPerSeqVocab + (legacy ? reserve.legacySamplerBytesPerSeqVocab : 0)) * seqVocab;
}

/**
 * Memory vLLM holds per GPU outside weights and KV cache, on the last PP
 * stage unless `lastStage` is false: non-torch memory, NCCL buffers once
 * TP > 1, the activation peak of a max-num-batched-tokens forward pass, and
 * the sampler warm-up ({@link samplerWarmupBytes}; only the last stage
 * samples).
 */
export function reserveBytesPerGpu(
  model: ModelConfig,
  settings: MemorySettings,
  parallel: Parallelism,
  reserve: ReserveConstants,
  lastStage = true,
): number {
  const tpGiB = parallel.tensorParallel > 1 ? reserve.tensorParallelGiB : 0;
  const activation =
    reserve.activationBytesPerTokenHidden * settings.maxNumBatchedTokens * model.architecture.hiddenSize;
  const sampler = lastStage ? samplerWarmupBytes(model, settings, reserve) : 0;
  return Math.max(0, (reserve.baseGiB + tpGiB) * BYTES_PER_GIB + activation + sampler);
}

/** What one replica's GPUs hold: the "does it fit" answer, with the numbers. */
export interface MemoryFit {
  fits: boolean;
  /** Why it does not fit, in a sentence with the GiB figures; absent when it fits. */
  reason?: string;
  /** Weights on one GPU of the stage that binds the KV cache. */
  weightsGiBPerGpu: number;
  reserveGiBPerGpu: number;
  kvCacheGiBPerGpu: number;
  /** Whole-model KV bytes per token (before TP/PP split). */
  kvBytesPerToken: number;
  kvBytesPerTokenPerGpu: number;
  /** KV cache capacity of the replica in tokens as vLLM logs it ("GPU KV cache size"), whole blocks. */
  kvCacheTokens: number;
  /** Requests of `maxModelLen` tokens the cache holds at once. */
  maxConcurrencyAtMaxModelLen: number;
  usableGiBPerGpu: number;
}

/**
 * Fits a model on one replica the way vLLM's startup profile does, stage by
 * stage: `usable = gpu_memory_utilization * CUDA total`, minus weights and
 * reserve, leaves the KV cache; the replica holds as many tokens as its
 * tightest stage. Not fitting is a result, not an exception.
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
  const elementBytes = kvElementBytes(settings.kvCacheDtype);
  // MLA models get 64-token blocks from vLLM whatever --block-size says.
  const block = model.architecture.mla ? 64 : blockSize;
  const stageLayers = layersPerStage(model.architecture.numLayers, parallel.pipelineParallel);
  const stageWeights = weightBytesPerStage(model, variant, parallel);
  let bind = { weights: 0, reserve: 0, kv: 0, perToken: 1, tokens: Number.POSITIVE_INFINITY };
  let worstOverflow = { weights: 0, reserve: 0 };
  stageLayers.forEach((layers, stage) => {
    const weights = stageWeights[stage]!;
    const reserveBytes = reserveBytesPerGpu(model, settings, parallel, reserve, stage === stageLayers.length - 1);
    const kv = Math.max(0, usable - weights - reserveBytes);
    const perToken = kvBytesPerTokenOnStage(model, elementBytes, parallel.tensorParallel, layers);
    const tokens = Math.floor(kv / (perToken * block)) * block;
    if (tokens < bind.tokens) bind = { weights, reserve: reserveBytes, kv, perToken, tokens };
    if (weights + reserveBytes > worstOverflow.weights + worstOverflow.reserve)
      worstOverflow = { weights, reserve: reserveBytes };
  });
  const toGiB = (bytes: number) => bytes / BYTES_PER_GIB;
  const kvCacheTokens = bind.tokens;
  let reason: string | undefined;
  if (worstOverflow.weights + worstOverflow.reserve >= usable) {
    const samplerGiB = samplerWarmupBytes(model, settings, reserve) / BYTES_PER_GIB;
    // The hint helps only when the weights alone fit: otherwise no max-num-seqs makes room.
    const hint =
      samplerGiB >= 0.5 && worstOverflow.weights < usable
        ? ` (${samplerGiB.toFixed(2)} GiB of the reserve is the sampler warm-up for max-num-seqs ${settings.maxNumSeqs}; a lower max-num-seqs frees it)`
        : "";
    reason = `weights need ${toGiB(worstOverflow.weights).toFixed(2)} GiB and vLLM's reserve ${toGiB(worstOverflow.reserve).toFixed(2)} GiB per GPU, but ${settings.gpuMemoryUtilization} x ${gpu.cudaTotalGiB} GiB leaves only ${toGiB(usable).toFixed(2)} GiB${hint}`;
  } else if (kvCacheTokens < settings.maxModelLen) {
    // vLLM's own refusal (`check_enough_kv_cache_memory`, vllm/v1/core/kv_cache_utils.py): the GiB one request of
    // max_model_len needs, the GiB available, and the longest max_model_len the memory would hold.
    const neededGiB = toGiB(settings.maxModelLen * bind.perToken);
    reason = `one request of max-model-len ${settings.maxModelLen} needs ${neededGiB.toFixed(2)} GiB of KV cache per GPU, more than the ${toGiB(bind.kv).toFixed(2)} GiB available (${kvCacheTokens} tokens); the estimated maximum model length is ${kvCacheTokens}`;
  }
  return {
    fits: reason === undefined,
    ...(reason === undefined ? {} : { reason }),
    weightsGiBPerGpu: toGiB(Math.max(...stageWeights)),
    reserveGiBPerGpu: toGiB(bind.reserve),
    kvCacheGiBPerGpu: toGiB(bind.kv),
    kvBytesPerToken: kvBytesPerToken(model, elementBytes),
    kvBytesPerTokenPerGpu: bind.perToken,
    kvCacheTokens,
    maxConcurrencyAtMaxModelLen: kvCacheTokens / settings.maxModelLen,
    usableGiBPerGpu: toGiB(usable),
  };
}
