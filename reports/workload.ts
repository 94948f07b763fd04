import { stringify } from "yaml";
import type { WorkloadFromUsage } from "../engine/profile";
import { HOURS_PER_MONTH } from "../engine/units";
import { toJson } from "./json";

/** What `breakeven workload` renders: the workload and the files it came from. */
export interface WorkloadReport {
  files: { file: string; format: string; records: number; ignored: string[] }[];
  models: string[];
  workload: WorkloadFromUsage;
}

const int = (x: number) => Math.round(x).toLocaleString("en-US");
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** The JSON contract: the workload without the hour-by-hour series (the hour-of-week profile stands for it). */
export function renderWorkloadJson(r: WorkloadReport): string {
  const { hourlyOutputTokens, ...workload } = r.workload;
  return toJson({ files: r.files, modelsKept: r.models, ...workload, hoursInSeries: hourlyOutputTokens.length });
}

/** The `workload:` block of a scenario or stack, for teams that prefer to commit numbers. */
export function renderWorkloadYaml(r: WorkloadReport): string {
  const w = r.workload;
  const block: Record<string, number> = {
    inputTokensPerMonth: Math.round(w.monthly.inputTokens),
    outputTokensPerMonth: Math.round(w.monthly.outputTokens),
  };
  if (w.perRequest.meanInputTokens !== null && w.perRequest.meanOutputTokens !== null) {
    block.inputTokensPerRequest = Math.round(w.perRequest.meanInputTokens);
    block.outputTokensPerRequest = Math.max(1, Math.round(w.perRequest.meanOutputTokens));
  }
  const notes = [
    `# From ${r.files.map((f) => f.file).join(", ")}: ${w.span.start} to ${w.span.end} (${w.span.hours} h), scaled to a ${HOURS_PER_MONTH}-hour month.`,
    `# Per request: ${w.perRequest.source} (${w.perRequest.note}).`,
    `# For the api: block: cachedInputShare: ${w.cachedInputShare.toFixed(4)}, batchShare: ${w.batchShare.toFixed(4)}.`,
    ...(w.perRequest.meanInputTokens === null
      ? ["# inputTokensPerRequest and outputTokensPerRequest are not in the usage: add them."]
      : []),
    ...w.warnings.map((x) => `# Warning: ${x}`),
  ];
  return `${notes.join("\n")}\n${stringify({ workload: block }).trimEnd()}`;
}

/** One line per weekday: the hour-of-week profile as 24 levels 0-9 of the busiest hour. */
export function profileRows(hourOfWeek: readonly number[]): string[] {
  const peak = Math.max(...hourOfWeek);
  return DAYS.map(
    (day, d) =>
      `  ${day} ${hourOfWeek
        .slice(d * 24, d * 24 + 24)
        .map((x) => (peak > 0 ? String(Math.min(9, Math.floor((x / peak) * 10))) : "0"))
        .join("")}`,
  );
}

/** The human table. */
export function renderWorkloadTable(r: WorkloadReport): string {
  const w = r.workload;
  const pr = w.perRequest;
  const lines = [`Usage: ${w.span.start} to ${w.span.end} (${w.span.hours} h, ${(w.span.hours / 24).toFixed(1)} days)`];
  for (const f of r.files)
    lines.push(
      `  ${f.file}: ${f.format}, ${f.records} records${f.ignored.length ? `; ignored ${f.ignored.join("; ")}` : ""}`,
    );
  if (r.models.length) lines.push(`  models kept: ${r.models.join(", ")}`);
  lines.push(
    "",
    `A ${HOURS_PER_MONTH}-hour month:`,
    `  input tokens       ${int(w.monthly.inputTokens).padStart(18)}  (cached ${pct(w.cachedInputShare)}, cache writes ${int(w.monthly.cacheWriteTokens)})`,
    `  output tokens      ${int(w.monthly.outputTokens).padStart(18)}`,
    `  requests           ${(w.monthly.requests === null ? "unknown" : int(w.monthly.requests)).padStart(18)}`,
    `  batch share        ${pct(w.batchShare).padStart(18)}`,
    "",
    `Per request (${pr.source}): ${pr.meanInputTokens === null ? "unknown" : `${int(pr.meanInputTokens)} input / ${int(pr.meanOutputTokens ?? 0)} output tokens mean`}${pr.p50InputTokens !== undefined ? `, p50 ${int(pr.p50InputTokens)} / ${int(pr.p50OutputTokens ?? 0)}, p90 ${int(pr.p90InputTokens ?? 0)} / ${int(pr.p90OutputTokens ?? 0)}` : ""}`,
    `  ${pr.note}`,
    "",
    `Peak hour / mean hour: ${w.peakToMean.toFixed(2)}; trend: ${w.trend ? `${w.trend.outputTokensChangePctPerWeek >= 0 ? "+" : ""}${w.trend.outputTokensChangePctPerWeek.toFixed(1)} % a week over ${w.trend.weeks} weeks` : "needs two full weeks"}`,
    "Output tokens by hour of week (UTC, 0-9 of the busiest hour, 00:00 first):",
    ...profileRows(w.hourOfWeek),
  );
  if (w.models.length > 1)
    lines.push(
      "",
      "Models:",
      ...w.models.map(
        (m) =>
          `  ${(m.model || "(not grouped by model)").padEnd(32)} ${int((m.outputTokens * HOURS_PER_MONTH) / w.span.hours).padStart(16)} output tokens a month`,
      ),
    );
  if (w.warnings.length) lines.push("", ...w.warnings.map((x) => `Warning: ${x}`));
  return lines.join("\n");
}
