import type { Calibration } from "./calibration";
import type { Gpu } from "./hardware";
import { fitMemory, type MemoryFit, type Parallelism } from "./memory";
import { memoize } from "./memo";
import type { ModelConfig, WeightVariant } from "./model-config";
import { highestConcurrencyMeeting, meetsTarget, sweepConcurrencies, type LatencyTarget } from "./concurrency-search";
import { simulatedMeets, steadyStatePoint } from "./steady-state";
import { throughputAt, type ReplicaShape, type RequestShape, type ThroughputPoint } from "./throughput";
import { schedulerLimits, type SchedulerLimits } from "./vllm-scheduler";

/**
 * What set the throughput a replica is credited with: the weights do not fit,
 * the KV cache or max-num-seqs caps the concurrency, the decode step is
 * compute-bound at the peak, the latency target stops the concurrency lower,
 * the caller fixed the concurrency, or a measurement replaced the estimate.
 */
export type BindingLimit =
  "weights" | "kv-cache" | "max-num-seqs" | "compute" | "latency-target" | "requested-concurrency" | "measured";

/** How a capacity estimate was made (see {@link Capacity.estimateMethod}). */
export type EstimateMethod = "scheduler-simulation" | "closed-form";

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

export type { LatencyTarget } from "./concurrency-search";

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
  /**
   * Why the replica cannot run, set exactly when `fits` is false: vLLM's own
   * refusal from the memory fit, or that the KV cache holds no request of the
   * workload's length. The one home of this reason: every report reads it.
   */
  doesNotFitReason?: string | undefined;
  /** Requests the KV cache holds at the workload's request length, capped by max-num-seqs. */
  maxConcurrency: number;
  /** The point the replica is credited with. */
  point: ThroughputPoint;
  /** Output tokens a second credited to one replica (measured when given). */
  outputTokensPerSecond: number;
  throughputSource: "estimate" | "measured";
  /**
   * How the estimate (the point, the sweep) was made: the V1 scheduler
   * simulation's closed-loop steady state (engine/steady-state.ts), or the
   * closed form at one request when the replica does not fit (nothing to
   * simulate).
   */
  estimateMethod: EstimateMethod;
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
    kvCacheDtype: inputs.serving.kvCacheDtype,
    maxNumBatchedTokens: inputs.serving.maxNumBatchedTokens,
    constants: inputs.calibration.throughput,
  };
}

/** The memory fit, the replica shape the step-time model reads, and the scheduler's limits (one object per setup). */
type FitAndShape = { memory: MemoryFit; shape: ReplicaShape; limits: SchedulerLimits };

/**
 * The memory fit and replica shape, memoized on the model, checkpoint, GPU
 * and calibration objects plus the parallelism and serving values:
 * evaluate() runs 100k times a second and most calls repeat a hardware
 * setup with another volume. One shape object per distinct setup, which the
 * simulation's memo (engine/steady-state.ts) keys on.
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
    return { memory, shape: replicaShape(inputs, memory), limits: schedulerLimits({ model, serving }, memory) };
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

/** A replica's fit with the serving settings that apply (the default max-model-len possibly lowered). */
export type ReplicaFit = FitAndShape & { serving: ResolvedServing; maxModelLenNote?: string };

/** The point a replica is credited with, before any measurement replaces it. */
interface Credited {
  point: ThroughputPoint;
  bindingLimit: BindingLimit;
  meetsLatencyTarget: boolean;
}

/**
 * What one replica serves: vLLM's memory fit, the largest concurrency its KV
 * cache and max-num-seqs allow for the request shape, and the throughput at
 * the highest concurrency that still meets the latency target ("goodput"),
 * or at that limit when there is no target, each point the V1 scheduler
 * simulation's closed-loop steady state at that concurrency
 * (engine/steady-state.ts). A measured figure wins. The sweep for reports
 * is simulated with it, as plain data (memoized per fit: a getter that
 * deferred it halved warm evaluate() throughput, 110k to 60k a CPU-second).
 */
