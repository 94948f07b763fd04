import type { Calibration } from "./calibration";
import type { Gpu } from "./hardware";
import { fitMemory, type MemoryFit, type Parallelism } from "./memory";
import { memoize } from "./memo";
import type { ModelConfig, WeightVariant } from "./model-config";
import { throughputAt, type ReplicaShape, type RequestShape, type ThroughputPoint } from "./throughput";

/**
 * What set the throughput a replica is credited with: the weights do not fit,
 * the KV cache or max-num-seqs caps the concurrency, the decode step is
 * compute-bound at the peak, the latency target stops the concurrency lower,
 * the caller fixed the concurrency, or a measurement replaced the estimate.
 */
export type BindingLimit =
  "weights" | "kv-cache" | "max-num-seqs" | "compute" | "latency-target" | "requested-concurrency" | "measured";

/** vLLM settings as the capacity model uses them (defaults already resolved). */
export interface ResolvedServing {
  gpuMemoryUtilization: number;
  maxModelLen: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  kvCacheDtype: "auto" | "fp8";
  blockSize: number;
  /**
   * True when the user set max-model-len: a cache too small for it is then
   * "does not fit", as vLLM refuses to start. Otherwise the model lowers it
   * to what fits ({@link fittingMaxModelLen}).
   */
  maxModelLenSetByUser?: boolean | undefined;
}

/** Latency the product needs. */
export interface LatencyTarget {
  minOutputTokensPerSecondPerRequest?: number | undefined;
  maxTimeToFirstTokenMs?: number | undefined;
}

/** Inputs of a capacity estimate for one replica. */
export interface CapacityInputs {
  model: ModelConfig;
  variant: WeightVariant;
  gpu: Gpu;
  parallel: Parallelism;
  serving: ResolvedServing;
  request: RequestShape;
  calibration: Calibration;
  latency?: LatencyTarget | undefined;
  /** Evaluate at this concurrency instead of searching for the best one. */
  concurrency?: number | undefined;
  /** A measured figure, which replaces the estimate. */
  measuredOutputTokensPerSecond?: number | undefined;
  /** The vLLM release whose memory profile applies; the model's pinned release when absent. */
  vllmVersion?: string | undefined;
}

/** One replica's capacity. */
export interface Capacity {
  memory: MemoryFit;
  fits: boolean;
  /** Requests the KV cache holds at the workload's request length, capped by max-num-seqs. */
  maxConcurrency: number;
  /** The point the replica is credited with. */
  point: ThroughputPoint;
  /** Output tokens a second credited to one replica (measured when given). */
  outputTokensPerSecond: number;
  throughputSource: "estimate" | "measured";
  bindingLimit: BindingLimit;
  /** False when even one request at a time misses the latency target. */
  meetsLatencyTarget: boolean;
  /** The concurrency sweep 1, 2, 4, ... up to the limit (estimates). */
  sweep: ThroughputPoint[];
  /** The max-model-len the replica runs with: the resolved one, or the lowered default. */
  maxModelLen: number;
  /** Set when the default max-model-len did not fit and was lowered: a sentence saying so. */
  maxModelLenNote?: string | undefined;
}

/** Largest power of two at most `x` (0 below 1). */
function floorPow2(x: number): number {
  return x < 1 ? 0 : 2 ** Math.floor(Math.log2(x));
}

/**
 * The max-model-len to run with when the user left it to the default and the
 * KV cache cannot hold one request of it: the largest power of two the cache
 * holds, if that still holds one request of the workload; else undefined
 * (does not fit). vLLM itself stops at startup and prints the largest length
 * that fits; the project picks a round one below it and says so.
 */
export function fittingMaxModelLen(kvCacheTokens: number, requestTokens: number): number | undefined {
  const len = floorPow2(kvCacheTokens);
  return len >= requestTokens && len >= 1 ? len : undefined;
}

/** True when a point meets every part of the target. */
export function meetsTarget(point: ThroughputPoint, target: LatencyTarget | undefined): boolean {
  if (!target) return true;
  if (
    target.minOutputTokensPerSecondPerRequest !== undefined &&
    point.perRequestOutputTokensPerSecond < target.minOutputTokensPerSecondPerRequest
  )
    return false;
  if (target.maxTimeToFirstTokenMs !== undefined && point.ttftMs > target.maxTimeToFirstTokenMs) return false;
  return true;
}

/** Concurrencies 1, 2, 4, ... below `limit`, then `limit` itself. */
export function sweepConcurrencies(limit: number): number[] {
  const out: number[] = [];
  for (let c = 1; c < limit; c *= 2) out.push(c);
  if (limit >= 1) out.push(limit);
  return out;
}

