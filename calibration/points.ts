import { parse } from "csv-parse/sync";
import { z } from "zod";
import type { Catalog } from "../catalog/load";
import { parseWith } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
import { readText } from "../catalog/read";
import type { Gpu } from "../engine/hardware";
import type { ModelConfig, WeightVariant } from "../engine/model-config";
import { aiconfiguratorRows, type LeftOutRow } from "./aiconfigurator";
import {
  KvRowSchema,
  ThroughputRowSchema,
  ValidationRuleSchema,
  type KvRow,
  type ThroughputRow,
  type ValidationRule,
} from "./row-schemas";

/**
 * The measured points the model is calibrated and benchmarked on: copies of
 * `throughput-points.csv` and `vllm-kv-cache-points.csv` in
 * `calibration/data/` (provenance in calibration/README.md), read here and
 * matched to the catalog's models and GPUs. Only `calibrate`, `bench` and the
 * tests read them; the engine never does.
 */

export { KvRowSchema, ThroughputRowSchema, type KvRow, type ThroughputRow } from "./row-schemas";

function readCsv<T>(schema: z.ZodType<T>, name: string): T[] {
  const file = fromRoot("calibration", "data", name);
  const records = parse(readText(file), { columns: true, skip_empty_lines: true }) as unknown[];
  return records.map((r, i) => parseWith(schema, r, file, `row ${i + 2}`));
}

/**
 * The throughput measurements: throughput-points.csv in file order, then
 * NVIDIA aiconfigurator's measured rows converted by
 * calibration/aiconfigurator.ts (deduplicated, saturated points left out).
 */
export function readThroughputRows(): ThroughputRow[] {
  return [...readCsv(ThroughputRowSchema, "throughput-points.csv"), ...aiconfiguratorRows().rows];
}

let validationRules: { rule: ValidationRule; pattern: RegExp }[] | undefined;

/** The validation rules (validation-rows.csv), read and their patterns compiled once. */
function compiledValidationRules(): { rule: ValidationRule; pattern: RegExp }[] {
  validationRules ??= readCsv(ValidationRuleSchema, "validation-rows.csv").map((rule) => ({
    rule,
    pattern: new RegExp(rule.id_pattern),
  }));
  return validationRules;
}

/**
 * Why a row is validation rather than calibration (validation-rows.csv: the
 * first rule whose pattern matches its id), or undefined.
 */
export function validationReason(row: ThroughputRow): string | undefined {
  return compiledValidationRules().find((r) => r.pattern.test(row.id))?.rule.reason;
}

/** The validation rules (validation-rows.csv), for the bench and the tests. */
export function readValidationRules(): ValidationRule[] {
  return compiledValidationRules().map((r) => r.rule);
}

/** The aiconfigurator rows not used, each with its reason (`npm run bench` prints them). */
export function leftOutThroughputRows(): LeftOutRow[] {
  return aiconfiguratorRows().leftOut;
}

/**
 * The vLLM startup-log measurements: the shared file's rows, the rows added
 * here from llm-d-planner's v0.11 profile, version sweep and further 0.19
 * logs (added-kv-points.csv), then the reference story's
 * (reference-kv-points.csv).
 */
export function readKvRows(): KvRow[] {
  return [
    ...readCsv(KvRowSchema, "vllm-kv-cache-points.csv"),
    ...readCsv(KvRowSchema, "added-kv-points.csv"),
    ...readCsv(KvRowSchema, "reference-kv-points.csv"),
  ];
}

/** A row matched to the catalog, or the reason it cannot be. */
export type Matched<R> =
  { row: R; ok: true; model: ModelConfig; variant: WeightVariant; gpu: Gpu } | { row: R; ok: false; reason: string };

/** The weight formats a CSV's `weight_dtype` may name, as the catalog spells them (fp16 runs the bf16 checkpoint's bytes). */
function catalogDtype(dtype: string): string {
  return dtype === "fp16" ? "bf16" : dtype;
}

/**
 * Finds a row's model config: the `model_config` column, else the config
 * whose checkpoint is the row's Hugging Face repository.
 */
function findModel(row: { model: string; model_config: string }, catalog: Catalog): ModelConfig | undefined {
  if (row.model_config) return catalog.models.get(row.model_config);
  for (const m of catalog.models.values()) {
    if (m.weights.some((w) => w.huggingFaceRepo.toLowerCase() === row.model.toLowerCase())) return m;
  }
  return undefined;
}

/** Matches a measurement to the catalog's model, checkpoint and GPU. */
export function matchRow<R extends { model: string; model_config: string; weight_dtype: string; gpu: string }>(
  row: R,
  catalog: Catalog,
): Matched<R> {
  const model = findModel(row, catalog);
  if (!model) return { row, ok: false, reason: `no model config for ${row.model_config || row.model}` };
  const dtype = catalogDtype(row.weight_dtype);
  const found = findVariant(model, dtype, catalog);
  if (!found) return { row, ok: false, reason: `${model.id} lists no ${row.weight_dtype} checkpoint` };
  const { model: withVariant, variant } = found;
  const gpu = catalog.gpus.get(row.gpu);
  if (!gpu) return { row, ok: false, reason: `GPU ${row.gpu} is not in catalog/data/gpus.yaml` };
  return { row, ok: true, model: withVariant, variant, gpu };
}

const architectureKey = (m: ModelConfig) => JSON.stringify({ ...m.architecture, source: "" });

/**
 * The row's checkpoint: in the named config, else in a config of the same
 * architecture that lists it (DeepSeek-R1's AWQ checkpoint is in
 * deepseek-r1.yaml while the rows name the DeepSeek-V3 architecture it
 * shares).
 */
function findVariant(
  model: ModelConfig,
  dtype: string,
  catalog: Catalog,
): { model: ModelConfig; variant: WeightVariant } | undefined {
  const own = model.weights.find((w) => w.dtype === dtype);
  if (own) return { model, variant: own };
  const key = architectureKey(model);
  for (const other of catalog.models.values()) {
    const v = other.weights.find((w) => w.dtype === dtype);
    if (v && architectureKey(other) === key) return { model: other, variant: v };
  }
  return undefined;
}

/** The median (the mean of the middle two for an even count; 0 for none). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median and 90th percentile (nearest rank) of absolute values. */
export function errorStats(errorsPct: number[]): { rows: number; medianAbsPct: number; p90AbsPct: number } {
  const abs = errorsPct.map(Math.abs).sort((a, b) => a - b);
  const at = (q: number) => (abs.length ? abs[Math.min(abs.length - 1, Math.ceil(q * abs.length) - 1)]! : 0);
  return { rows: abs.length, medianAbsPct: median(abs), p90AbsPct: at(0.9) };
}
