import type { Catalog } from "../catalog/load";
import type { Calibration, ReserveConstants } from "../engine/calibration";
import { replicaShape } from "../engine/capacity";
import {
  fitMemory,
  weightBytesPerStage,
  kvBytesPerTokenOnStage,
  layersPerStage,
  kvElementBytes,
  BYTES_PER_GIB,
  type MemorySettings,
} from "../engine/memory";
import {
  kvReadBytesPerSecondPerGpu,
  matmulFlopsPerGpu,
  prefillSeconds,
  throughputAt,
  type ReplicaShape,
  type RequestShape,
} from "../engine/throughput";
import { paramBreakdown } from "../engine/params";
import { matchRow, readThroughputRows, validationReason, type KvRow, type Matched, type ThroughputRow } from "./points";
import type { Gpu } from "../engine/hardware";
import { schedulerLimits, type SchedulerLimits } from "../engine/vllm-scheduler";
import { SGLANG_CHUNKED_PREFILL_TOKENS, sglangMemFractionStatic } from "./sglang-memory";

/**
 * The model's predictions for each measured row, shared by `npm run
 * calibrate`, `npm run bench` and the tests so all three judge the same thing.
 */

/** vLLM V1's defaults for `vllm serve` on a data-center GPU, used where a row does not say otherwise. */
function rowSettings(row: KvRow, gpu: Gpu): MemorySettings {
  return {
    gpuMemoryUtilization: row.gpu_memory_utilization,
    maxModelLen: row.max_model_len,
    maxNumSeqs: row.max_num_seqs ?? gpu.vllmDefaultMaxNumSeqs,
    maxNumBatchedTokens: gpu.vllmDefaultMaxNumBatchedTokens,
    kvCacheDtype: row.kv_dtype === "fp8" ? "fp8" : "auto",
    vllmVersion: row.vllm_version || undefined,
  };
}

/** A V1 startup-log row matched to the catalog, with the model's figures. */
export interface KvPrediction {
  row: KvRow;
  weightsGiB: number;
  kvCacheTokens: number;
  kvCacheGiB: number;
  weightsErrorPct: number;
  /** Error of the KV tokens, or of the KV GiB where the row has no token count. */
  kvTokensErrorPct: number;
  kvMetric: "tokens" | "GiB";
}

/** The V1 rows of the KV file, matched to the catalog (V0 rows are kept in the file for contrast only). */
export function matchKvRows(rows: KvRow[], catalog: Catalog): Matched<KvRow>[] {
  return rows.filter((r) => r.engine === "v1").map((r) => matchRow(r, catalog));
}

/** Predicts one matched KV row's weights and KV tokens under `reserve`. */
export function predictKv(m: Extract<Matched<KvRow>, { ok: true }>, reserve: ReserveConstants): KvPrediction {
  const { row, model, variant, gpu } = m;
  const fit = fitMemory({
    model,
    variant,
    gpu,
    parallel: { tensorParallel: row.tp, pipelineParallel: row.pp },
    settings: rowSettings(row, gpu),
    reserve,
    blockSize: 16,
  });
  return {
    row,
    weightsGiB: fit.weightsGiBPerGpu,
    kvCacheTokens: fit.kvCacheTokens,
    kvCacheGiB: fit.kvCacheGiBPerGpu,
    weightsErrorPct: (fit.weightsGiBPerGpu / row.model_weights_gib - 1) * 100,
    kvTokensErrorPct:
      row.kv_cache_tokens === undefined
        ? (fit.kvCacheGiBPerGpu / row.kv_cache_gib - 1) * 100
        : (fit.kvCacheTokens / row.kv_cache_tokens - 1) * 100,
    kvMetric: row.kv_cache_tokens === undefined ? "GiB" : "tokens",
  };
}

/**
 * What the reserve of a row's last PP stage must have been for the model to
 * log its KV tokens: usable memory less the model's weights and the logged
 * tokens' bytes. The reserve fit targets this, so it absorbs small weight
 * errors instead of passing them on to the KV cache.
 */
export function impliedReserveBytes(m: Extract<Matched<KvRow>, { ok: true }>): { bytes: number; kvBytes: number } {
  const { row, model, variant, gpu } = m;
  const parallel = { tensorParallel: row.tp, pipelineParallel: row.pp };
  const stages = layersPerStage(model.architecture.numLayers, row.pp);
  const last = stages.length - 1;
  const weights = weightBytesPerStage(model, variant, parallel)[last]!;
  const perToken = kvBytesPerTokenOnStage(
    model,
    kvElementBytes(row.kv_dtype === "fp8" ? "fp8" : "auto"),
    row.tp,
    stages[last]!,
  );
  const kvBytes = row.kv_cache_tokens === undefined ? row.kv_cache_gib * BYTES_PER_GIB : row.kv_cache_tokens * perToken;
  const usable = row.gpu_memory_utilization * gpu.cudaTotalGiB * BYTES_PER_GIB;
  return { bytes: usable - weights - kvBytes, kvBytes };
}

