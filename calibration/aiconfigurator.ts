import { parse } from "csv-parse/sync";
import { z } from "zod";
import { parseWith } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
import { readText } from "../catalog/read";
import type { ThroughputRow } from "./row-schemas";

/**
 * NVIDIA aiconfigurator's measured end-to-end sample, converted to
 * throughput rows. The data file `data/aiconfigurator-silicon.csv` is a
 * verbatim extract (scripts/extract-aiconfigurator.ts) of
 * ai-dynamo/aiconfigurator `aic-core/src/aiconfigurator_core/systems/silicon_sample.csv`
 * at commit 095f58a51c4ca8e61b66ec108d86f223f8d559ce (Apache-2.0, NVIDIA;
 * "a 2026-04 dump of the internal benchmark DB",
 * docs/design/prediction_regression_gate_design.md). Its rows give TTFT and
 * TPOT, not throughput; how they were measured is aiconfigurator's own
 * benchmark (src/aiconfigurator/generator/config/backend_templates/benchmark/bench_run.sh.j2):
 * `aiperf profile --concurrency C --num-requests 20C --warmup-request-count 2C`
 * with fixed `--isl`/`--osl`, `ignore_eos`, streaming, one closed-loop
 * client per concurrency. The sample's `batch_size` is that concurrency (its
 * `silicon_data_source` repeats it as `silicon_concurrency=C`; a row where
 * the two differ or the concurrency is missing is left out).
 */

/** Commit of ai-dynamo/aiconfigurator the extract was taken from. */
export const AIC_COMMIT = "095f58a51c4ca8e61b66ec108d86f223f8d559ce";
const AIC_SAMPLE_URL = `https://github.com/ai-dynamo/aiconfigurator/blob/${AIC_COMMIT}/aic-core/src/aiconfigurator_core/systems/silicon_sample.csv`;

/** The upstream columns the extract keeps (the disaggregated ones only matter to say why such rows are left out). */
export const AIC_COLUMNS = [
  "id",
  "silicon_data_source",
  "backend",
  "backend_version",
  "model_path",
  "system",
  "precision",
  "mode",
  "isl",
  "osl",
  "gemm_quant_mode",
  "moe_quant_mode",
  "batch_size",
  "tp_size",
  "pp_size",
  "attention_dp_size",
  "moe_tp_size",
  "moe_ep_size",
  "silicon_ttft_ms",
  "silicon_tpot_ms",
] as const;

/** aiconfigurator's system names for the catalog's GPUs (catalog/data/gpus.yaml); all are the SXM parts. */
export const AIC_SYSTEMS: Record<string, string | undefined> = {
  a100_sxm: "a100-80gb",
  h100_sxm: "h100-80gb",
  h200_sxm: "h200-141gb",
};

/** How an upstream `model_path` maps to a model config, and which checkpoint format each `precision` ran. */
interface AicModel {
  modelConfig: string;
  /** Rows of two model paths with one architecture measure the same thing (DeepSeek-R1 and -V3). */
  architecture: string;
  moe: boolean;
  /** Upstream `precision` (blank = BF16) to the catalog's weight dtype. */
  dtypes: Record<string, string>;
  why: string;
}