export function estimateCapacity(inputs: CapacityInputs): Capacity {
  const fit = replicaFit(inputs);
  const { maxConcurrency, capLimit } = concurrencyLimit(fit, inputs.request);
  if (maxConcurrency < 1) return doesNotFit(inputs, fit);
  const credited =
    inputs.concurrency === undefined
      ? searchedPoint(fit, inputs, maxConcurrency, capLimit)
      : requestedPoint(fit, inputs, inputs.concurrency, maxConcurrency, capLimit);
  const measured = inputs.measuredOutputTokensPerSecond;
  return withSweep(
    {
      memory: fit.memory,
      fits: true,
      maxConcurrency,
      point: credited.point,
      outputTokensPerSecond: measured ?? (credited.meetsLatencyTarget ? credited.point.outputTokensPerSecond : 0),
      throughputSource: measured === undefined ? "estimate" : "measured",
      estimateMethod: "scheduler-simulation",
      bindingLimit: measured === undefined ? credited.bindingLimit : "measured",
      meetsLatencyTarget: measured === undefined ? credited.meetsLatencyTarget : true,
      maxModelLen: fit.serving.maxModelLen,
      ...noteOf(fit),
    },
    { fit, request: inputs.request, limit: maxConcurrency },
  );
}

/** Requests the KV cache holds at the request length, capped by max-num-seqs (0 when the weights do not fit), and which cap binds. */
function concurrencyLimit(fit: ReplicaFit, request: RequestShape): { maxConcurrency: number; capLimit: BindingLimit } {
  const { memory, serving } = fit;
  const requestTokens = Math.min(serving.maxModelLen, request.inputTokens + request.outputTokens);
  const kvLimit = Math.floor(memory.kvCacheTokens / Math.max(1, requestTokens));
  const maxConcurrency = memory.fits ? Math.max(0, Math.min(serving.maxNumSeqs, kvLimit)) : 0;
  return { maxConcurrency, capLimit: kvLimit < serving.maxNumSeqs ? "kv-cache" : "max-num-seqs" };
}

const noteOf = (fit: ReplicaFit) => (fit.maxModelLenNote === undefined ? {} : { maxModelLenNote: fit.maxModelLenNote });

/** The simulated steady state at a concurrency, memoized (engine/steady-state.ts). */
function simulatedPoint(fit: FitAndShape, request: RequestShape, concurrency: number): ThroughputPoint {
  return steadyStatePoint(fit.shape, fit.limits, request, concurrency);
}

/**
 * A replica that cannot hold one request: nothing to simulate, so the point
 * (one request's speed, zero throughput) is the closed form's and says so.
 */
function doesNotFit(inputs: CapacityInputs, fit: ReplicaFit): Capacity {
  const { memory, shape } = fit;
  const measured = inputs.measuredOutputTokensPerSecond;
  const requestTokens = Math.min(fit.serving.maxModelLen, inputs.request.inputTokens + inputs.request.outputTokens);
  return withSweep(
    {
      memory,
      fits: false,
      doesNotFitReason:
        memory.reason ?? `the ${memory.kvCacheTokens}-token KV cache holds no request of ${requestTokens} tokens`,
      maxConcurrency: 0,
      point: { ...throughputAt(shape, inputs.request, 1), outputTokensPerSecond: 0 },
      outputTokensPerSecond: measured ?? 0,
      throughputSource: measured === undefined ? "estimate" : "measured",
      estimateMethod: "closed-form",
      bindingLimit:
        memory.usableGiBPerGpu <= memory.weightsGiBPerGpu + memory.reserveGiBPerGpu ? "weights" : "kv-cache",
      meetsLatencyTarget: false,
      maxModelLen: fit.serving.maxModelLen,
      ...noteOf(fit),
    },
    { fit, request: inputs.request, limit: 0 },
  );
}

/** The caller's concurrency (capped by what the replica holds), simulated. */
function requestedPoint(
  fit: ReplicaFit,
  inputs: CapacityInputs,
  concurrency: number,
  maxConcurrency: number,
  capLimit: BindingLimit,
): Credited {
  const point = simulatedPoint(fit, inputs.request, Math.min(concurrency, maxConcurrency));
  return {
    point,
    bindingLimit: concurrency > maxConcurrency ? capLimit : "requested-concurrency",
    meetsLatencyTarget: meetsTarget(point, inputs.latency),
  };
}