/** V1 became vLLM's default engine in 0.8.0 (March 2025); a row without a version counts by its publication date. */
function measuredOnVllmV0(row: ThroughputRow): boolean {
  const version = /^(\d+)\.(\d+)/.exec(row.engine_version);
  if (version) return Number(version[1]) === 0 && Number(version[2]) < 8;
  return /^\d{4}/.test(row.published) && row.published < "2025-03";
}

/**
 * The vLLM release a row ran, for its memory profile: the row's
 * `engine_version`, else, for a row published before 2026 (all of them
 * before 0.17.0, the first release with the small sampler peak), "0.16.0"
 * as the latest release it can have been; else the newest behaviour.
 */
export function rowVllmVersion(row: ThroughputRow): string | undefined {
  const v = /(\d+\.\d+(?:\.\d+)?)/.exec(row.engine_version);
  if (v) return v[1];
  return /^\d{4}/.test(row.published) && row.published < "2026" ? "0.16.0" : undefined;
}

/** A reserve of nothing: SGLang's `mem_fraction_static` already leaves its headroom outside. */
const NO_RESERVE: ReserveConstants = {
  baseGiB: 0,
  tensorParallelGiB: 0,
  activationBytesPerTokenHidden: 0,
  logitsBytesPerSeqVocab: 0,
  legacySamplerBytesPerSeqVocab: 0,
  legacySamplerBeforeVllm: "0.0.0",
};

/** The settings a throughput row ran with, as far as the row says: vLLM's defaults otherwise. */
export interface ThroughputCase {
  row: ThroughputRow;
  shape: ReplicaShape;
  request: RequestShape;
  /** Concurrency the KV cache and max-num-seqs allow at this request shape. */
  maxConcurrency: number;
  /** What bounds vLLM's scheduler on this replica (for the step-level simulation). */
  limits: SchedulerLimits;
}

/** Why a throughput row cannot be predicted, or its case. */
export type ThroughputMatch = { ok: true; case: ThroughputCase } | { ok: false; row: ThroughputRow; reason: string };

type MatchedRow = Extract<Matched<ThroughputRow>, { ok: true }>;

/** Why a matched row cannot be predicted (no lengths, vLLM's legacy engine, TP across nodes), or undefined. */
function unpredictableReason(row: ThroughputRow, m: MatchedRow, catalog: Catalog): string | undefined {
  if (row.input_tokens === undefined || row.output_tokens === undefined)
    return "the source gives no input or output length";
  if (row.engine === "vllm" && measuredOnVllmV0(row))
    return "measured on vLLM's legacy V0 engine (before 0.8.0, when V1 became the default); the project deploys V1";
  const tp = row.tp ?? row.gpu_count;
  const gpusPerNode = Math.max(
    0,
    ...[...catalog.machineTypes.values()].filter((t) => t.gpu === row.gpu).map((t) => t.gpuCount),
  );
  if (tp > gpusPerNode)
    return `TP ${tp} spans nodes of ${gpusPerNode} GPUs: the model has no inter-node network term (the project runs TP inside a node)`;
  return eagerRun(row);
}

/**
 * Rows that cannot be what the model prices, a vLLM serving cold prompts
 * under CUDA graphs: a run with `--enforce-eager` (the project deploys
 * vLLM's default CUDA-graph mode; eager launches every kernel from the CPU).
 */
function eagerRun(row: ThroughputRow): string | undefined {
  if (/--enforce-eager/.test(row.notes))
    return "ran with --enforce-eager (no CUDA graphs); the project deploys vLLM's CUDA-graph mode and the model has no eager launch term";
  return undefined;
}

/**
 * The share of each GPU's time a row's measured rate needs at the GPUs'
 * measured kernel rates with nothing else costing time, a strict lower
 * bound: every prompt and generated token through the matmuls at the
 * large-GEMM rate (2 x active parameters, spread over the GPUs), plus every
 * decode step's KV reads at the measured decode-attention rate (each
 * generated token reads its context, on average prompt + half the output,
 * at the bytes per token one GPU holds, split over the PP stages). The two
 * run as separate kernels in a step, so their times add. Above 1 the
 * prompts cannot all have been prefilled cold, or the KV cache was not the
 * stated dtype: prefix-cache hits (vLLM V1 caches prefixes by default) or a
 * TTFT without its queueing made the figure.
 */