/** The catalog models the sample measures. MiniMax-M2.5, gpt-oss-120b, Qwen3.5 and GLM-5 have no model config and are not extracted. */
export const AIC_MODELS: Record<string, AicModel | undefined> = {
  "Qwen/Qwen3-32B": {
    modelConfig: "qwen3-32b",
    architecture: "qwen3-32b",
    moe: false,
    dtypes: { "": "bf16", fp8: "fp8" },
    why: "BF16 checkpoint; precision fp8 runs FP8 GEMMs (the Qwen3-32B-FP8 variant's bytes)",
  },
  "Qwen/Qwen3-235B-A22B-FP8": {
    modelConfig: "qwen3-235b-a22b",
    architecture: "qwen3-235b-a22b",
    moe: true,
    dtypes: { fp8: "fp8" },
    why: "Qwen's block-wise FP8 checkpoint; the catalog's fp8 variant has the same bytes per weight",
  },
  "nvidia/Llama-3.1-8B-Instruct-FP8": {
    modelConfig: "llama-3.1-8b-instruct",
    architecture: "llama-3.1-8b",
    moe: false,
    dtypes: { fp8: "fp8" },
    why: "NVIDIA ModelOpt FP8 checkpoint; the catalog's fp8 variant has the same bytes per weight",
  },
  "meta-llama/Llama-3.1-8B-Instruct": {
    modelConfig: "llama-3.1-8b-instruct",
    architecture: "llama-3.1-8b",
    moe: false,
    dtypes: { "": "bf16", fp8: "fp8" },
    why: "BF16 checkpoint; precision fp8 runs FP8 GEMMs (the fp8 variant's bytes)",
  },
  "meta-llama/Llama-3.1-70B": {
    modelConfig: "llama-3.3-70b-instruct",
    architecture: "llama-3.3-70b",
    moe: false,
    dtypes: { fp8: "fp8" },
    why:
      "Llama-3.1-70B has Llama-3.3-70B's architecture tensor for tensor (aiconfigurator's vendored " +
      "meta-llama--Meta-Llama-3.1-70B_config.json: hidden 8192, 80 layers, 64/8 heads, FFN 28672, vocabulary 128256, " +
      "rope llama3 x8, 131072 positions, the figures of llama-3.3-70b-instruct.yaml); 3.3 is a post-trained 3.1-70B, " +
      "and with ignore_eos fixed lengths the weights' values do not change the work",
  },
  "moonshotai/Kimi-K2.5": {
    modelConfig: "kimi-k2.5",
    architecture: "kimi-k2.5",
    moe: true,
    dtypes: { int4: "int4" },
    why: "Moonshot's native INT4 (compressed-tensors W4A16 experts) checkpoint",
  },
  "deepseek-ai/DeepSeek-R1": {
    modelConfig: "deepseek-r1",
    architecture: "deepseek-v3",
    moe: true,
    dtypes: { fp8: "fp8" },
    why: "DeepSeek's native block FP8 checkpoint",
  },
  "deepseek-ai/DeepSeek-V3": {
    modelConfig: "deepseek-v3",
    architecture: "deepseek-v3",
    moe: true,
    dtypes: { fp8: "fp8" },
    why: "DeepSeek's native block FP8 checkpoint (R1's architecture)",
  },
};

const count = z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().nonnegative().optional());
const ms = z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().finite().positive().optional());

/** One row of data/aiconfigurator-silicon.csv: upstream's columns, as upstream spells them. */
export const AicRowSchema = z.object({
  id: z.string().min(1),
  silicon_data_source: z.string(),
  backend: z.enum(["vllm", "sglang"]),
  backend_version: z.string(),
  model_path: z.string().min(1),
  system: z.string().min(1),
  precision: z.string(),
  mode: z.enum(["agg", "disagg"]),
  isl: z.coerce.number().int().positive(),
  osl: z.coerce.number().int().positive(),
  gemm_quant_mode: z.string(),
  moe_quant_mode: z.string(),
  batch_size: count,
  tp_size: count,
  pp_size: count,
  attention_dp_size: count,
  moe_tp_size: count,
  moe_ep_size: count,
  silicon_ttft_ms: ms,
  silicon_tpot_ms: ms,
});
/** An upstream measurement. */
export type AicRow = z.infer<typeof AicRowSchema>;

/** A row of the extract that is not used, and why (printed by `npm run bench`). */
export interface LeftOutRow {
  id: string;
  reason: string;
}

/** Reads the extract, validating every row. */
export function readAicRows(): AicRow[] {
  const file = fromRoot("calibration", "data", "aiconfigurator-silicon.csv");
  const records = parse(readText(file), { columns: true, skip_empty_lines: true }) as unknown[];
  return records.map((r, i) => parseWith(AicRowSchema, r, file, `row ${i + 2}`));
}

/** The run's client concurrency as `silicon_data_source` records it. */
function sourceConcurrency(row: AicRow): number | undefined {
  const m = /silicon_concurrency=(\d+)/.exec(row.silicon_data_source);
  return m ? Number(m[1]) : undefined;
}

/**
 * Why a row cannot be a replica this project serves, or undefined: the
 * disaggregated mode, layouts the model does not express (pipeline
 * parallel, attention data parallel, expert parallel, MoE TP unlike the
 * attention TP), a checkpoint format the map does not know, or no recorded
 * client concurrency.
 */
export function layoutReason(row: AicRow): string | undefined {
  const model = AIC_MODELS[row.model_path];
  if (!model) return `no model config for ${row.model_path}`;
  if (row.mode === "disagg") return "disaggregated prefill/decode workers: the project serves aggregated replicas";
  if (model.dtypes[row.precision] === undefined)
    return `precision "${row.precision}" maps to no checkpoint of ${model.modelConfig}`;
  if (row.silicon_ttft_ms === undefined || row.silicon_tpot_ms === undefined) return "no TTFT or TPOT recorded";
  const tp = row.tp_size ?? 1;
  if ((row.pp_size ?? 1) > 1)
    return `pipeline parallel ${row.pp_size}: the aiconfigurator rows are fitted as TP replicas only`;
  if ((row.attention_dp_size ?? 1) > 1)
    return `attention data parallel ${row.attention_dp_size}: the model has no DP-attention layout`;
  if (model.moe && (row.moe_ep_size ?? 1) > 1)
    return `expert parallel ${row.moe_ep_size}: the model shards experts by TP only`;
  if (model.moe && (row.moe_tp_size ?? tp) !== tp)
    return `MoE TP ${row.moe_tp_size} with attention TP ${tp} (data-parallel attention): the model has one TP for both`;
  const c = sourceConcurrency(row);
  if (c === undefined)
    return `no client concurrency recorded (batch_size ${row.batch_size} is the engine's batch limit, not the client's)`;
  if (c !== row.batch_size) return `batch_size ${row.batch_size} differs from the run's concurrency ${c}`;
  return undefined;
}

