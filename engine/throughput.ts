import type { CalibrationConstants } from "./calibration";
import type { Gpu } from "./hardware";
import type { ModelConfig, WeightVariant } from "./model-config";
import { memoize } from "./memo";
import { bytesPerWeight, paramBreakdown, type ParamBreakdown } from "./params";
import type { Parallelism } from "./memory";

/** Everything a step-time estimate needs about one replica. */
export interface ReplicaShape {
  model: ModelConfig;
  variant: WeightVariant;
  gpu: Gpu;
  parallel: Parallelism;
  /** KV bytes per token of the whole model at the cache dtype. */
  kvBytesPerToken: number;
  /**
   * KV bytes per token one GPU reads in a decode step: its share of the GQA
   * heads, or the whole MLA latent (replicated on every TP rank).
   */
  kvBytesPerTokenPerGpu: number;
  /** vLLM's `--max-num-batched-tokens`: the prefill chunk. */
  maxNumBatchedTokens: number;
  constants: CalibrationConstants;
}

/** A request shape: mean prompt and generation lengths. */
export interface RequestShape {
  inputTokens: number;
  outputTokens: number;
}

/** The estimate at one concurrency. */
export interface ThroughputPoint {
  concurrency: number;
  /** Output tokens a second for the whole replica. */
  outputTokensPerSecond: number;
  /** Decode speed one request sees (1000 / TPOT ms). */
  perRequestOutputTokensPerSecond: number;
  /** Mean time to first token, ms. */
  ttftMs: number;
  /** Which term bound the decode step. */
  decodeBound: "memory" | "compute";
}

const US = 1e-6;

/** Compute dtype a weight format runs its matmuls in on this GPU (FP8 weights without FP8 tensor cores run as 16-bit). */
function tflopsFor(gpu: Gpu, variant: WeightVariant): number {
  if ((variant.dtype === "fp8" || variant.dtype === "nvfp4") && gpu.denseTflops.fp8 !== undefined)
    return gpu.denseTflops.fp8;
  return gpu.denseTflops.bf16;
}

/** Expected distinct experts that `tokens` tokens touch in one MoE layer, each choosing k of E. */
export function expertsTouched(numExperts: number, perToken: number, tokens: number): number {
  return numExperts * (1 - Math.pow(1 - perToken / numExperts, tokens));
}

/** Routed experts in AWQ or GPTQ group-quantized int4 (vLLM's weight-only int4 MoE kernels). */
function wna16Experts(variant: WeightVariant): boolean {
  return (
    (variant.dtype === "awq-int4" || variant.dtype === "gptq-int4") && !variant.unquantized.includes("routed_experts")
  );
}

interface Derived {
  p: ParamBreakdown;
  /** Bytes read per step that do not depend on the batch (all but routed experts). */
  fixedWeightBytes: number;
  /** Bytes of one routed expert. */
  expertBytes: number;
  gpus: number;
  /** Effective bytes a second of one GPU. */
  bandwidth: number;
  /** Effective matmul FLOPS of one GPU in a decode step (the weight format's tensor-core rate). */
  flops: number;
  /** Effective matmul FLOPS of one GPU in a prefill. */
  prefillFlops: number;
  /** Attention runs in 16-bit whatever the weights: effective FLOPS of one GPU for it, in decode and in prefill. */
  attentionFlops: number;
  prefillAttentionFlops: number;
  kvPerGpu: number;
  /** Decode attention FLOPS per token per context token (QK^T and PV over all layers; MLA attends over its latent). */
  attentionFlopsPerTokenContext: number;
  /** Prefill attention FLOPS per token per context token (MLA prefills in its expanded per-head form). */
  prefillAttentionFlopsPerTokenContext: number;
  /** Fixed seconds of one engine step (step, layers, MoE dispatch). */
  fixedSeconds: number;
  /** Seconds per token of MoE routing and token movement, over all MoE layers. */
  moeSecondsPerToken: number;
  /** Seconds of the TP all-reduces of one step, excluding their bytes; and seconds per token of their bytes. */
  commLatencySeconds: number;
  commSecondsPerToken: number;
  chunkTokens: number;
}

