import type { CalibrationConstants } from "./calibration";
import type { Gpu, GpuEfficiency } from "./hardware";
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
  /** vLLM's `--kv-cache-dtype`: which measured KV-read bandwidth applies. */
  kvCacheDtype: "auto" | "fp8";
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

/** Whether a weight format runs its matmuls on this GPU's FP8 tensor cores (FP8 weights without them run as 16-bit). */
function fp8Matmuls(gpu: Gpu, variant: WeightVariant): boolean {
  return (variant.dtype === "fp8" || variant.dtype === "nvfp4") && gpu.denseTflops.fp8 !== undefined;
}

/**
 * The measured rates of one replica's GPU for its weight format: FP8
 * checkpoints on FP8 GPUs read and multiply at the FP8 GEMM figures; every
 * other format at the 16-bit ones (aiconfigurator has no dense int4 GEMM
 * table, so AWQ/GPTQ dense layers take the 16-bit read rate on their int4
 * bytes). Routed experts in AWQ/GPTQ int4 read at the Marlin int4 MoE rate.
 */
function measuredRates(gpu: Gpu, variant: WeightVariant, kvCacheDtype: "auto" | "fp8") {
  const e: GpuEfficiency = gpu.efficiency;
  const fp8 = fp8Matmuls(gpu, variant);
  const peakBytes = gpu.memoryBandwidthGBps * 1e9;
  const expertDtype = wna16Experts(variant) ? "int4" : fp8 ? "fp8" : "bf16";
  const expertShare = e.moeExpertBandwidth[expertDtype] ?? e.moeExpertBandwidth.bf16;
  return {
    expertFlops: gpu.denseTflops.bf16 * 1e12 * (e.moeExpertCompute[expertDtype] ?? e.moeExpertCompute.bf16),
    weightBandwidth: peakBytes * (fp8 ? (e.weightBandwidth.fp8 ?? e.weightBandwidth.bf16) : e.weightBandwidth.bf16),
    expertBandwidth: peakBytes * expertShare,
    kvBandwidth:
      peakBytes * (kvCacheDtype === "fp8" ? (e.kvReadBandwidth.fp8 ?? e.kvReadBandwidth.bf16) : e.kvReadBandwidth.bf16),
    matmulFlops: fp8
      ? gpu.denseTflops.fp8! * 1e12 * (e.matmulCompute.fp8 ?? e.matmulCompute.bf16)
      : gpu.denseTflops.bf16 * 1e12 * e.matmulCompute.bf16,
    rooflineExponent: fp8 ? (e.gemmRooflineExponent.fp8 ?? e.gemmRooflineExponent.bf16) : e.gemmRooflineExponent.bf16,
    attentionFlops: gpu.denseTflops.bf16 * 1e12 * e.matmulCompute.bf16,
    prefillAttentionFlops: gpu.denseTflops.bf16 * 1e12 * e.prefillAttentionCompute,
    decodeAttention: (kvCacheDtype === "fp8" ? e.decodeAttention.fp8 : undefined) ?? e.decodeAttention.bf16,
  };
}

/** Measured dense matmul FLOPS of one GPU for a weight format (large GEMMs at its tensor-core rate). */
export function matmulFlopsPerGpu(gpu: Gpu, variant: WeightVariant): number {
  return measuredRates(gpu, variant, "auto").matmulFlops;
}

/** Measured bytes a second one GPU reads its KV cache at in decode attention, for the cache dtype. */
export function kvReadBytesPerSecondPerGpu(gpu: Gpu, variant: WeightVariant, kvCacheDtype: "auto" | "fp8"): number {
  return measuredRates(gpu, variant, kvCacheDtype).kvBandwidth;
}

/**
 * The measured all-reduce of `tp` GPUs: the table's own GPU count, else the
 * next larger one measured (a ring over more GPUs costs no less), else the
 * largest.
 */