/** The configuration a row measured: two rows with one key measured the same thing. */
function configKey(row: AicRow): string {
  const model = AIC_MODELS[row.model_path]!;
  return [
    row.backend,
    row.backend_version,
    model.architecture,
    model.dtypes[row.precision],
    row.system,
    row.isl,
    row.osl,
    row.batch_size,
    row.tp_size,
  ].join("|");
}

/** One measurement campaign, the held-out unit: model x system x backend version (one `silicon_data_source` run). */
export function campaignOf(row: AicRow): string {
  const model = AIC_MODELS[row.model_path]!;
  return `aic:${row.backend} ${row.backend_version || "unversioned"} ${model.architecture} ${row.system}`;
}

const relDiffPct = (a: number, b: number) => (Math.abs(a - b) / b) * 100;

/** Rows with a `measured=` date first, latest first, then the rest in file order. */
function latestFirst(a: AicRow, b: AicRow): number {
  const [da, db] = [measuredDate(a), measuredDate(b)];
  if (da && db) return db.localeCompare(da);
  return da ? -1 : db ? 1 : 0;
}

/**
 * Keeps one row of each configuration, the latest dated measurement (then
 * upstream file order), and leaves out the rest, saying whether each is a
 * copy (TTFT and TPOT within 0.5 %: one run listed again, as DeepSeek-V3's
 * SGLang rows are R1's) or an earlier measurement of the same configuration,
 * with the spread, so a held-out campaign is never also in the fit.
 */
export function dedupe(rows: AicRow[]): { kept: AicRow[]; leftOut: LeftOutRow[] } {
  const groups = new Map<string, AicRow[]>();
  for (const row of rows) groups.set(configKey(row), [...(groups.get(configKey(row)) ?? []), row]);
  const keptRows = new Set<AicRow>();
  const leftOut: LeftOutRow[] = [];
  for (const group of groups.values()) {
    const [kept, ...others] = [...group].sort(latestFirst);
    keptRows.add(kept!);
    for (const row of others) {
      const dTtft = relDiffPct(row.silicon_ttft_ms!, kept!.silicon_ttft_ms!);
      const dTpot = relDiffPct(row.silicon_tpot_ms!, kept!.silicon_tpot_ms!);
      const kind = dTtft < 0.5 && dTpot < 0.5 ? "copy" : "earlier measurement";
      leftOut.push({
        id: row.id,
        reason: `${kind} of ${kept!.id} (same configuration; TTFT ${dTtft.toFixed(1)} %, TPOT ${dTpot.toFixed(1)} % apart)`,
      });
    }
  }
  return { kept: rows.filter((r) => keptRows.has(r)), leftOut };
}

/**
 * Leaves out queued and saturated points: a row whose TTFT exceeds the time
 * it then decodes ((osl - 1) x TPOT), and in each sweep (one campaign,
 * request shape and TP, by rising concurrency), once TTFT grows faster than concurrency
 * (a closed loop whose prompts queue, for KV blocks or behind each other's
 * prefill, so the point measures the queue rather than the replica), that
 * point and every higher one; and a point whose TPOT falls more than 3 % as
 * concurrency rises (a batch cannot decode faster per token when it grows).
 */
