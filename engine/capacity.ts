import type { Calibration } from "./calibration";
import type { Gpu } from "./hardware";
import { fitMemory, type MemoryFit, type Parallelism } from "./memory";
import type { ModelConfig, WeightVariant } from "./model-config";
import { throughputAt, type ReplicaShape, type RequestShape, type ThroughputPoint } from "./throughput";

/** What set the throughput a replica is credited with. */
export type BindingLimit = "weights" | "kv-cache" | "max-num-seqs" | "compute" | "latency-target" | "measured";

/** vLLM settings as the capacity model uses them (defaults already resolved). */
export interface ResolvedServing {
  gpuMemoryUtilization: number;
  maxModelLen: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  kvCacheDtype: "auto" | "fp8";
  blockSize: number;
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
}

function meets(point: ThroughputPoint, target: LatencyTarget | undefined): boolean {
  if (!target) return true;
  if (target.minOutputTokensPerSecondPerRequest !== undefined && point.perRequestOutputTokensPerSecond < target.minOutputTokensPerSecondPerRequest) return false;
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
 * What one replica serves: vLLM's memory fit, the largest concurrency its KV
 * cache and max-num-seqs allow for the request shape, and the throughput at
 * the highest concurrency that still meets the latency target ("goodput"),
 * or at that limit when there is no target. A measured figure wins.
 */
export function estimateCapacity(inputs: CapacityInputs): Capacity {
  const { model, variant, gpu, parallel, serving, request, calibration, latency } = inputs;
  const memory = fitMemory({
    model,
    variant,
    gpu,
    parallel,
    settings: serving,
    reserve: calibration.reserve,
    blockSize: serving.blockSize,
  });
  const shape: ReplicaShape = {
    model,
    variant,
    gpu,
    parallel,
    kvBytesPerToken: memory.kvBytesPerToken,
    constants: calibration.throughput,
  };
  const requestTokens = Math.min(serving.maxModelLen, request.inputTokens + request.outputTokens);
  const kvLimit = Math.floor(memory.kvCacheTokens / Math.max(1, requestTokens));
  const maxConcurrency = memory.fits ? Math.max(0, Math.min(serving.maxNumSeqs, kvLimit)) : 0;

  if (!memory.fits || maxConcurrency < 1) {
    const point = throughputAt(shape, request, 1);
    return {
      memory,
      fits: false,
      maxConcurrency: 0,
      point: { ...point, outputTokensPerSecond: 0 },
      outputTokensPerSecond: 0,
      throughputSource: "estimate",
      bindingLimit: memory.fits ? "kv-cache" : "weights",
      meetsLatencyTarget: false,
      sweep: [],
    };
  }

  const sweep = sweepConcurrencies(maxConcurrency).map((c) => throughputAt(shape, request, c));
  let point: ThroughputPoint;
  let bindingLimit: BindingLimit;
  let meetsLatencyTarget = true;
  if (inputs.concurrency !== undefined) {
    point = throughputAt(shape, request, Math.min(inputs.concurrency, maxConcurrency));
    bindingLimit = inputs.concurrency > maxConcurrency ? (kvLimit < serving.maxNumSeqs ? "kv-cache" : "max-num-seqs") : point.decodeBound === "compute" ? "compute" : "latency-target";
    meetsLatencyTarget = meets(point, latency);
  } else {
    const peak = throughputAt(shape, request, maxConcurrency);
    if (meets(peak, latency)) {
      point = peak;
      bindingLimit = peak.decodeBound === "compute" ? "compute" : kvLimit < serving.maxNumSeqs ? "kv-cache" : "max-num-seqs";
    } else {
      // Per-request speed falls and TTFT rises with concurrency: binary search the last concurrency that meets both.
      let lo = 1;
      let hi = maxConcurrency;
      const first = throughputAt(shape, request, 1);
      if (!meets(first, latency)) {
        point = first;
        meetsLatencyTarget = false;
      } else {
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (meets(throughputAt(shape, request, mid), latency)) lo = mid;
          else hi = mid;
        }
        point = throughputAt(shape, request, lo);
      }
      bindingLimit = "latency-target";
    }
  }

  const measured = inputs.measuredOutputTokensPerSecond;
  return {
    memory,
    fits: true,
    maxConcurrency,
    point,
    outputTokensPerSecond: measured ?? (meetsLatencyTarget ? point.outputTokensPerSecond : 0),
    throughputSource: measured === undefined ? "estimate" : "measured",
    bindingLimit: measured === undefined ? bindingLimit : "measured",
    meetsLatencyTarget: measured === undefined ? meetsLatencyTarget : true,
    sweep,
  };
}
