import * as path from "node:path";
import type { UsageProfile } from "../../engine/fleet-evaluate";
import { FromUsageSchema } from "../../engine/scenario";
import { parseWith, UserInputError } from "../errors";
import { workloadFromFiles } from "./workload";

/** Keys fromUsage derives, which a config may not also type. */
const DERIVED_KEYS = ["inputTokensPerMonth", "outputTokensPerMonth", "utilization", "hoursPerMonth"] as const;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * `workload.fromUsage: { files, models }` in a scenario or stack config:
 * reads the usage files (relative to the config file), writes the derived
 * volumes and request sizes into the raw `workload` block and the cache and
 * batch shares into the `api` block (where the config did not set them), and
 * returns the hourly profile the fleets follow. Typed volumes beside
 * fromUsage are an error: one source of truth. Request sizes may be typed
 * (they win), and must be when the usage has no request counts.
 */
export function fillWorkloadFromUsage(
  data: Record<string, unknown>,
  file: string,
  prefix: string,
): UsageProfile | undefined {
  const workload = data.workload;
  if (!isObject(workload) || workload.fromUsage === undefined) return undefined;
  const from = parseWith(FromUsageSchema, workload.fromUsage, file, `${prefix}workload.fromUsage`);
  for (const key of DERIVED_KEYS) {
    if (workload[key] !== undefined)
      throw new UserInputError(
        file,
        `${prefix}workload.${key}`,
        `workload.fromUsage derives ${key} from the usage; remove one of the two`,
      );
  }
  const dir = path.dirname(file);
  const { workload: w, files } = workloadFromFiles(
    from.files.map((f) => path.resolve(dir, f)),
    from.models,
    file,
    `${prefix}workload.fromUsage.models`,
  );
  const pr = w.perRequest;
  if (
    (workload.inputTokensPerRequest === undefined || workload.outputTokensPerRequest === undefined) &&
    (pr.meanInputTokens === null || pr.meanOutputTokens === null)
  ) {
    throw new UserInputError(file, `${prefix}workload.inputTokensPerRequest`, `is required: ${pr.note}`);
  }
  workload.inputTokensPerMonth = w.monthly.inputTokens;
  workload.outputTokensPerMonth = w.monthly.outputTokens;
  workload.inputTokensPerRequest ??= Math.round(pr.meanInputTokens ?? 0);
  workload.outputTokensPerRequest ??= Math.max(1, Math.round(pr.meanOutputTokens ?? 1));
  if (isObject(data.api)) {
    data.api.cachedInputShare ??= w.cachedInputShare;
    data.api.batchShare ??= w.batchShare;
  }
  return {
    hourlyOutputTokens: w.hourlyOutputTokens,
    span: w.span,
    files: files.map((f) => path.relative(dir, f.file) || f.file),
    warnings: w.warnings,
  };
}
