import * as fs from "node:fs";
import { loadCatalog, type Catalog } from "../catalog/load";
import { fromRoot } from "../catalog/paths";
import { CalibrationSchema, type Calibration, type CalibrationConstants, type ReserveConstants } from "../engine/calibration";
import { reserveBytesPerGpu } from "../engine/memory";
import { nelderMead } from "./nelder-mead";
import { errorStats, readKvRows, readThroughputRows, type KvRow, type Matched } from "./points";
import { engineGroup, impliedReserveBytes, matchKvRows, predictKv, predictThroughput, throughputCase, type ThroughputCase } from "./rows";

/**
 * `npm run calibrate`: fits the memory reserve and the throughput constants
 * on the measurement copies in calibration/data/ and writes
 * calibration/constants.json. Deterministic: the same data give the same
 * file (apart from `fittedOn`), which a test checks.
 */

/**
 * First vLLM release whose profile run no longer holds the big pre-0.18
 * activation peak: rows kv-25 (0.18.0) and kv-26 (0.15.0) show the change;
 * 0.16 and 0.17 were not measured and count as old.
 */
const LEGACY_PROFILE_BEFORE_VLLM = "0.18.0";

/** Where the search for the throughput constants starts: DOMAIN.md's published efficiencies and round overheads. */
const THROUGHPUT_START: CalibrationConstants = {
  bandwidthEfficiency: 0.8,
  computeEfficiency: 0.6,
  prefillComputeEfficiency: 0.6,
  stepOverheadUs: 1500,
  layerOverheadUs: 20,
  allReduceLatencyUs: 12,
  moeLayerOverheadUs: 40,
  moeTokenOverheadNs: 100,
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

/**
 * The reserve is linear in its constants, so each constant's feature is the
 * reserve with that constant at 1 and the others at 0; weighted least squares
 * (weight 1 / logged KV bytes, so the fit minimizes the relative error of the
 * KV tokens, which small caches feel most) solves for all of them at once.
 */
export function fitReserve(rows: OkKv[]): ReserveConstants {
  const keys = ["baseGiB", "tensorParallelGiB", "activationBytesPerTokenHidden", "logitsBytesPerSeqVocab", "legacyProfileBytesPerTokenIntermediate"] as const;
  const zero: ReserveConstants = {
    baseGiB: 0,
    tensorParallelGiB: 0,
    activationBytesPerTokenHidden: 0,
    logitsBytesPerSeqVocab: 0,
    legacyProfileBytesPerTokenIntermediate: 0,
    legacyProfileBeforeVllm: LEGACY_PROFILE_BEFORE_VLLM,
  };
  const n = keys.length;
  const ata = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const atb = new Array<number>(n).fill(0);
  for (const m of rows) {
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
    const features = keys.map((k) => reserveBytesPerGpu(model, settings, parallel, { ...zero, [k]: 1 }));
    const target = impliedReserveBytes(m);
    const w = 1 / target.kvBytes ** 2;
    for (let i = 0; i < n; i++) {
      atb[i]! += w * features[i]! * target.bytes;
      for (let j = 0; j < n; j++) ata[i]![j]! += w * features[i]! * features[j]!;
    }
  }
  // Non-negative least squares by elimination: a negative memory term is not physical, so the most
  // negative coefficient is pinned at 0 and the rest refitted until none is negative.
  const free = keys.map(() => true);
  let x = new Array<number>(n).fill(0);
  for (;;) {
    const idx = keys.map((_, i) => i).filter((i) => free[i]);
    const sub = solveLinear(
      idx.map((i) => idx.map((j) => ata[i]![j]!)),
      idx.map((i) => atb[i]!),
    );
    x = new Array<number>(n).fill(0);
    idx.forEach((i, k) => {
      x[i] = sub[k]!;
    });
    const worst = idx.reduce((w, i) => (x[i]! < (w < 0 ? 0 : x[w]!) ? i : w), -1);
    if (worst < 0 || x[worst]! >= 0) break;
    free[worst] = false;
  }
  const out: ReserveConstants = { ...zero };
  keys.forEach((k, i) => {
    out[k] = round(x[i]!, 4);
  });
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Mean absolute log error of the vLLM and SGLang rows: output tok/s, and per-request speed where a fixed concurrency gives it. */
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

/** Efficiencies are shares of a peak: a search step past 1 is penalized, not clipped, so the search stays smooth. */
function fromLogSpace(x: number[]): CalibrationConstants {
  const out = { ...THROUGHPUT_START };
  THROUGHPUT_KEYS.forEach((k, i) => {
    out[k] = Math.exp(x[i]!);
  });
  return out;
}

/** Fits the throughput constants on the vLLM and SGLang rows (Nelder–Mead in log space). */
export function fitThroughput(cases: ThroughputCase[]): CalibrationConstants {
  const start = THROUGHPUT_KEYS.map((k) => Math.log(THROUGHPUT_START[k]));
  const loss = (x: number[]) => {
    const c = fromLogSpace(x);
    const over = Math.max(0, c.bandwidthEfficiency - 1) + Math.max(0, c.computeEfficiency - 1) + Math.max(0, c.prefillComputeEfficiency - 1);
    return throughputLoss(cases, c) + 10 * over;
  };
  const best = nelderMead(loss, start, { step: 0.5, iterations: 1500, restarts: 3 });
  const c = fromLogSpace(best);
  return {
    bandwidthEfficiency: round(Math.min(1, c.bandwidthEfficiency), 4),
    computeEfficiency: round(Math.min(1, c.computeEfficiency), 4),
    prefillComputeEfficiency: round(Math.min(1, c.prefillComputeEfficiency), 4),
    stepOverheadUs: round(c.stepOverheadUs, 1),
    layerOverheadUs: round(c.layerOverheadUs, 2),
    allReduceLatencyUs: round(c.allReduceLatencyUs, 2),
    moeLayerOverheadUs: round(c.moeLayerOverheadUs, 2),
    moeTokenOverheadNs: round(c.moeTokenOverheadNs, 2),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Runs the whole calibration against the catalog and the measurement copies; pure apart from reading them. */
export function calibrate(catalog: Catalog, fittedOn: string): Calibration {
  const kvMatched = matchKvRows(readKvRows(), catalog).filter((m): m is OkKv => m.ok);
  const reserve = fitReserve(kvMatched);
  const kvPredictions = kvMatched.map((m) => predictKv(m, reserve));

  const provisional: Calibration = { ...catalog.calibration, reserve, throughput: THROUGHPUT_START };
  const cases = readThroughputRows()
    .map((r) => throughputCase(r, catalog, provisional))
    .flatMap((m) => (m.ok ? [m.case] : []));
  const fitCases = cases.filter((c) => engineGroup(c.row.engine) === "vllm+sglang");
  const throughput = fitThroughput(fitCases);

  const engineFactors: Record<string, number> = {};
  const fitError: Calibration["fitError"] = {};
  const errorsByGroup = new Map<string, number[]>();
  for (const group of ["tensorrt-llm", "nim"] as const) {
    const ratios = cases.filter((c) => engineGroup(c.row.engine) === group).map((c) => c.row.output_tokens_per_s / predictThroughput(c, throughput).outputTokensPerSecond);
    if (ratios.length) engineFactors[group] = round(Math.exp(median(ratios.map(Math.log))), 3);
  }
  for (const c of cases) {
    const group = engineGroup(c.row.engine);
    const factor = engineFactors[group] ?? 1;
    const predicted = predictThroughput(c, throughput).outputTokensPerSecond * factor;
    const list = errorsByGroup.get(group) ?? [];
    list.push((predicted / c.row.output_tokens_per_s - 1) * 100);
    errorsByGroup.set(group, list);
  }
  const stat = (xs: number[]) => {
    const s = errorStats(xs);
    return { rows: s.rows, medianAbsPct: round(s.medianAbsPct, 1), p90AbsPct: round(s.p90AbsPct, 1) };
  };
  for (const [group, list] of [...errorsByGroup].sort(([a], [b]) => a.localeCompare(b))) fitError[`throughput:${group}`] = stat(list);
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
    errorBandPct: Math.ceil(fitError["throughput:vllm+sglang"]?.p90AbsPct ?? 100),
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
  process.stdout.write(`wrote ${file}\n${JSON.stringify({ throughput: calibration.throughput, reserve: calibration.reserve, engineFactors: calibration.engineFactors, fitError: calibration.fitError }, null, 2)}\n`);
}