export function allReduceAt(gpu: Gpu, tp: number): { latencyUs: number; busGBps: number } {
  const rows = [...gpu.efficiency.allReduce].sort((a, b) => a.gpus - b.gpus);
  return rows.find((r) => r.gpus >= tp) ?? rows[rows.length - 1]!;
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
  /** Measured bytes a second of one GPU reading weights (small-M GEMMs), routed experts (fused MoE) and the KV cache (decode attention). */
  bandwidth: number;
  expertBandwidth: number;
  kvBandwidth: number;
  /** Measured dense matmul FLOPS of one GPU (large GEMMs at the weight format's tensor-core rate), decode and prefill alike. */
  flops: number;
  /** Decode attention's measured cost per step outside its KV reads: fixed seconds over all layers, and seconds per sequence. */
  attentionFixedSeconds: number;
  attentionSecondsPerSequence: number;
  /** Measured routed-expert FLOPS of one GPU (vLLM's fused MoE at many tokens). */
  expertFlops: number;
  /** Parameters a token multiplies outside the routed experts, and in them. */
  denseActive: number;
  routedActive: number;
  /** Exponent of the measured GEMM roofline blend (see {@link gemmSeconds}). */
  rooflineExponent: number;
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
  /** Seconds a decode step carries per sequence (`sequenceOverheadUs`). */
  sequenceSeconds: number;
  /** Seconds of the TP all-reduces of one step, excluding their bytes; and seconds per token of their bytes. */
  commLatencySeconds: number;
  commSecondsPerToken: number;
  chunkTokens: number;
}

/** The per-shape constants of the roofline, memoized per shape object (every concurrency of a search reuses them). */
const derive: (shape: ReplicaShape) => Derived = memoize(deriveConstants);

/** Bytes a step reads whatever its batch: every weight but the routed experts (and the input embedding, a lookup). */
function batchIndependentWeightBytes(model: ModelConfig, variant: WeightVariant, p: ParamBreakdown): number {
  const a = model.architecture;
  return (
    a.numLayers * p.perLayerAttention * bytesPerWeight(variant, "attention") +
    p.denseLayers * p.perDenseMlp * bytesPerWeight(variant, "dense_mlp") +
    p.moeLayers *
      (p.perSharedExperts * bytesPerWeight(variant, "shared_experts") +
        p.perRouter * bytesPerWeight(variant, "router")) +
    p.lmHead * bytesPerWeight(variant, "lm_head") +
    (a.tieWordEmbeddings ? p.embeddings * bytesPerWeight(variant, "embeddings") : 0)
  );
}

function deriveConstants(shape: ReplicaShape): Derived {
  const { model, variant, gpu, parallel, constants } = shape;
  const p = paramBreakdown(model);
  const a = model.architecture;
  const expertBytes = p.perRoutedExpert * bytesPerWeight(variant, "routed_experts");
  const fixedWeightBytes = batchIndependentWeightBytes(model, variant, p);
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
  const rates = measuredRates(gpu, variant, shape.kvCacheDtype);
  const routedActive = a.moe ? p.moeLayers * a.moe.numExpertsPerToken * p.perRoutedExpert : 0;
  const allReduce = allReduceAt(gpu, tp);
  const d: Derived = {
    p,
    fixedWeightBytes,
    expertBytes,
    gpus,
    bandwidth: rates.weightBandwidth,
    expertBandwidth: rates.expertBandwidth,
    kvBandwidth: rates.kvBandwidth,
    flops: rates.matmulFlops,
    rooflineExponent: rates.rooflineExponent,
    expertFlops: rates.expertFlops,
    attentionFixedSeconds: a.numLayers * rates.decodeAttention.fixedUs * US,
    // Work items of the decode kernel: one per sequence and KV head on the GPU (MLA: its one latent).
    attentionSecondsPerSequence:
      a.numLayers * rates.decodeAttention.itemNs * 1e-9 * (a.mla ? 1 : Math.max(1, a.numKeyValueHeads / tp)),
    denseActive: p.active - routedActive,
    routedActive,
    attentionFlops: rates.attentionFlops,
    prefillAttentionFlops: rates.prefillAttentionFlops,
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
    // Two all-reduces per layer (after attention and after the MLP), each a ring over the TP ranks, at vLLM's measured custom all-reduce.
    commLatencySeconds: tp > 1 ? 2 * a.numLayers * allReduce.latencyUs * US : 0,
    commSecondsPerToken: tp > 1 ? (2 * a.numLayers * a.hiddenSize * 2 * ringFactor) / (allReduce.busGBps * 1e9) : 0,
    chunkTokens: shape.maxNumBatchedTokens,
    moeSecondsPerToken: a.moe ? p.moeLayers * constants.moeTokenOverheadNs * 1e-9 : 0,
    sequenceSeconds: constants.sequenceOverheadUs * US,
  };
  return d;
}