/** The highest concurrency meeting the target on a fit's simulation, or undefined (see {@link searchedPoint}). */
const searchSimulated = memoize(
  (fit: FitAndShape, request: RequestShape, maxConcurrency: number, latency: LatencyTarget | undefined) => {
    const c = highestConcurrencyMeeting(simulatedMeets(fit.shape, fit.limits, request, latency), maxConcurrency);
    return c === undefined ? undefined : { c, point: bestUpTo(fit, request, c, latency) };
  },
  (fit, request, maxConcurrency, latency) => [
    fit.shape,
    `${request.inputTokens}|${request.outputTokens}|${maxConcurrency}|${latency?.minOutputTokensPerSecondPerRequest}|${latency?.maxTimeToFirstTokenMs}`,
  ],
  { maxPlainEntries: 1024 },
);

/**
 * The highest simulated concurrency meeting the latency target (a binary
 * search, {@link highestConcurrencyMeeting}, over the simulation with the
 * closed form screening points far from a speed floor, {@link simulatedMeets}),
 * memoized on the shape (whose scheduler limits are fixed with it) plus the
 * request, the limit and the target, so a sweep over prices or volumes
 * searches once. The search always starts from [1, limit], never from a
 * guess: the simulated TTFT wobbles by a few percent with the step phase,
 * and a search whose path depended on the target could then credit a
 * stricter target with more.
 */
function searchedPoint(
  fit: ReplicaFit,
  inputs: CapacityInputs,
  maxConcurrency: number,
  capLimit: BindingLimit,
): Credited {
  const { request, latency } = inputs;
  const searched = searchSimulated(fit, request, maxConcurrency, latency);
  if (searched === undefined)
    return { point: simulatedPoint(fit, request, 1), bindingLimit: "latency-target", meetsLatencyTarget: false };
  const { c, point: found } = searched;
  const bindingLimit = c < maxConcurrency ? "latency-target" : found.decodeBound === "compute" ? "compute" : capLimit;
  return { point: found, bindingLimit, meetsLatencyTarget: true };
}

/**
 * The better of the simulated points at `c` and at the largest CUDA-graph
 * capture size at most `c`, when that one meets the target too: a decode
 * batch just past a capture size is padded up to the next one (vLLM runs
 * the captured graph of the size above, vllm/config/vllm.py), so 105 in
 * flight can serve less than 104. Holding the replica to the capture size
 * is allowed (fewer in flight meet the target as well), and crediting the
 * better keeps "a stricter target never credits more".
 */
function bestUpTo(
  fit: FitAndShape,
  request: RequestShape,
  c: number,
  latency: LatencyTarget | undefined,
): ThroughputPoint {
  const at = simulatedPoint(fit, request, c);
  const sizes = fit.limits.cudaGraphCaptureSizes;
  let captured = 0;
  for (const size of sizes) if (size <= c) captured = size;
  if (captured === 0 || captured === c) return at;
  const below = simulatedPoint(fit, request, captured);
  return below.outputTokensPerSecond > at.outputTokensPerSecond && meetsTarget(below, latency) ? below : at;
}

/**
 * The memory fit, replica shape and scheduler limits for `inputs`, with the
 * default max-model-len lowered when it does not fit (as
 * {@link estimateCapacity} does), and the serving settings that apply.
 */
export function replicaFit(inputs: CapacityInputs): ReplicaFit {
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
  fit: FitAndShape;
  request: RequestShape;
  limit: number;
}

/**
 * The capacity with its sweep, as plain data: the simulated steady state at
 * 1, 2, 4, ... up to the concurrency limit (memoized, so a sweep over prices
 * simulates once).
 */
function withSweep(fields: Omit<Capacity, "sweep">, source: SweepSource): Capacity {
  return { ...fields, sweep: sweepOf(source.fit, source.request, source.limit) };
}

/** The sweep's points, memoized as one (frozen, shared) array per fit, request and limit: one lookup per evaluate(). */
const sweepOf = memoize(
  (fit: FitAndShape, request: RequestShape, limit: number): ThroughputPoint[] =>
    Object.freeze(sweepConcurrencies(limit).map((c) => simulatedPoint(fit, request, c))) as ThroughputPoint[],
  (fit, request, limit) => [fit.shape, `${request.inputTokens}|${request.outputTokens}|${limit}`],
  { maxPlainEntries: 1024 },
);