/**
 * The highest concurrency in `[1, limit]` whose point meets the target, or
 * undefined when even one request misses it. Per-request speed only falls
 * and TTFT only rises with concurrency in this model, so a binary search
 * finds it in log2(limit) evaluations.
 */
export function highestConcurrencyMeeting(
  shape: ReplicaShape,
  request: RequestShape,
  limit: number,
  target: LatencyTarget | undefined,
): ThroughputPoint | undefined {
  const peak = throughputAt(shape, request, limit);
  if (meetsTarget(peak, target)) return peak;
  let best = throughputAt(shape, request, 1);
  if (!meetsTarget(best, target)) return undefined;
  let lo = 1;
  let hi = limit;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const p = throughputAt(shape, request, mid);
    if (meetsTarget(p, target)) {
      lo = mid;
      best = p;
    } else hi = mid;
  }
  return best;
}

/** The replica shape the throughput model needs, from the memory fit and settings. */
export function replicaShape(
  inputs: Pick<CapacityInputs, "model" | "variant" | "gpu" | "parallel" | "serving" | "calibration">,
  memory: MemoryFit,
): ReplicaShape {
  return {
    model: inputs.model,
    variant: inputs.variant,
    gpu: inputs.gpu,
    parallel: inputs.parallel,
    kvBytesPerToken: memory.kvBytesPerToken,
    kvBytesPerTokenPerGpu: memory.kvBytesPerTokenPerGpu,
    maxNumBatchedTokens: inputs.serving.maxNumBatchedTokens,
    constants: inputs.calibration.throughput,
  };
}

type FitAndShape = { memory: MemoryFit; shape: ReplicaShape };

/**
 * The memory fit and replica shape, memoized on the model, checkpoint, GPU
 * and calibration objects plus the parallelism and serving values:
 * evaluate() runs 100k times a second and most calls repeat a hardware
 * setup with another volume.
 */
const fitAndShape: (inputs: CapacityInputs) => FitAndShape = memoize(
  (inputs: CapacityInputs): FitAndShape => {
    const { model, variant, gpu, parallel, serving, calibration } = inputs;
    const memory = fitMemory({
      model,
      variant,
      gpu,
      parallel,
      settings: { ...serving, vllmVersion: vllmVersionOf(inputs) },
      reserve: calibration.reserve,
      blockSize: serving.blockSize,
    });
    return { memory, shape: replicaShape(inputs, memory) };
  },
  (inputs: CapacityInputs) => [inputs.model, inputs.variant, inputs.gpu, inputs.calibration, settingsKey(inputs)],
);

/** The plain values the fit depends on, as one string key. */
function settingsKey(inputs: CapacityInputs): string {
  const { parallel: p, serving: s } = inputs;
  return `${vllmVersionOf(inputs)}|${p.tensorParallel}|${p.pipelineParallel}|${s.gpuMemoryUtilization}|${s.maxModelLen}|${s.maxNumSeqs}|${s.maxNumBatchedTokens}|${s.kvCacheDtype}|${s.blockSize}`;
}

function vllmVersionOf(inputs: Pick<CapacityInputs, "model" | "vllmVersion">): string {
  return inputs.vllmVersion ?? inputs.model.serving.vllmVersion;
}

/**
 * What one replica serves: vLLM's memory fit, the largest concurrency its KV
 * cache and max-num-seqs allow for the request shape, and the throughput at
 * the highest concurrency that still meets the latency target ("goodput"),
 * or at that limit when there is no target. A measured figure wins. The
 * sweep (1, 2, 4, ... up to the limit) comes with it, as plain data.
 */
