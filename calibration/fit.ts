import * as fs from "node:fs";
import { loadCatalog, type Catalog } from "../catalog/load";
import { fromRoot } from "../catalog/paths";
import {
  CalibrationSchema,
  type Calibration,
  type CalibrationConstants,
  type ReserveConstants,
} from "../engine/calibration";
import { reserveBytesPerGpu, vllmBefore } from "../engine/memory";
import { nelderMead } from "./nelder-mead";
import { errorStats, median, readKvRows, type KvRow, type Matched } from "./points";
import {
  FACTOR_ENGINES,
  FITTED_ENGINE,
  errorGroup,
  isFittedRow,
  impliedReserveBytes,
  matchKvRows,
  predictKv,
  predictThroughput,
  throughputCases,
  type ThroughputCase,
} from "./rows";

/**
 * `npm run calibrate`: fits the memory reserve and the throughput constants
 * on the measurement copies in calibration/data/ and writes
 * calibration/constants.json. Deterministic: the same data give the same
 * file (apart from `fittedOn`), which a test checks.
 */

/**
 * First vLLM release with the small sampler warm-up peak: llm-d-planner's
 * version sweep (commit d3121e05, accuracy/results/version-sweep) logs a
 * 5.64 GiB torch peak for Qwen3-14B on 0.15.0 and 0.16.0 and 2.23 GiB on
 * 0.17.0 and 0.18.0 (rows kv-26, kv-44, kv-45, kv-25).
 */
const LEGACY_SAMPLER_BEFORE_VLLM = "0.17.0";

/**
 * Where the search for the overheads starts: round figures. The hardware
 * rates are not searched: each GPU's are measured
 * (calibration/data/hardware-efficiency.csv).
 */
const THROUGHPUT_START: CalibrationConstants = {
  stepOverheadUs: 1500,
  layerOverheadUs: 20,
  moeLayerOverheadUs: 40,
  moeTokenOverheadNs: 100,
  sequenceOverheadUs: 10,
  wna16MoeLayerOverheadUs: 40,
};
const THROUGHPUT_KEYS = Object.keys(THROUGHPUT_START) as (keyof CalibrationConstants)[];

type OkKv = Extract<Matched<KvRow>, { ok: true }>;