export function measuredRatesShare(row: ThroughputRow, shape: ReplicaShape): { gemm: number; kv: number } {
  const rps = row.output_tokens_per_s / row.output_tokens!;
  const tokensPerSecond = rps * (row.input_tokens! + row.output_tokens!);
  const gemm =
    (tokensPerSecond * 2 * paramBreakdown(shape.model).active) /
    (row.gpu_count * matmulFlopsPerGpu(shape.gpu, shape.variant));
  const meanContext = row.input_tokens! + row.output_tokens! / 2;
  const kvBytesPerSecond =
    (row.output_tokens_per_s * meanContext * shape.kvBytesPerTokenPerGpu) / shape.parallel.pipelineParallel;
  const kv = kvBytesPerSecond / kvReadBytesPerSecondPerGpu(shape.gpu, shape.variant, shape.kvCacheDtype);
  return { gemm, kv };
}

/**
 * Why a vLLM row's rate is beyond its GPUs' measured kernels (see
 * {@link measuredRatesShare}), or undefined. Only vLLM rows: the rates are
 * aiconfigurator's measurements of vLLM's own GEMM and attention kernels;
 * TensorRT-LLM and SGLang run other kernels (and NVIDIA's TensorRT-LLM
 * tables an FP8 KV cache their rows do not always state).
 */
function beyondMeasuredRates(row: ThroughputRow, shape: ReplicaShape): string | undefined {
  if (row.engine !== FITTED_ENGINE) return undefined;
  const { gemm, kv } = measuredRatesShare(row, shape);
  if (gemm + kv <= 1) return undefined;
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  return `its tokens need ${pct(gemm + kv)} of each GPU's time at the measured kernel rates with nothing else costing time (matmuls of every token at the large-GEMM rate ${pct(gemm)}, decode KV reads at the measured attention rate ${pct(kv)}; calibration/data/hardware-efficiency.csv): not a cold run (prefix-cache hits, a TTFT without queueing, or a KV cache other than the stated dtype)`;
}

/** The serving settings a row ran with as far as it says: its engine's defaults otherwise. */
function rowServing(
  row: ThroughputRow,
  m: MatchedRow,
  parallel: { tensorParallel: number; pipelineParallel: number },
  request: RequestShape,
) {
  const sglang = row.engine === "sglang";
  return {
    gpuMemoryUtilization: sglang
      ? sglangMemFractionStatic(row, m.gpu, parallel.tensorParallel, parallel.pipelineParallel)
      : 0.9,
    // The run served its requests, so one request fit: the check below is on one mean request.
    maxModelLen: Math.min(m.model.architecture.maxContextTokens, Math.ceil(request.inputTokens + request.outputTokens)),
    maxNumSeqs: m.gpu.vllmDefaultMaxNumSeqs,
    // SGLang's chunked prefill is 8192 tokens on 40-160 GiB GPUs (calibration/sglang-memory.ts).
    maxNumBatchedTokens: sglang ? SGLANG_CHUNKED_PREFILL_TOKENS : m.gpu.vllmDefaultMaxNumBatchedTokens,
    kvCacheDtype: row.kv_dtype === "fp8" ? ("fp8" as const) : ("auto" as const),
    blockSize: 16,
  };
}

/** Matches a throughput row to the catalog and sizes its replica's memory under `calibration`. */
export function throughputCase(row: ThroughputRow, catalog: Catalog, calibration: Calibration): ThroughputMatch {
  const m = matchRow(row, catalog);
  if (!m.ok) return { ok: false, row, reason: m.reason };
  const reason = unpredictableReason(row, m, catalog);
  if (reason) return { ok: false, row, reason };
  const tp = row.tp ?? row.gpu_count;
  const parallel = { tensorParallel: tp, pipelineParallel: Math.max(1, Math.round(row.gpu_count / tp)) };
  const request = { inputTokens: row.input_tokens!, outputTokens: row.output_tokens! };
  const serving = rowServing(row, m, parallel, request);
  const sglang = row.engine === "sglang";
  // SGLang's fraction covers weights and KV pool alone: no reserve on top.
  const reserve = sglang ? NO_RESERVE : calibration.reserve;
  const settings = { ...serving, vllmVersion: sglang ? undefined : rowVllmVersion(row) };
  const { model, variant, gpu } = m;
  const memory = fitMemory({ model, variant, gpu, parallel, settings, reserve, blockSize: 16 });
  if (!memory.fits) return { ok: false, row, reason: `the model says it does not fit: ${memory.reason ?? ""}` };
  const shape = replicaShape({ model, variant, gpu, parallel, serving, calibration }, memory);
  const beyond = beyondMeasuredRates(row, shape);
  if (beyond) return { ok: false, row, reason: beyond };
  const kvLimit = Math.floor(memory.kvCacheTokens / Math.max(1, request.inputTokens + request.outputTokens));
  const limits = schedulerLimits({ model, serving }, memory);
  const maxConcurrency = Math.max(1, Math.min(serving.maxNumSeqs, kvLimit));
  const queued = queuedReason(row, shape, request, maxConcurrency);
  if (queued) return { ok: false, row, reason: queued };
  return { ok: true, case: { row, shape, request, maxConcurrency, limits } };
}

