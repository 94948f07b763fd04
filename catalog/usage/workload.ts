import { filterModels, type UsageFile } from "../../engine/usage";
import type { WorkloadFromUsage } from "../../engine/profile";
import { deriveWorkload } from "../../engine/workload-derive";
import { UserInputError } from "../errors";
import { loadUsage } from "./load";

/** The workload several usage files show together, and what each file held. */
export interface UsageWorkload {
  files: { file: string; format: string; records: number; ignored: string[] }[];
  /** Models kept (empty: all of them). */
  models: string[];
  workload: WorkloadFromUsage;
}

/**
 * Reads usage files, merges their records, keeps the models the stack would
 * replace (all when `models` is empty) and derives the workload. A model
 * asked for that no file holds is an error naming the models present.
 */
export function workloadFromFiles(
  files: readonly string[],
  models: readonly string[],
  where = "command line",
  field = "--models",
): UsageWorkload {
  if (files.length === 0) throw new UserInputError(where, field, "needs at least one usage file");
  const loaded: UsageFile[] = files.map((f) => loadUsage(f));
  const all = loaded.flatMap((f) => f.records);
  const present = [...new Set(all.map((r) => r.model))].sort();
  const missing = models.filter((m) => !present.includes(m));
  if (missing.length) {
    throw new UserInputError(
      where,
      field,
      `${missing.map((m) => JSON.stringify(m)).join(", ")} ${missing.length === 1 ? "is" : "are"} in none of the usage files; models present: ${present.map((m) => JSON.stringify(m)).join(", ") || "none"}`,
    );
  }
  const kept = filterModels(all, models);
  if (kept.length === 0)
    throw new UserInputError(files[0]!, "", "holds no completion usage (every entry was ignored or empty)");
  return {
    files: loaded.map((f) => ({ file: f.file, format: f.format, records: f.records.length, ignored: f.ignored })),
    models: [...models],
    workload: deriveWorkload(kept),
  };
}
