import { z } from "zod";

/**
 * The schemas of the measured rows (calibration/data/throughput-points.csv,
 * vllm-kv-cache-points.csv, and the rows calibration/aiconfigurator.ts
 * converts), apart from the readers in calibration/points.ts so a converter
 * can name the row type without importing the reader that calls it.
 */

const num = z.coerce.number().finite();
const optNum = z.preprocess(
  (v) => (v === "" || v === undefined ? undefined : v),
  z.coerce.number().finite().optional(),
);
const text = z.string();

/** The columns both measurement files share (this schema is their documentation): what ran, on what. */
const measuredSetup = {
  id: z.string().min(1),
  model: text,
  model_config: text,
  weight_dtype: text,
  kv_dtype: text,
  gpu: text,
  gpu_count: num,
};

/** One row of throughput-points.csv. */
export const ThroughputRowSchema = z.object({
  ...measuredSetup,
  tp: optNum,
  engine: z.enum(["vllm", "sglang", "tensorrt-llm", "nim"]),
  engine_version: text,
  input_tokens: optNum,
  output_tokens: optNum,
  load: z.enum(["concurrency", "offline", "rate", "static-batch"]),
  concurrency: optNum,
  /** Requests a second; `inf` (everything at once) reads as Infinity. */
  request_rate: z.union([
    z.literal("").transform(() => undefined),
    z.literal("inf").transform(() => Number.POSITIVE_INFINITY),
    z.coerce.number().finite(),
  ]),
  num_prompts: optNum,
  output_tokens_per_s: num,
  per_request_output_tokens_per_s: optNum,
  ttft_ms: optNum,
  /** Mean time per output token after the first, ms (aiconfigurator's rows; blank elsewhere). */
  tpot_ms: optNum,
  /** The held-out unit where one publisher has many campaigns (aiconfigurator's rows); else the id's first word. */
  campaign: z.string().optional(),
  source_url: text,
  published: text,
  notes: text,
});
/** A throughput measurement. */
export type ThroughputRow = z.infer<typeof ThroughputRowSchema>;

/** One row of vllm-kv-cache-points.csv. */
export const KvRowSchema = z.object({
  ...measuredSetup,
  tp: num,
  pp: num,
  gpu_memory_utilization: num,
  max_model_len: num,
  /** `--max-num-seqs` when the run set it (only in reference-kv-points.csv); vLLM's default for the GPU otherwise. */
  max_num_seqs: optNum,
  vllm_version: text,
  engine: z.enum(["v0", "v1"]),
  total_gpu_memory_gib: num,
  model_weights_gib: num,
  kv_cache_gib: num,
  /** Absent where the log's token count was not recorded: such a row is judged on KV GiB. */
  kv_cache_tokens: optNum,
  max_concurrency: optNum,
  source_url: text,
  notes: text,
});
/** A vLLM startup-log measurement. */
export type KvRow = z.infer<typeof KvRowSchema>;

/** One rule of validation-rows.csv: vLLM rows whose id matches are validation, never fitted, each kind with its reason. */
export const ValidationRuleSchema = z.object({
  id_pattern: z.string().refine((p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }, "a JavaScript regular expression on the row id"),
  reason: text,
  source: z.string().url(),
});
/** A validation rule. */
export type ValidationRule = z.infer<typeof ValidationRuleSchema>;