/** The per-shape constants of the roofline, memoized per shape object (every concurrency of a search reuses them). */
const derive: (shape: ReplicaShape) => Derived = memoize(deriveConstants);

function deriveConstants(shape: ReplicaShape): Derived {
  const { model, variant, gpu, parallel, constants } = shape;
  const p = paramBreakdown(model);
  const a = model.architecture;
  const expertBytes = p.perRoutedExpert * bytesPerWeight(variant, "routed_experts");
  const fixedWeightBytes =
    a.numLayers * p.perLayerAttention * bytesPerWeight(variant, "attention") +
    p.denseLayers * p.perDenseMlp * bytesPerWeight(variant, "dense_mlp") +
    p.moeLayers *
      (p.perSharedExperts * bytesPerWeight(variant, "shared_experts") +
        p.perRouter * bytesPerWeight(variant, "router")) +
    p.lmHead * bytesPerWeight(variant, "lm_head") +
    (a.tieWordEmbeddings ? p.embeddings * bytesPerWeight(variant, "embeddings") : 0);
  const tp = parallel.tensorParallel;
  const gpus = tp * parallel.pipelineParallel;
  const attnDim = a.mla
    ? a.numAttentionHeads * (a.mla.kvLoraRank + a.mla.qkRopeHeadDim)
    : a.numAttentionHeads * a.headDim;
  // Prefill: QK^T over the query/key width and PV over the value width, per head.
  const prefillAttnDim = a.mla
    ? (a.numAttentionHeads * (a.mla.qkNopeHeadDim + a.mla.qkRopeHeadDim + a.mla.vHeadDim)) / 2
    : a.numAttentionHeads * a.headDim;
  const ringFactor = tp > 1 ? (2 * (tp - 1)) / tp : 0;
  const d: Derived = {
    p,
    fixedWeightBytes,
    expertBytes,
    gpus,
    bandwidth: gpu.memoryBandwidthGBps * 1e9 * constants.bandwidthEfficiency,
    flops: tflopsFor(gpu, variant) * 1e12 * constants.computeEfficiency,
    prefillFlops: tflopsFor(gpu, variant) * 1e12 * constants.prefillComputeEfficiency,
    attentionFlops: gpu.denseTflops.bf16 * 1e12 * constants.computeEfficiency,
    prefillAttentionFlops: gpu.denseTflops.bf16 * 1e12 * constants.prefillComputeEfficiency,
    kvPerGpu: shape.kvBytesPerTokenPerGpu,
    attentionFlopsPerTokenContext: 4 * a.numLayers * attnDim,
    prefillAttentionFlopsPerTokenContext: 4 * a.numLayers * prefillAttnDim,
    fixedSeconds:
      (constants.stepOverheadUs +
        a.numLayers * constants.layerOverheadUs +
        (a.moe
          ? p.moeLayers *
            (constants.moeLayerOverheadUs + (wna16Experts(variant) ? constants.wna16MoeLayerOverheadUs : 0))
          : 0)) *
      US,
    // Two all-reduces per layer (after attention and after the MLP), each a ring over the TP ranks.
    commLatencySeconds: tp > 1 ? 2 * a.numLayers * constants.allReduceLatencyUs * US : 0,
    commSecondsPerToken: tp > 1 ? (2 * a.numLayers * a.hiddenSize * 2 * ringFactor) / (gpu.interconnectGBps * 1e9) : 0,
    chunkTokens: shape.maxNumBatchedTokens,
    moeSecondsPerToken: a.moe ? p.moeLayers * constants.moeTokenOverheadNs * 1e-9 : 0,
  };
  return d;
}