export function saturated(rows: AicRow[]): { kept: AicRow[]; leftOut: LeftOutRow[] } {
  const sweeps = new Map<string, AicRow[]>();
  for (const r of rows) {
    const key = [campaignOf(r), r.precision, r.isl, r.osl, r.tp_size].join("|");
    sweeps.set(key, [...(sweeps.get(key) ?? []), r]);
  }
  const out = new Set<AicRow>();
  const leftOut: LeftOutRow[] = [];
  for (const r of rows) {
    const decodeMs = (r.osl - 1) * r.silicon_tpot_ms!;
    if (r.silicon_ttft_ms! <= decodeMs) continue;
    out.add(r);
    leftOut.push({
      id: r.id,
      reason: `queued: TTFT ${Math.round(r.silicon_ttft_ms!)} ms exceeds the ${Math.round(decodeMs)} ms the request then decodes (a prompt waited longer than a whole request lasts, for KV blocks)`,
    });
  }
  for (const sweep of sweeps.values()) {
    const byC = sweep.filter((r) => !out.has(r)).sort((a, b) => a.batch_size! - b.batch_size!);
    let saturatedAt: AicRow | undefined;
    for (let i = 1; i < byC.length; i++) {
      const [prev, cur] = [byC[i - 1]!, byC[i]!];
      const cRatio = cur.batch_size! / prev.batch_size!;
      const ttftRatio = cur.silicon_ttft_ms! / prev.silicon_ttft_ms!;
      if (saturatedAt) {
        leftOut.push({ id: cur.id, reason: `above the saturated point c=${saturatedAt.batch_size} of its sweep` });
      } else if (ttftRatio > cRatio) {
        saturatedAt = cur;
        leftOut.push({
          id: cur.id,
          reason: `saturated: TTFT grows ${ttftRatio.toFixed(1)}x from c=${prev.batch_size} to c=${cur.batch_size} (${cRatio.toFixed(1)}x the concurrency), prompts queue`,
        });
      } else if (cur.silicon_tpot_ms! < prev.silicon_tpot_ms! * 0.97) {
        leftOut.push({
          id: cur.id,
          reason: `suspect: TPOT falls from ${prev.silicon_tpot_ms!.toFixed(2)} to ${cur.silicon_tpot_ms!.toFixed(2)} ms as concurrency rises from ${prev.batch_size} to ${cur.batch_size}`,
        });
      } else continue;
      out.add(cur);
    }
  }
  return { kept: rows.filter((r) => !out.has(r)), leftOut };
}

/** The date `silicon_data_source` gives (`measured=YYYY-MM-DD`), if any. */
function measuredDate(row: AicRow): string | undefined {
  return /measured=(\d{4}-\d{2}-\d{2})/.exec(row.silicon_data_source)?.[1];
}

/** The row's measurement date, else the month of the dump the sample is. */
function measuredOn(row: AicRow): string {
  return measuredDate(row) ?? "2026-04";
}

/**
 * One upstream row as a throughput row. A closed loop of C clients, each
 * sending its next request when the last ends, emits C x osl tokens per
 * request time, TTFT + (osl - 1) x TPOT (aiperf's inter-token latency is
 * (latency - TTFT) / (output tokens - 1)), so output tok/s = C x osl /
 * (TTFT + (osl - 1) TPOT); per-request speed is 1000 / TPOT (ms). The
 * client's think time between requests is not in the sample: this is an
 * upper bound by that gap (one HTTP round trip, well under 1 % of these
 * request times).
 */
export function toThroughputRow(row: AicRow): ThroughputRow {
  const model = AIC_MODELS[row.model_path]!;
  const c = row.batch_size!;
  const tp = row.tp_size ?? 1;
  const ttft = row.silicon_ttft_ms!;
  const tpot = row.silicon_tpot_ms!;
  const requestMs = ttft + (row.osl - 1) * tpot;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    id: `aic-${row.id}`,
    model: row.model_path,
    model_config: model.modelConfig,
    weight_dtype: model.dtypes[row.precision]!,
    kv_dtype: "unknown",
    gpu: AIC_SYSTEMS[row.system]!,
    gpu_count: tp,
    tp,
    engine: row.backend,
    engine_version: row.backend_version,
    input_tokens: row.isl,
    output_tokens: row.osl,
    load: "concurrency",
    concurrency: c,
    request_rate: undefined,
    num_prompts: 20 * c,
    output_tokens_per_s: round((c * row.osl * 1000) / requestMs),
    per_request_output_tokens_per_s: round(1000 / tpot),
    ttft_ms: ttft,
    tpot_ms: tpot,
    campaign: campaignOf(row),
    source_url: `${AIC_SAMPLE_URL} (id ${row.id})`,
    published: measuredOn(row),
    notes:
      `aiconfigurator silicon_sample.csv id ${row.id}; ${row.silicon_data_source}; ${model.why}; ` +
      `aiperf closed loop, ${20 * c} requests at concurrency ${c}, fixed lengths, ignore_eos; ` +
      `output tok/s = C x osl / (TTFT + (osl - 1) TPOT)`,
  };
}

/** The extract's usable rows as throughput rows, and every row left out with its reason. */
export function aiconfiguratorRows(rows: AicRow[] = readAicRows()): { rows: ThroughputRow[]; leftOut: LeftOutRow[] } {
  const leftOut: LeftOutRow[] = [];
  const usable = rows.filter((r) => {
    const reason = layoutReason(r);
    if (reason) leftOut.push({ id: r.id, reason });
    return reason === undefined;
  });
  const unique = dedupe(usable);
  const clean = saturated(unique.kept);
  return {
    rows: clean.kept.map(toThroughputRow),
    leftOut: [...leftOut, ...unique.leftOut, ...clean.leftOut].map((l) => ({ ...l, id: `aic-${l.id}` })),
  };
}
