import type { CalibrationConstants } from "./calibration";
import type { Gpu } from "./hardware";
import type { ModelConfig, WeightVariant } from "./model-config";
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

/** Compute dtype a weight format runs its matmuls in on this GPU. */
function tflopsFor(gpu: Gpu, variant: WeightVariant): number {
  if ((variant.dtype === "fp8" || variant.dtype === "nvfp4") && gpu.denseTflops.fp8 !== undefined) return gpu.denseTflops.fp8;
  return gpu.denseTflops.bf16;
}

/** Expected distinct experts that `tokens` tokens touch in one MoE layer, each choosing k of E. */
export function expertsTouched(numExperts: number, perToken: number, tokens: number): number {
  return numExperts * (1 - Math.pow(1 - perToken / numExperts, tokens));
}

interface Derived {
  p: ParamBreakdown;
  /** Bytes read per step that do not depend on the batch (all but routed experts). */
  fixedWeightBytes: number;
  /** Bytes of one routed expert. */
  expertBytes: number;
  gpus: number;
  bandwidth: number;
  flops: number;
}

const derivedCache = new WeakMap<ReplicaShape, Derived>();

function derive(shape: ReplicaShape): Derived {
  const hit = derivedCache.get(shape);
  if (hit) return hit;
  const { model, variant, gpu, parallel, constants } = shape;
  const p = paramBreakdown(model);
  const a = model.architecture;
  const expertBytes = p.perRoutedExpert * bytesPerWeight(variant, "routed_experts");
  const fixedWeightBytes =
    a.numLayers * p.perLayerAttention * bytesPerWeight(variant, "attention") +
    p.denseLayers * p.perDenseMlp * bytesPerWeight(variant, "dense_mlp") +
    p.moeLayers * (p.perSharedExperts * bytesPerWeight(variant, "shared_experts") + p.perRouter * 2) +
    p.lmHead * bytesPerWeight(variant, "lm_head") +
    (a.tieWordEmbeddings ? p.embeddings * bytesPerWeight(variant, "embeddings") : 0);
  const gpus = parallel.tensorParallel * parallel.pipelineParallel;
  const d: Derived = {
    p,
    fixedWeightBytes,
    expertBytes,
    gpus,
    bandwidth: gpu.memoryBandwidthGBps * 1e9 * constants.bandwidthEfficiency,
    flops: tflopsFor(gpu, variant) * 1e12 * constants.computeEfficiency,
  };
  derivedCache.set(shape, d);
  return d;
}

/**
 * Seconds of one decode step for `batch` sequences at mean context
 * `contextTokens` (DOMAIN.md §2): the larger of weight-plus-KV reads over the
 * replica's bandwidth and matmul FLOPS over its compute, plus the fixed costs
 * that dominate small batches on big replicas (per step, per layer, two TP
 * all-reduces per layer, MoE dispatch). With PP, stages run one after the
 * other for one token, so bandwidth and compute are those of one stage.
 */
export function decodeStepSeconds(shape: ReplicaShape, batch: number, contextTokens: number): { seconds: number; bound: "memory" | "compute" } {
  const d = derive(shape);
  const { model, parallel, constants, gpu } = shape;
  const a = model.architecture;
  const moe = a.moe;
  const expertsRead = moe ? d.p.moeLayers * expertsTouched(moe.numExperts, moe.numExpertsPerToken, batch) * d.expertBytes : 0;
  const bytes = d.fixedWeightBytes + expertsRead + batch * contextTokens * shape.kvBytesPerToken;
  const tMem = bytes / (d.gpus * d.bandwidth);
  const tCmp = (2 * d.p.active * batch) / (d.gpus * d.flops);
  let tComm = 0;
  if (parallel.tensorParallel > 1) {
    const ringFactor = (2 * (parallel.tensorParallel - 1)) / parallel.tensorParallel;
    const perAllReduce = constants.allReduceLatencyUs * US + (batch * a.hiddenSize * 2 * ringFactor) / (gpu.interconnectGBps * 1e9);
    tComm = 2 * a.numLayers * perAllReduce;
  }
  const tFixed = constants.stepOverheadUs * US + a.numLayers * constants.layerOverheadUs * US + (moe ? d.p.moeLayers * constants.moeLayerOverheadUs * US : 0);
  return { seconds: Math.max(tMem, tCmp) + tComm + tFixed, bound: tCmp > tMem ? "compute" : "memory" };
}

/** Seconds to prefill one prompt of `inputTokens` (matmuls plus causal attention), compute-bound. */
export function prefillSeconds(shape: ReplicaShape, inputTokens: number): number {
  const d = derive(shape);
  const a = shape.model.architecture;
  const attnDim = a.mla ? a.numAttentionHeads * (a.mla.qkNopeHeadDim + a.mla.qkRopeHeadDim) : a.numAttentionHeads * a.headDim;
  // Causal attention: QK^T and PV over half the square on average.
  const attentionFlops = 2 * a.numLayers * attnDim * inputTokens * inputTokens;
  const flops = 2 * d.p.active * inputTokens + attentionFlops;
  const tCmp = flops / (d.gpus * d.flops);
  const tMem = (d.fixedWeightBytes + (a.moe ? d.p.moeLayers * a.moe.numExperts * d.expertBytes : 0)) / (d.gpus * d.bandwidth);
  return Math.max(tCmp, tMem);
}

/**
 * Steady-state throughput at `concurrency` requests in flight under
 * continuous batching: while each slot finishes one request, the replica runs
 * `outputTokens` decode steps at that batch and prefills `concurrency` new
 * prompts between them.
 */
export function throughputAt(shape: ReplicaShape, request: RequestShape, concurrency: number): ThroughputPoint {
  const meanContext = request.inputTokens + request.outputTokens / 2;
  const step = decodeStepSeconds(shape, concurrency, meanContext);
  const prefill = prefillSeconds(shape, request.inputTokens);
  const cycleSeconds = request.outputTokens * step.seconds + concurrency * prefill;
  const outputTokensPerSecond = (concurrency * request.outputTokens) / cycleSeconds;
  // A request sees its own decode steps plus the prefills of the others that land while it decodes.
  const perRequestOutputTokensPerSecond = request.outputTokens / (request.outputTokens * step.seconds + (concurrency - 1) * prefill);
  // A new prompt waits on average for half of the prefills queued before it, then its own.
  const ttftMs = (prefill * (1 + (concurrency - 1) / Math.max(1, request.outputTokens)) + step.seconds) * 1000;
  return { concurrency, outputTokensPerSecond, perRequestOutputTokensPerSecond, ttftMs, decodeBound: step.bound };
}