/** Solves the small dense system `A x = b` by Gaussian elimination with partial pivoting. */
export function solveLinear(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const p = m[col]![col]!;
    if (Math.abs(p) < 1e-300) throw new Error(`the reserve fit is underdetermined (column ${col})`);
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / p;
      for (let k = col; k <= n; k++) m[r]![k]! -= f * m[col]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** The reserve constants the least squares fits. */
const RESERVE_KEYS = [
  "baseGiB",
  "tensorParallelGiB",
  "activationBytesPerTokenHidden",
  "logitsBytesPerSeqVocab",
  "legacySamplerBytesPerSeqVocab",
] as const;
const ZERO_RESERVE: ReserveConstants = {
  baseGiB: 0,
  tensorParallelGiB: 0,
  activationBytesPerTokenHidden: 0,
  logitsBytesPerSeqVocab: 0,
  legacySamplerBytesPerSeqVocab: 0,
  legacySamplerBeforeVllm: LEGACY_SAMPLER_BEFORE_VLLM,
};

/**
 * The pre-0.17 sampler peak, bytes per sequence per vocabulary entry,
 * measured directly: pairs of startup logs that differ only in the vLLM
 * release, one before the cut-off and one after (Qwen3-14B on 0.16.0 and
 * 0.17.0, kv-44 and kv-45: 3.40 GiB more KV cache), give the extra peak as
 * their KV bytes difference over max-num-seqs x vocabulary. The mean over
 * every such pair. Reported beside the fitted term (`npm run bench`), not
 * pinned: pinned, it left the v0.11 TP 2 logs 4-5 % off, because their
 * non-torch memory (0.55 GiB) is far below 0.19's at TP > 1 (2.1 GiB) and
 * the model has one TP term; placing a cut-off for that needs a logged TP > 1
 * run between 0.11 and 0.15.
 */
export function legacySamplerFromPairs(rows: OkKv[]): number {
  const setup = (m: OkKv) =>
    [
      m.model.id,
      m.variant.dtype,
      m.gpu.id,
      m.row.tp,
      m.row.pp,
      m.row.gpu_memory_utilization,
      m.row.kv_dtype,
      m.row.max_num_seqs ?? "",
    ].join("|");
  const kvBytes = (m: OkKv) => impliedReserveBytes(m).kvBytes;
  const perPair: number[] = [];
  for (const old of rows.filter(
    (m) => m.row.vllm_version && vllmBefore(m.row.vllm_version, LEGACY_SAMPLER_BEFORE_VLLM),
  )) {
    for (const recent of rows.filter(
      (m) =>
        m.row.vllm_version && !vllmBefore(m.row.vllm_version, LEGACY_SAMPLER_BEFORE_VLLM) && setup(m) === setup(old),
    )) {
      const seqVocab = (old.row.max_num_seqs ?? old.gpu.vllmDefaultMaxNumSeqs) * old.model.architecture.vocabSize;
      perPair.push((kvBytes(recent) - kvBytes(old)) / seqVocab);
    }
  }
  if (perPair.length === 0)
    throw new Error(
      "no pair of startup logs straddles the sampler cut-off: the legacy sampler term cannot be measured",
    );
  return perPair.reduce((a, b) => a + b, 0) / perPair.length;
}

/** One row's reserve features (the reserve with one constant at 1, the others 0), the reserve its log implies, and its KV bytes. */
function reserveSystemRow(m: OkKv): { features: number[]; bytes: number; kvBytes: number } {
  const { row, model } = m;
  const settings = {
    gpuMemoryUtilization: row.gpu_memory_utilization,
    maxModelLen: row.max_model_len,
    maxNumSeqs: row.max_num_seqs ?? m.gpu.vllmDefaultMaxNumSeqs,
    maxNumBatchedTokens: m.gpu.vllmDefaultMaxNumBatchedTokens,
    kvCacheDtype: row.kv_dtype === "fp8" ? ("fp8" as const) : ("auto" as const),
    vllmVersion: row.vllm_version || undefined,
  };
  const parallel = { tensorParallel: row.tp, pipelineParallel: row.pp };
  const features = RESERVE_KEYS.map((k) => reserveBytesPerGpu(model, settings, parallel, { ...ZERO_RESERVE, [k]: 1 }));
  return { features, ...impliedReserveBytes(m) };
}

/**
 * Weighted non-negative least squares by elimination: a negative memory term
 * is not physical, so the most negative coefficient is pinned at 0 and the
 * rest refitted until none is negative.
 */
function solveNonNegative(system: { features: number[]; bytes: number }[], weights: number[]): number[] {
  const n = RESERVE_KEYS.length;
  const ata = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const atb = new Array<number>(n).fill(0);
  system.forEach((r, k) => {
    for (let i = 0; i < n; i++) {
      atb[i]! += weights[k]! * r.features[i]! * r.bytes;
      for (let j = 0; j < n; j++) ata[i]![j]! += weights[k]! * r.features[i]! * r.features[j]!;
    }
  });
  const free = RESERVE_KEYS.map(() => true);
  for (;;) {
    const idx = RESERVE_KEYS.map((_, i) => i).filter((i) => free[i]);
    const sub = solveLinear(
      idx.map((i) => idx.map((j) => ata[i]![j]!)),
      idx.map((i) => atb[i]!),
    );
    const x = new Array<number>(n).fill(0);
    idx.forEach((i, k) => {
      x[i] = sub[k]!;
    });
    const worst = idx.reduce((w, i) => (x[i]! < (w < 0 ? 0 : x[w]!) ? i : w), -1);
    if (worst < 0 || x[worst]! >= 0) return x;
    free[worst] = false;
  }
}

/** Norm whose minimum the reserve fit approaches: the goal is a bound on every log's error, so the fourth power (higher powers did not converge here). */
const RESERVE_ERROR_POWER = 4;

/**
 * The reserve is linear in its constants, so least squares solves for all of
 * them at once on each row's features. The error is relative (the reserve
 * error over the logged KV bytes, so small caches count as much as big ones),
 * and the goal is that every log is within a bound, so the fit minimizes the
 * L4 norm of those errors by iteratively reweighted least squares (weights
 * |error|^2 / KV bytes^2, thirty rounds from the plain least squares),
 * which trades a slightly higher median for a lower worst row.
 */
export function fitReserve(rows: OkKv[]): ReserveConstants {
  const system = rows.map(reserveSystemRow);
  const base = system.map((r) => 1 / r.kvBytes ** 2);
  let x = solveNonNegative(system, base);
  for (let round = 0; round < 30; round++) {
    const weights = system.map((r, k) => {
      const predicted = r.features.reduce((sum, f, i) => sum + f * x[i]!, 0);
      const relative = Math.max(1e-4, Math.abs(predicted - r.bytes) / r.kvBytes);
      return base[k]! * relative ** (RESERVE_ERROR_POWER - 2);
    });
    x = solveNonNegative(system, weights);
  }
  const out: ReserveConstants = { ...ZERO_RESERVE };
  RESERVE_KEYS.forEach((k, i) => {
    out[k] = round(x[i]!, 4);
  });
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Mean squared log error of the vLLM rows: output tok/s, and per-request speed where a fixed concurrency gives it. */
function throughputLoss(cases: ThroughputCase[], constants: CalibrationConstants): number {
  let sum = 0;
  let count = 0;
  for (const c of cases) {
    const p = predictThroughput(c, constants);
    sum += Math.log(p.outputTokensPerSecond / c.row.output_tokens_per_s) ** 2;
    count++;
    if (c.row.load === "concurrency" && c.row.per_request_output_tokens_per_s !== undefined) {
      sum += Math.log(p.perRequestOutputTokensPerSecond / c.row.per_request_output_tokens_per_s) ** 2;
      count++;
    }
  }
  return sum / Math.max(1, count);
}

/** The overheads from the search's log-space point (all are positive). */
function fromLogSpace(x: number[]): CalibrationConstants {
  const out = { ...THROUGHPUT_START };
  THROUGHPUT_KEYS.forEach((k, i) => {
    out[k] = Math.exp(x[i]!);
  });
  return out;
}

/** Fits the overheads on the vLLM rows (Nelder–Mead in log space), the measured hardware rates held fixed. */
export function fitThroughput(cases: ThroughputCase[]): CalibrationConstants {
  const start = THROUGHPUT_KEYS.map((k) => Math.log(THROUGHPUT_START[k]));
  const loss = (x: number[]) => throughputLoss(cases, fromLogSpace(x));
  const best = nelderMead(loss, start, { step: 0.5, iterations: 1500, restarts: 3 });
  const c = fromLogSpace(best);
  return {
    stepOverheadUs: round(c.stepOverheadUs, 1),
    layerOverheadUs: round(c.layerOverheadUs, 2),
    moeLayerOverheadUs: round(c.moeLayerOverheadUs, 2),
    moeTokenOverheadNs: round(c.moeTokenOverheadNs, 2),
    sequenceOverheadUs: round(c.sequenceOverheadUs, 2),
    wna16MoeLayerOverheadUs: round(c.wna16MoeLayerOverheadUs, 2),
  };
}

/** Runs the whole calibration against the catalog and the measurement copies; pure apart from reading them. */
export function calibrate(catalog: Catalog, fittedOn: string): Calibration {
  const kvMatched = matchKvRows(readKvRows(), catalog).filter((m): m is OkKv => m.ok);
  const reserve = fitReserve(kvMatched);
  const kvPredictions = kvMatched.map((m) => predictKv(m, reserve));

  const provisional: Calibration = { ...catalog.calibration, reserve, throughput: THROUGHPUT_START };
  const cases = throughputCases(catalog, provisional);
  const fitCases = cases.filter(isFittedRow);
  const throughput = fitThroughput(fitCases);

  const engineFactors: Record<string, number> = {};
  const fitError: Calibration["fitError"] = {};
  const errorsByGroup = new Map<string, number[]>();
  for (const group of FACTOR_ENGINES) {
    const ratios = cases
      .filter((c) => c.row.engine === group)
      .map((c) => c.row.output_tokens_per_s / predictThroughput(c, throughput).outputTokensPerSecond);
    if (ratios.length) engineFactors[group] = round(Math.exp(median(ratios.map(Math.log))), 3);
  }
  for (const c of cases) {
    const group = errorGroup(c.row);
    const factor = engineFactors[c.row.engine] ?? 1;
    const predicted = predictThroughput(c, throughput).outputTokensPerSecond * factor;
    const list = errorsByGroup.get(group) ?? [];
    list.push((predicted / c.row.output_tokens_per_s - 1) * 100);
    errorsByGroup.set(group, list);
  }
  const stat = (xs: number[]) => {
    const s = errorStats(xs);
    return { rows: s.rows, medianAbsPct: round(s.medianAbsPct, 1), p90AbsPct: round(s.p90AbsPct, 1) };
  };
  for (const [group, list] of [...errorsByGroup].sort(([a], [b]) => a.localeCompare(b)))
    fitError[`throughput:${group}`] = stat(list);
  fitError["memory:kv-tokens"] = stat(kvPredictions.map((p) => p.kvTokensErrorPct));
  fitError["memory:weights"] = stat(kvPredictions.map((p) => p.weightsErrorPct));

  const calibration: Calibration = {
    version: 1,
    fittedOn,
    throughput,
    reserve,
    engineFactors,
    fittedOnRows: [...kvMatched.map((m) => m.row.id), ...cases.map((c) => c.row.id)],
    fitError,
    errorBandPct: Math.ceil(fitError[`throughput:${FITTED_ENGINE}`]?.p90AbsPct ?? 100),
  };
  return CalibrationSchema.parse(calibration);
}

/** Serializes a calibration the way the committed file is written. */
export function calibrationJson(c: Calibration): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}

if (require.main === module) {
  const today = new Date().toISOString().slice(0, 10);
  const calibration = calibrate(loadCatalog(), today);
  const file = fromRoot("calibration", "constants.json");
  fs.writeFileSync(file, calibrationJson(calibration));
  process.stdout.write(
    `wrote ${file}\n${JSON.stringify({ throughput: calibration.throughput, reserve: calibration.reserve, engineFactors: calibration.engineFactors, fitError: calibration.fitError }, null, 2)}\n`,
  );
}
