import { z } from "zod";
import { meetsTarget } from "../engine/concurrency-search";
import type { MeasuredThroughput } from "../engine/evaluate";
import type { ModelConfig } from "../engine/model-config";
import type { Scenario } from "../engine/scenario";
import { parseWith, UserInputError } from "./errors";
import { readText } from "./read";

/**
 * The fields this project reads from the JSON that `vllm bench serve
 * --save-result` writes (vllm/benchmarks/serve.py: the run's setup —
 * `date` as `%Y%m%d-%H%M%S`, `model_id`, `num_prompts`, `request_rate`
 * (a number or "inf"), `max_concurrency` (null without a cap) — merged with
 * the metrics: `completed`, `duration`, token totals, `output_throughput`,
 * and the `mean_*_ms` latencies). Other keys (percentiles, `label`,
 * `burstiness`, per-request arrays) are allowed and ignored.
 */
export const VllmBenchResultSchema = z
  .object({
    date: z.string().regex(/^\d{8}-\d{6}$/, "a vLLM timestamp such as 20260209-142233"),
    model_id: z.string().min(1),
    num_prompts: z.number().int().positive(),
    request_rate: z.union([z.number().positive(), z.literal("inf")]),
    max_concurrency: z.number().int().positive().nullable().optional(),
    duration: z.number().positive(),
    completed: z.number().int().positive(),
    total_input_tokens: z.number().int().nonnegative(),
    total_output_tokens: z.number().int().positive(),
    output_throughput: z.number().positive(),
    mean_ttft_ms: z.number().nonnegative(),
    mean_tpot_ms: z.number().positive(),
  })
  .loose();
/** One validated result file. */
export type VllmBenchResult = z.infer<typeof VllmBenchResultSchema>;

/** One measured point of a sweep, with the file it came from. */
export interface BenchmarkPoint {
  file: string;
  result: VllmBenchResult;
  /** Requests in flight: `max_concurrency`, or every prompt at once without a cap. */
  concurrency: number;
  outputTokensPerSecond: number;
  perRequestOutputTokensPerSecond: number;
  ttftMs: number;
}

/** `20260209-142233` as `2026-02-09`. */
function isoDate(vllmDate: string): string {
  return `${vllmDate.slice(0, 4)}-${vllmDate.slice(4, 6)}-${vllmDate.slice(6, 8)}`;
}

/** True when the file's `model_id` names one of the model's checkpoints (a repo id, a local path ending in its name, or the config id). */
function sameModel(modelId: string, model: ModelConfig): boolean {
  const id = modelId.toLowerCase().replace(/\/+$/, "");
  if (id === model.id) return true;
  return model.weights.some((w) => {
    const repo = w.huggingFaceRepo.toLowerCase();
    return id === repo || id.endsWith(`/${repo}`) || id.endsWith(`/${repo.split("/")[1]}`);
  });
}

/** Reads and validates one result file; a truncated or malformed file is a UserInputError naming it and the field. */
export function readBenchmarkFile(file: string, model: ModelConfig): BenchmarkPoint {
  const text = readText(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserInputError(
      file,
      "",
      `is not valid JSON (truncated or not a \`vllm bench serve --save-result\` file): ${(err as Error).message}`,
    );
  }
  const result = parseWith(VllmBenchResultSchema, data, file);
  if (!sameModel(result.model_id, model)) {
    const repos = [...new Set(model.weights.map((w) => w.huggingFaceRepo))].join(", ");
    throw new UserInputError(
      file,
      "model_id",
      `${JSON.stringify(result.model_id)} is not ${model.displayName}, the stack's model; valid: ${repos}`,
    );
  }
  return {
    file,
    result,
    concurrency: result.max_concurrency ?? result.num_prompts,
    outputTokensPerSecond: result.output_throughput,
    perRequestOutputTokensPerSecond: 1000 / result.mean_tpot_ms,
    ttftMs: result.mean_ttft_ms,
  };
}

/**
 * The measured point a stack is credited with from a sweep: the highest
 * output throughput among the points that meet the workload's latency
 * target, or the highest overall when none does (or there is no target).
 */
export function pickBenchmarkPoint(
  points: BenchmarkPoint[],
  latency: Scenario["workload"]["latency"],
): { point: BenchmarkPoint; meetsLatencyTarget: boolean } {
  const best = (list: BenchmarkPoint[]) =>
    list.reduce((a, b) => (b.outputTokensPerSecond > a.outputTokensPerSecond ? b : a));
  const meeting = points.filter((p) => meetsTarget({ ...p, decodeBound: "memory" }, latency));
  if (meeting.length) return { point: best(meeting), meetsLatencyTarget: true };
  return { point: best(points), meetsLatencyTarget: false };
}

/**
 * Reads measured throughput from `vllm bench serve --save-result` files (one
 * file, or a concurrency sweep) for the stack's model. `field` names the
 * config key in errors about the list itself.
 */
export function readBenchmarkThroughput(
  paths: string[],
  scenario: Scenario,
  model: ModelConfig,
  field: string,
  latency: Scenario["workload"]["latency"] = scenario.workload.latency,
): MeasuredThroughput {
  if (paths.length === 0) throw new UserInputError("stack config", field, "names no benchmark file");
  const points = paths.map((file) => readBenchmarkFile(file, model));
  const { point, meetsLatencyTarget } = pickBenchmarkPoint(points, latency);
  const note =
    latency && !meetsLatencyTarget
      ? "; no point of the sweep meets the latency target, so its highest throughput is used"
      : "";
  return {
    outputTokensPerSecond: point.outputTokensPerSecond,
    reference: `${point.file} (vllm bench serve, ${point.result.model_id}, ${point.result.date.slice(0, 8)}, concurrency ${point.concurrency}${note})`,
    date: isoDate(point.result.date),
    concurrency: point.concurrency,
    perRequestOutputTokensPerSecond: point.perRequestOutputTokensPerSecond,
    ttftMs: point.ttftMs,
    ...(latency ? { meetsLatencyTarget } : {}),
  };
}
