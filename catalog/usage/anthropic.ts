import { z } from "zod";
import type { UsageFile, UsageRecord } from "../../engine/usage";
import { UserInputError } from "../errors";
import { isoDateTime, msOf, parseAt, tokens, usageFile } from "./common";

/**
 * Anthropic's messages usage report, `GET /v1/organizations/usage_report/messages`
 * (https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_messages,
 * read 2026-12-01): `data[]` buckets with `starting_at` / `ending_at`
 * (RFC 3339) and `results[]` with `uncached_input_tokens`,
 * `cache_read_input_tokens`, `cache_creation.{ephemeral_5m_input_tokens,
 * ephemeral_1h_input_tokens}`, `output_tokens`, and `model`,
 * `service_tier` ("standard", "batch", "priority"), `workspace_id`, ... null
 * unless grouped by. Cache reads and writes are NOT inside
 * `uncached_input_tokens` (unlike OpenAI's `input_tokens`), so all input is
 * their sum. The report has no request counts.
 */
export const ANTHROPIC_SOURCE =
  "https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_messages (read 2026-12-01)";

const ResultSchema = z.object({
  uncached_input_tokens: tokens,
  cache_read_input_tokens: tokens,
  cache_creation: z.object({ ephemeral_5m_input_tokens: tokens, ephemeral_1h_input_tokens: tokens }),
  output_tokens: tokens,
  model: z.string().nullable().optional(),
  service_tier: z.string().nullable().optional(),
});

const BucketSchema = z.object({ starting_at: isoDateTime, ending_at: isoDateTime, results: z.array(z.unknown()) });

/** The report envelope. */
export const AnthropicUsageReportSchema = z.object({
  data: z.array(z.unknown()),
  has_more: z.boolean(),
  next_page: z.string().nullable(),
});

/** True when parsed JSON looks like one or more messages usage reports. */
export function isAnthropicUsage(data: unknown): boolean {
  const first = Array.isArray(data) ? data[0] : data;
  const bucket = (first as { data?: unknown[] } | null)?.data?.[0];
  return typeof bucket === "object" && bucket !== null && "starting_at" in bucket;
}

function resultRecord(raw: unknown, start: number, end: number, file: string, at: string): UsageRecord {
  const r = parseAt(ResultSchema, raw, file, at);
  const write = r.cache_creation.ephemeral_5m_input_tokens + r.cache_creation.ephemeral_1h_input_tokens;
  return {
    startMs: start,
    endMs: end,
    model: r.model ?? "",
    inputTokens: r.uncached_input_tokens + r.cache_read_input_tokens + write,
    cachedInputTokens: r.cache_read_input_tokens,
    cacheWriteTokens: write,
    outputTokens: r.output_tokens,
    requests: null,
    batch: r.service_tier === "batch",
    perRequest: false,
  };
}

/** Parses one report page or an array of pages. */
export function parseAnthropicUsage(data: unknown, file: string): UsageFile {
  const pages = Array.isArray(data) ? data : [data];
  const records: UsageRecord[] = [];
  pages.forEach((rawPage, p) => {
    const pagePrefix = Array.isArray(data) ? `[${p}].` : "";
    const page = parseAt(AnthropicUsageReportSchema, rawPage, file, pagePrefix.replace(/\.$/, ""));
    page.data.forEach((rawBucket, b) => {
      const at = `${pagePrefix}data[${b}]`;
      const bucket = parseAt(BucketSchema, rawBucket, file, at);
      const start = msOf(bucket.starting_at);
      const end = msOf(bucket.ending_at);
      if (end <= start)
        throw new UserInputError(
          file,
          `${at}.ending_at`,
          `${bucket.ending_at} is not after starting_at ${bucket.starting_at}`,
        );
      bucket.results.forEach((result, i) =>
        records.push(resultRecord(result, start, end, file, `${at}.results[${i}]`)),
      );
    });
  });
  return usageFile(file, "anthropic-usage-report-messages", records, []);
}