export function estimateCapacity(inputs: CapacityInputs): Capacity {
  const first = fitAndShape(inputs);
  const lowered = lowerDefaultMaxModelLen(inputs, first);
  const { request, latency } = inputs;
  const serving = lowered?.serving ?? inputs.serving;
  const { memory, shape } = lowered?.fit ?? first;
  const note = lowered === undefined ? {} : { maxModelLenNote: lowered.note };
  const requestTokens = Math.min(serving.maxModelLen, request.inputTokens + request.outputTokens);
  const kvLimit = Math.floor(memory.kvCacheTokens / Math.max(1, requestTokens));
  const maxConcurrency = memory.fits ? Math.max(0, Math.min(serving.maxNumSeqs, kvLimit)) : 0;
  const capLimit: BindingLimit = kvLimit < serving.maxNumSeqs ? "kv-cache" : "max-num-seqs";
  const measured = inputs.measuredOutputTokensPerSecond;

  if (!memory.fits || maxConcurrency < 1) {
    const point = { ...throughputAt(shape, request, 1), outputTokensPerSecond: 0 };
    return withSweep(
      {
        memory,
        fits: false,
        maxConcurrency: 0,
        point,
        outputTokensPerSecond: measured ?? 0,
        throughputSource: measured === undefined ? "estimate" : "measured",
        bindingLimit:
          memory.usableGiBPerGpu <= memory.weightsGiBPerGpu + memory.reserveGiBPerGpu ? "weights" : "kv-cache",
        meetsLatencyTarget: false,
        maxModelLen: serving.maxModelLen,
        ...note,
      },
      { shape, request, limit: 0 },
    );
  }

  let point: ThroughputPoint;
  let bindingLimit: BindingLimit;
  let meetsLatencyTarget = true;
  if (inputs.concurrency !== undefined) {
    point = throughputAt(shape, request, Math.min(inputs.concurrency, maxConcurrency));
    bindingLimit = inputs.concurrency > maxConcurrency ? capLimit : "requested-concurrency";
    meetsLatencyTarget = meetsTarget(point, latency);
  } else {
    const found = highestConcurrencyMeeting(shape, request, maxConcurrency, latency);
    if (found === undefined) {
      point = throughputAt(shape, request, 1);
      meetsLatencyTarget = false;
      bindingLimit = "latency-target";
    } else {
      point = found;
      bindingLimit =
        found.concurrency < maxConcurrency ? "latency-target" : found.decodeBound === "compute" ? "compute" : capLimit;
    }
  }

  return withSweep(
    {
      memory,
      fits: true,
      maxConcurrency,
      point,
      outputTokensPerSecond: measured ?? (meetsLatencyTarget ? point.outputTokensPerSecond : 0),
      throughputSource: measured === undefined ? "estimate" : "measured",
      bindingLimit: measured === undefined ? bindingLimit : "measured",
      meetsLatencyTarget: measured === undefined ? meetsLatencyTarget : true,
      maxModelLen: serving.maxModelLen,
      ...note,
    },
    { shape, request, limit: maxConcurrency },
  );
}

/**
 * The memory fit and replica shape for `inputs`, with the default
 * max-model-len lowered when it does not fit (as {@link estimateCapacity}
 * does), and the serving settings that apply.
 */
export function replicaFit(inputs: CapacityInputs): {
  memory: MemoryFit;
  shape: ReplicaShape;
  serving: ResolvedServing;
  maxModelLenNote?: string;
} {
  const first = fitAndShape(inputs);
  const lowered = lowerDefaultMaxModelLen(inputs, first);
  if (!lowered) return { ...first, serving: inputs.serving };
  return { ...lowered.fit, serving: lowered.serving, maxModelLenNote: lowered.note };
}

/**
 * When max-model-len is the default and one request of it does not fit the
 * KV cache, the serving settings and fit at the lowered length
 * ({@link fittingMaxModelLen}); undefined when nothing is lowered.
 */
function lowerDefaultMaxModelLen(
  inputs: CapacityInputs,
  first: FitAndShape,
): { serving: ResolvedServing; fit: FitAndShape; note: string } | undefined {
  if (inputs.serving.maxModelLenSetByUser) return undefined;
  const m = first.memory;
  if (
    m.fits ||
    m.kvCacheTokens >= inputs.serving.maxModelLen ||
    m.usableGiBPerGpu <= m.weightsGiBPerGpu + m.reserveGiBPerGpu
  )
    return undefined;
  const len = fittingMaxModelLen(m.kvCacheTokens, inputs.request.inputTokens + inputs.request.outputTokens);
  if (len === undefined) return undefined;
  const serving = { ...inputs.serving, maxModelLen: len };
  const note = `max-model-len lowered from the default ${inputs.serving.maxModelLen} to ${len}, the largest power of two the ${m.kvCacheTokens}-token KV cache holds (vLLM would refuse ${inputs.serving.maxModelLen}); set --max-model-len to choose`;
  return { serving, fit: fitAndShape({ ...inputs, serving }), note };
}

interface SweepSource {
  shape: ReplicaShape;
  request: RequestShape;
  limit: number;
}

/** The capacity with its sweep: the throughput at 1, 2, 4, ... up to the concurrency limit, as plain data. */
function withSweep(fields: Omit<Capacity, "sweep">, source: SweepSource): Capacity {
  const sweep = sweepConcurrencies(source.limit).map((c) => throughputAt(source.shape, source.request, c));
  return { ...fields, sweep };
}