/**
 * Seconds of one decode step for `batch` sequences at mean context
 * `contextTokens` (the decode roofline of README, "Capacity"): the larger of weight-plus-KV reads over one
 * GPU's bandwidth and matmul plus attention FLOPS over its compute, plus the
 * fixed costs that dominate small batches on big replicas (per step, per
 * layer, two TP all-reduces per layer, MoE dispatch). Each GPU reads its
 * share of the weights that the batch touches (MoE: only the experts its
 * tokens route to) and its KV heads (MLA: the whole latent). A token crosses
 * PP stages one after the other, so PP adds memory, not speed.
 */
export function decodeStepSeconds(
  shape: ReplicaShape,
  batch: number,
  contextTokens: number,
): { seconds: number; bound: "memory" | "compute" } {
  const d = derive(shape);
  const moe = shape.model.architecture.moe;
  const tp = shape.parallel.tensorParallel;
  const expertsRead = moe
    ? d.p.moeLayers * expertsTouched(moe.numExperts, moe.numExpertsPerToken, batch) * d.expertBytes
    : 0;
  const tMem = ((d.fixedWeightBytes + expertsRead) / tp + batch * contextTokens * d.kvPerGpu) / d.bandwidth;
  const tCmp =
    (batch * ((2 * d.p.active) / d.flops + (d.attentionFlopsPerTokenContext * contextTokens) / d.attentionFlops)) / tp;
  const tComm = d.commLatencySeconds + batch * (d.commSecondsPerToken + d.moeSecondsPerToken);
  return { seconds: Math.max(tMem, tCmp) + tComm + d.fixedSeconds, bound: tCmp > tMem ? "compute" : "memory" };
}

/**
 * Seconds a prompt adds to a running batch: its matmul FLOPS at the weight
 * format's rate, its causal attention (half the square) at the 16-bit rate,
 * and its all-reduce bytes (the weights are read by the decode step it
 * joins, under chunked prefill).
 */
export function marginalPrefillSeconds(shape: ReplicaShape, inputTokens: number): number {
  const d = derive(shape);
  const matmul = (2 * d.p.active * inputTokens) / d.prefillFlops;
  const attention =
    ((d.prefillAttentionFlopsPerTokenContext / 2) * inputTokens * inputTokens) / d.prefillAttentionFlops;
  return (
    (matmul + attention) / shape.parallel.tensorParallel + inputTokens * (d.commSecondsPerToken + d.moeSecondsPerToken)
  );
}

/**
 * Seconds to prefill one prompt on an idle replica: chunks of
 * max-num-batched-tokens, each at least one read of the weights, plus the
 * step's fixed costs per chunk.
 */
export function prefillSeconds(shape: ReplicaShape, inputTokens: number): number {
  const d = derive(shape);
  const tp = shape.parallel.tensorParallel;
  const chunks = Math.max(1, Math.ceil(inputTokens / d.chunkTokens));
  const moe = shape.model.architecture.moe;
  const chunkTokens = Math.min(inputTokens, d.chunkTokens);
  const expertsRead = moe
    ? d.p.moeLayers * expertsTouched(moe.numExperts, moe.numExpertsPerToken, chunkTokens) * d.expertBytes
    : 0;
  const readSeconds = (chunks * (d.fixedWeightBytes + expertsRead)) / tp / d.bandwidth;
  const computeSeconds = marginalPrefillSeconds(shape, inputTokens);
  return Math.max(readSeconds, computeSeconds) + chunks * (d.fixedSeconds + d.commLatencySeconds);
}

/**
 * Steady-state throughput at `concurrency` requests in flight under
 * continuous batching: while each slot finishes one request, the replica runs
 * `outputTokens` decode steps at that batch and adds `concurrency` prompts'
 * prefill work to them.
 */