/** Every throughput row (throughput-points.csv, then aiconfigurator's) that can be predicted under `calibration`, as its case, in file order. */
export function throughputCases(catalog: Catalog, calibration: Calibration = catalog.calibration): ThroughputCase[] {
  return readThroughputRows()
    .map((r) => throughputCase(r, catalog, calibration))
    .flatMap((m) => (m.ok ? [m.case] : []));
}

/**
 * Why a closed-loop row measured a queue rather than the replica, or
 * undefined: more clients than the KV cache holds at full length AND a
 * measured TTFT longer than prefilling every client's prompt one after the
 * other, so prompts waited for KV blocks to free (aiconfigurator's SGLang
 * Qwen3-32B rows on one H100: 16 clients, 6.8-89 s TTFT). Either alone is
 * not enough: vLLM allocates blocks as tokens arrive, so more requests than
 * the full-length count run at once with a short TTFT.
 */
function queuedReason(row: ThroughputRow, shape: ReplicaShape, request: RequestShape, maxConcurrency: number) {
  const c = row.concurrency ?? 1;
  if (row.load !== "concurrency" || row.ttft_ms === undefined || c <= maxConcurrency) return undefined;
  const allPrefillsMs = c * prefillSeconds(shape, request.inputTokens) * 1000;
  if (row.ttft_ms <= allPrefillsMs) return undefined;
  return (
    `queued: ${c} clients, the KV cache holds ${maxConcurrency} at full length, and TTFT ${Math.round(row.ttft_ms)} ms ` +
    `exceeds ${c} prompts prefilled back to back (${Math.round(allPrefillsMs)} ms)`
  );
}

/** The model's figures for one throughput row. */
export interface ThroughputPrediction {
  outputTokensPerSecond: number;
  perRequestOutputTokensPerSecond: number;
  ttftMs: number;
  concurrency: number;
}

/**
 * Predicts a row under its load, read as the CSV documents it:
 * `concurrency` and `static-batch` hold that many requests in flight (capped
 * by the KV cache); `offline` sends every prompt at once, so the replica
 * runs at the smaller of the prompt count and its own limit; `rate` sends
 * `num_prompts` at `request_rate` a second, so requests overlap by Little's
 * law (rate x time in system) and the run lasts the ramp plus the last
 * request, or the backlog at full speed when the replica cannot keep up.
 */
export function predictThroughput(c: ThroughputCase, constants: Calibration["throughput"]): ThroughputPrediction {
  const shape = c.shape.constants === constants ? c.shape : { ...c.shape, constants };
  const { row, request } = c;
  const at = (n: number) => throughputAt(shape, request, Math.max(1, Math.round(n)));
  const prompts = row.num_prompts ?? Number.POSITIVE_INFINITY;
  const cap = Math.min(prompts, c.maxConcurrency);
  if (row.load === "concurrency" || row.load === "static-batch") {
    const p = at(Math.min(row.concurrency ?? 1, c.maxConcurrency));
    return { ...p, outputTokensPerSecond: p.outputTokensPerSecond };
  }
  if (row.load === "offline" || row.request_rate === undefined || !Number.isFinite(row.request_rate)) {
    const full = at(cap);
    if (!variableLengths(row)) return full;
    return {
      ...full,
      outputTokensPerSecond: burstOutputTokensPerSecond(burstPrompts(row), cap, request.outputTokens, at),
    };
  }
  const rate = row.request_rate;
  let n = cap;
  let p = at(n);
  for (let i = 0; i < 8; i++) {
    const inSystemSeconds = p.ttftMs / 1000 + request.outputTokens / p.perRequestOutputTokensPerSecond;
    const next = Math.min(cap, Math.max(1, rate * inSystemSeconds));
    if (Math.abs(next - n) < 0.5) break;
    n = next;
    p = at(n);
  }
  const inSystemSeconds = p.ttftMs / 1000 + request.outputTokens / p.perRequestOutputTokensPerSecond;
  const total = Number.isFinite(prompts) ? prompts : n;
  const seconds = Math.max(
    (total * request.outputTokens) / p.outputTokensPerSecond,
    (total - 1) / rate + inSystemSeconds,
  );
  return { ...p, outputTokensPerSecond: (total * request.outputTokens) / seconds };
}

