import { z } from "zod";
import type { UsageFile, UsageRecord } from "../../engine/usage";
import { ignoredLines, isoDateTime, msOf, parseAt, tokens, usageFile } from "./common";

/**
 * Helicone request exports (`npx @helicone/export`, JSON or JSONL, or the
 * REST request query), one `HeliconeRequest` per request:
 * Helicone/helicone packages/llm-mapper/types.ts, commit
 * d6357d7eba6b2617b3d5cff34f35f547d0470bb4: `request_id`,
 * `request_created_at`, `model`, `prompt_tokens`, `completion_tokens`,
 * `prompt_cache_read_tokens`, `prompt_cache_write_tokens` (nullable),
 * `response_status`. Whether Helicone's `prompt_tokens` includes the cache
 * counts depends on the provider it mapped (Anthropic's `input_tokens`
 * excludes them): the parser takes `prompt_tokens` as all input and adds the
 * cache counts only when they exceed it. Failed requests (status >= 400)
 * are skipped.
 */
export const HELICONE_SOURCE =
  "Helicone/helicone packages/llm-mapper/types.ts (interface HeliconeRequest), commit d6357d7eba6b2617b3d5cff34f35f547d0470bb4";

const nullableTokens = tokens.nullable().optional();
const RowSchema = z.object({
  request_id: z.string().min(1),
  request_created_at: isoDateTime,
  model: z.string().nullable().optional(),
  request_model: z.string().nullable().optional(),
  response_status: z.number().int().optional(),
  prompt_tokens: nullableTokens,
  completion_tokens: nullableTokens,
  prompt_cache_read_tokens: nullableTokens,
  prompt_cache_write_tokens: nullableTokens,
});

/** True when parsed JSON looks like Helicone request rows. */
export function isHeliconeExport(data: unknown): boolean {
  const first = Array.isArray(data) ? data[0] : undefined;
  return typeof first === "object" && first !== null && "request_created_at" in first;
}

/** Parses an array of Helicone request rows. */
export function parseHeliconeExport(data: unknown[], file: string): UsageFile {
  const records: UsageRecord[] = [];
  const ignored = new Map<string, number>();
  data.forEach((raw, i) => {
    const row = parseAt(RowSchema, raw, file, `[${i}]`);
    if (row.response_status !== undefined && row.response_status >= 400) {
      ignored.set("failed (response_status >= 400)", (ignored.get("failed (response_status >= 400)") ?? 0) + 1);
      return;
    }
    const cached = row.prompt_cache_read_tokens ?? 0;
    const write = row.prompt_cache_write_tokens ?? 0;
    const prompt = row.prompt_tokens ?? 0;
    const start = msOf(row.request_created_at);
    records.push({
      startMs: start,
      endMs: start,
      model: row.model ?? row.request_model ?? "",
      inputTokens: cached + write > prompt ? prompt + cached + write : prompt,
      cachedInputTokens: cached,
      cacheWriteTokens: write,
      outputTokens: row.completion_tokens ?? 0,
      requests: 1,
      batch: false,
      perRequest: true,
    });
  });
  return usageFile(file, "helicone-export", records, ignoredLines(ignored, "ignored"));
}