/**
 * A GEMM's seconds from its weight-read and matmul seconds: neither their
 * sum nor the bare roofline max, but (read^p + compute^p)^(1/p) with the p
 * that fits the GPU's measured GEMM table (`gemmRooflineExponent`).
 */
function gemmSeconds(d: Derived, read: number, compute: number): number {
  const p = d.rooflineExponent;
  const larger = Math.max(read, compute);
  if (larger === 0) return 0;
  // Scaled by the larger term so that a large p neither underflows nor overflows.
  return larger * ((read / larger) ** p + (compute / larger) ** p) ** (1 / p);
}

/** Seconds of the matmuls of `tokens` tokens on one GPU of the whole model (divide by TP): dense layers at the GEMM rate, routed experts at the fused-MoE rate. */
function matmulSeconds(d: Derived, tokens: number): number {
  return 2 * tokens * (d.denseActive / d.flops + d.routedActive / d.expertFlops);
}

/** Seconds one GPU spends reading its share of the fixed weights and of `expertBytes` routed experts, and `kvBytes` of its KV cache, each at its measured rate. */
function readSeconds(d: Derived, tp: number, expertBytes: number, kvBytes: number): number {
  return d.fixedWeightBytes / tp / d.bandwidth + expertBytes / tp / d.expertBandwidth + kvBytes / d.kvBandwidth;
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
  // Dense layers and routed experts are separate kernels, each its own roofline.
  const denseGemm = gemmSeconds(d, d.fixedWeightBytes / tp / d.bandwidth, (batch * 2 * d.denseActive) / d.flops / tp);
  const expertGemm = gemmSeconds(
    d,
    expertsRead / tp / d.expertBandwidth,
    (batch * 2 * d.routedActive) / d.expertFlops / tp,
  );
  const weightRead = readSeconds(d, tp, expertsRead, 0);
  const matmul = matmulSeconds(d, batch) / tp;
  const kvRead = (batch * contextTokens * d.kvPerGpu) / d.kvBandwidth;
  const attention = (batch * d.attentionFlopsPerTokenContext * contextTokens) / d.attentionFlops / tp;
  const tComm = d.commLatencySeconds + batch * (d.commSecondsPerToken + d.moeSecondsPerToken + d.sequenceSeconds);
  return {
    seconds:
      denseGemm +
      expertGemm +
      Math.max(kvRead, attention) +
      d.attentionFixedSeconds +
      batch * d.attentionSecondsPerSequence +
      tComm +
      d.fixedSeconds,
    bound: matmul > weightRead ? "compute" : "memory",
  };
}

/**
 * Seconds a prompt adds to a running batch: its matmul FLOPS at the weight
 * format's rate, its causal attention (half the square) at the 16-bit rate,
 * and its all-reduce bytes (the weights are read by the decode step it
 * joins, under chunked prefill).
 */
export function marginalPrefillSeconds(shape: ReplicaShape, inputTokens: number): number {
  const d = derive(shape);
  const matmul = matmulSeconds(d, inputTokens);
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
  const reads = chunks * readSeconds(d, tp, expertsRead, 0);
  const computeSeconds = marginalPrefillSeconds(shape, inputTokens);
  return gemmSeconds(d, reads, computeSeconds) + chunks * (d.fixedSeconds + d.commLatencySeconds);
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
  const matmul = matmulSeconds(d, tokens);
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
  return (
    gemmSeconds(d, readSeconds(d, shape.parallel.tensorParallel, expertsRead, 0), added) +
    d.fixedSeconds +
    d.commLatencySeconds
  );
}
