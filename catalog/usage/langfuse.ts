import { z } from "zod";
import type { UsageFile, UsageRecord } from "../../engine/usage";
import { ignoredLines, isoDateTime, msOf, parseAt, tokens, usageFile } from "./common";

/**
 * Langfuse observations from the public API (`GET /api/public/observations`,
 * `{ data: ObservationsView[], meta }`, or the data array alone):
 * langfuse/langfuse fern/apis/server/definition/commons.yml (Observation,
 * Usage), commit 0010e28ff5f0138b178553ed2b7143a2f275f09d, and
 * observations.yml commit 09d6e6fdd33d1a77742df258cc4730677081cb41 (the v2
 * `usage` field group: `usageDetails`). Only `type: GENERATION`
 * observations are model calls; spans and events are skipped.
 * Token counts: `usageDetails` (a map of usage type to count) when present,
 * else the older `usage.{input, output}`. Langfuse prices each usage type
 * separately and sums them, so the types are disjoint: all input is the sum of
 * the input-side keys (`input`, `input_cached_tokens`,
 * `cache_read_input_tokens`, ...), cached the keys naming a cache read.
 * (That the keys are disjoint is Langfuse's cost model as documented on
 * langfuse.com; not checked against its source here.)
 */
export const LANGFUSE_SOURCE =
  "langfuse/langfuse fern/apis/server/definition/commons.yml (Observation, Usage), commit 0010e28ff5f0138b178553ed2b7143a2f275f09d";

const ObservationSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  startTime: isoDateTime,
  model: z.string().nullable().optional(),
  usage: z.object({ input: tokens.nullable().optional(), output: tokens.nullable().optional() }).nullable().optional(),
  usageDetails: z.record(z.string(), tokens).nullable().optional(),
});

/** True when parsed JSON looks like Langfuse observations. */
export function isLangfuseObservations(data: unknown): boolean {
  const list = Array.isArray(data) ? data : (data as { data?: unknown } | null)?.data;
  const first = Array.isArray(list) ? list[0] : undefined;
  return typeof first === "object" && first !== null && "traceId" in first && "startTime" in first && "type" in first;
}

/** Input, cached, cache-write and output tokens of a usageDetails map. */
export function usageDetailsTokens(details: Record<string, number>): {
  input: number;
  cached: number;
  write: number;
  output: number;
} {
  const t = { input: 0, cached: 0, write: 0, output: 0 };
  for (const [key, n] of Object.entries(details)) {
    const k = key.toLowerCase();
    if (k === "total") continue;
    if (k.startsWith("output")) t.output += n;
    else if (k.startsWith("input") || k.includes("cache")) {
      t.input += n;
      if (k.includes("cache_read") || k.includes("cached")) t.cached += n;
      else if (k.includes("cache_creation") || k.includes("cache_write")) t.write += n;
    }
  }
  return t;
}

/** Parses observations (the API response or its `data` array). */
export function parseLangfuseObservations(data: unknown, file: string): UsageFile {
  const list = Array.isArray(data) ? data : parseAt(z.object({ data: z.array(z.unknown()) }), data, file, "").data;
  const prefix = Array.isArray(data) ? "" : "data";
  const records: UsageRecord[] = [];
  const ignored = new Map<string, number>();
  list.forEach((raw, i) => {
    const o = parseAt(ObservationSchema, raw, file, `${prefix}[${i}]`);
    if (o.type !== "GENERATION") {
      ignored.set(`type ${o.type}`, (ignored.get(`type ${o.type}`) ?? 0) + 1);
      return;
    }
    const t = o.usageDetails
      ? usageDetailsTokens(o.usageDetails)
      : { input: o.usage?.input ?? 0, cached: 0, write: 0, output: o.usage?.output ?? 0 };
    const start = msOf(o.startTime);
    records.push({
      startMs: start,
      endMs: start,
      model: o.model ?? "",
      inputTokens: t.input,
      cachedInputTokens: t.cached,
      cacheWriteTokens: t.write,
      outputTokens: t.output,
      requests: 1,
      batch: false,
      perRequest: true,
    });
  });
  return usageFile(file, "langfuse-observations", records, ignoredLines(ignored, "not a generation; ignored"));
}