/**
 * Whether a row's requests have dataset-drawn lengths rather than fixed ones:
 * the ShareGPT conversations `vllm bench serve` and SGLang's bench sample
 * (named in the row's id or notes). The random datasets are fixed-length.
 */
export function variableLengths(row: ThroughputRow): boolean {
  return /sharegpt/i.test(row.id) || /sharegpt/i.test(row.notes);
}

/**
 * Requests in an everything-at-once run: the row's `num_prompts`, else the
 * count its notes give ("1000 prompts"), else 1000, the default
 * `--num-prompts` of both `vllm bench serve` and SGLang's `bench_serving`.
 */
export function burstPrompts(row: ThroughputRow): number {
  if (row.num_prompts !== undefined) return row.num_prompts;
  const stated = /(\d+) prompts/i.exec(row.notes);
  return stated ? Number(stated[1]) : 1000;
}

/**
 * Output tokens a second of a burst of `prompts` requests whose output
 * lengths vary (ShareGPT answers: close to exponential, a long tail of long
 * answers), on a replica that runs at most `cap` at once. While prompts wait,
 * the batch stays full; once the queue is empty it drains: with memoryless
 * lengths the batch steps down from m = min(prompts, cap) to 1, each size k
 * lasting until the next of its k requests ends, which emits one mean
 * output's worth of tokens at the batch-k rate. So the drain takes
 * mean output x sum over k of 1 / throughput(k), the tail of few long
 * answers at small-batch speed that a burst of fixed-length requests never
 * has. Summed exactly up to 32 and over geometric buckets above.
 */
export function burstOutputTokensPerSecond(
  prompts: number,
  cap: number,
  meanOutputTokens: number,
  at: (concurrency: number) => { outputTokensPerSecond: number },
): number {
  const m = Math.max(1, Math.min(prompts, cap));
  const steadyTokens = Math.max(0, prompts - m) * meanOutputTokens;
  let drainSeconds = 0;
  for (let k = 1; k <= m;) {
    const width = Math.min(m - k + 1, Math.max(1, Math.floor(k / 8)));
    drainSeconds += (width * meanOutputTokens) / at(k + (width - 1) / 2).outputTokensPerSecond;
    k += width;
  }
  const steadySeconds = steadyTokens / at(m).outputTokensPerSecond;
  return (prompts * meanOutputTokens) / (steadySeconds + drainSeconds);
}

/** The engine whose rows the overheads are fitted on and whose errors the goal is about: the project deploys vLLM. */
export const FITTED_ENGINE = "vllm";

/**
 * The group of the vLLM rows kept as validation and never fitted
 * (calibration/data/validation-rows.csv, each rule with its reason):
 * third-party burst tables of heterogeneous runs and figures whose
 * configuration the publisher did not state. Issue 13 asks that the fit use
 * clean, configuration-known data and that such tables validate the model.
 */
export const VLLM_VALIDATION = "vllm-validation";

/** The group a throughput row's error is reported in: its engine, or {@link VLLM_VALIDATION}. */
export function errorGroup(row: ThroughputRow): string {
  return row.engine === FITTED_ENGINE && validationReason(row) !== undefined ? VLLM_VALIDATION : row.engine;
}

/** Whether the overheads are fitted on this row: a vLLM row that no validation rule names. */
export function isFittedRow(c: ThroughputCase): boolean {
  return errorGroup(c.row) === FITTED_ENGINE;
}

/**
 * Engines that measure another serving stack: each gets one factor (the
 * median ratio of measured to predicted output tok/s), reported and never
 * used to price a vLLM deployment. SGLang is one of them: its scheduler,
 * kernels and CUDA-graph policy are its own, and letting its rows move the
 * overheads let them price vLLM.
 */
export const FACTOR_ENGINES = ["sglang", "tensorrt-llm", "nim"] as const;