export function throughputAt(shape: ReplicaShape, request: RequestShape, concurrency: number): ThroughputPoint {
  const meanContext = request.inputTokens + request.outputTokens / 2;
  const step = decodeStepSeconds(shape, concurrency, meanContext);
  const prefillAdded = marginalPrefillSeconds(shape, request.inputTokens);
  const decodeSeconds = request.outputTokens * step.seconds;
  const cycleSeconds = decodeSeconds + concurrency * prefillAdded;
  const outputTokensPerSecond = (concurrency * request.outputTokens) / cycleSeconds;
  // A request sees its own decode steps plus the prefills of the others that land while it decodes.
  const perRequestOutputTokensPerSecond = request.outputTokens / (decodeSeconds + (concurrency - 1) * prefillAdded);
  // A new prompt waits for the step in flight and for prompts queued ahead of it (an M/D/1 queue at the prefill share of time), then prefills.
  const prefillShare = (concurrency * prefillAdded) / cycleSeconds;
  const queued = concurrency > 1 ? (prefillShare / (2 * Math.max(1e-9, 1 - prefillShare))) * prefillAdded : 0;
  const alone = prefillSeconds(shape, request.inputTokens);
  // With others decoding, the prompt joins the next step (half a step away on average) and stretches it.
  const ttftSeconds =
    concurrency > 1 ? step.seconds / 2 + queued + Math.max(alone, step.seconds + prefillAdded) : alone;
  const ttftMs = ttftSeconds * 1000;
  return { concurrency, outputTokensPerSecond, perRequestOutputTokensPerSecond, ttftMs, decodeBound: step.bound };
}

/**
 * Seconds a prompt chunk of `tokens` tokens adds to a step, its attention
 * covering `attentionPairs` (query, key) pairs (a chunk of n tokens after s
 * computed ones: n x s + n^2 / 2): its matmul FLOPS at the weight format's
 * prefill rate, its attention at the 16-bit rate, and its all-reduce and MoE
 * token costs. With s = 0 this is {@link marginalPrefillSeconds}.
 */
export function prefillChunkAddedSeconds(shape: ReplicaShape, tokens: number, attentionPairs: number): number {
  const d = derive(shape);
  const matmul = (2 * d.p.active * tokens) / d.prefillFlops;
  const attention = (d.prefillAttentionFlopsPerTokenContext * attentionPairs) / d.prefillAttentionFlops;
  return (matmul + attention) / shape.parallel.tensorParallel + tokens * (d.commSecondsPerToken + d.moeSecondsPerToken);
}

/**
 * Seconds of one vLLM engine step that runs `decodes` decode tokens (their
 * contexts summing to `decodeContextSum`) and `prefillTokens` prompt tokens
 * with `prefillAttentionPairs` attention pairs: the decode step of the batch
 * plus the prompt tokens' added work (chunked prefill rides on the decode
 * step's weight reads); a step of prompt tokens alone reads the weights once
 * itself (as {@link prefillSeconds} does per chunk). The same terms as the
 * closed-form steady state, so both agree where they overlap.
 */
export function engineStepSeconds(
  shape: ReplicaShape,
  decodes: number,
  decodeContextSum: number,
  prefillTokens: number,
  prefillAttentionPairs: number,
): number {
  const added = prefillTokens > 0 ? prefillChunkAddedSeconds(shape, prefillTokens, prefillAttentionPairs) : 0;
  if (decodes > 0) return decodeStepSeconds(shape, decodes, decodeContextSum / decodes).seconds + added;
  const d = derive(shape);
  const moe = shape.model.architecture.moe;
  const expertsRead = moe
    ? d.p.moeLayers * expertsTouched(moe.numExperts, moe.numExpertsPerToken, prefillTokens) * d.expertBytes
    : 0;
  const readSeconds = (d.fixedWeightBytes + expertsRead) / shape.parallel.tensorParallel / d.bandwidth;
  return Math.max(readSeconds, added) + d.fixedSeconds + d.commLatencySeconds;
}
