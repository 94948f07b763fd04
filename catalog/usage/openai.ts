import { z } from "zod";
import type { UsageFile, UsageRecord } from "../../engine/usage";
import { UserInputError } from "../errors";
import { ignoredLines, parseAt, tokens, usageFile } from "./common";

/**
 * OpenAI's Usage API, completions: `GET /v1/organization/usage/completions`.
 * Schemas UsageResponse, UsageTimeBucket and UsageCompletionsResult of
 * openai/openai-openapi openapi.yaml, commit
 * f85dbe223d40e1a31cba812ab2d755c7e98a92a3 (2026-08-21). `input_tokens`
 * includes cached and cache-write tokens; `input_cached_tokens`,
 * `input_cache_write_tokens` and `input_uncached_tokens` are optional (the
 * last two are newer). `model`, `batch`, `service_tier` are null unless the
 * request grouped by them. Buckets also carry other result types
 * (embeddings, images, ...; the `results` oneOf) when the file came from
 * another usage endpoint: those are ignored and counted.
 */
export const OPENAI_SOURCE =
  "openai/openai-openapi openapi.yaml (UsageResponse, UsageCompletionsResult), commit f85dbe223d40e1a31cba812ab2d755c7e98a92a3";

const COMPLETIONS = "organization.usage.completions.result";

const BucketSchema = z.object({
  object: z.literal("bucket"),
  start_time: z.number().int().nonnegative(),
  end_time: z.number().int().nonnegative(),
  results: z.array(z.object({ object: z.string() }).passthrough()),
});

/** The page envelope; results are checked one by one so other result types can be skipped. */
export const OpenAiUsagePageSchema = z.object({
  object: z.literal("page"),
  data: z.array(z.unknown()),
  has_more: z.boolean(),
  next_page: z.string().nullable(),
});

/** One completions result (fields the engine reads; the API adds more, which are allowed). */
export const OpenAiCompletionsResultSchema = z.object({
  object: z.literal(COMPLETIONS),
  input_tokens: tokens,
  input_cached_tokens: tokens.optional(),
  input_cache_write_tokens: tokens.optional(),
  input_uncached_tokens: tokens.optional(),
  output_tokens: tokens,
  num_model_requests: tokens,
  model: z.string().nullable().optional(),
  batch: z.boolean().nullable().optional(),
  service_tier: z.string().nullable().optional(),
});

/** True when parsed JSON looks like one or more Usage API pages. */
export function isOpenAiUsage(data: unknown): boolean {
  const first = Array.isArray(data) ? data[0] : data;
  return typeof first === "object" && first !== null && (first as { object?: unknown }).object === "page";
}

function resultRecord(raw: unknown, start: number, end: number, file: string, at: string): UsageRecord {
  const r = parseAt(OpenAiCompletionsResultSchema, raw, file, at);
  const cached = r.input_cached_tokens ?? 0;
  const write = r.input_cache_write_tokens ?? 0;
  if (cached + write > r.input_tokens) {
    throw new UserInputError(
      file,
      `${at}.input_cached_tokens`,
      `${cached} cached + ${write} cache-write tokens exceed input_tokens ${r.input_tokens}, which includes them; check the export`,
    );
  }
  return {
    startMs: start * 1000,
    endMs: end * 1000,
    model: r.model ?? "",
    inputTokens: r.input_tokens,
    cachedInputTokens: cached,
    cacheWriteTokens: write,
    outputTokens: r.output_tokens,
    requests: r.num_model_requests,
    batch: r.batch === true,
    perRequest: false,
  };
}

/** Parses one page or an array of pages (a paginated export saved together). */
export function parseOpenAiUsage(data: unknown, file: string): UsageFile {
  const pages = Array.isArray(data) ? data : [data];
  const records: UsageRecord[] = [];
  const ignored = new Map<string, number>();
  pages.forEach((rawPage, p) => {
    const pagePrefix = Array.isArray(data) ? `[${p}].` : "";
    const page = parseAt(OpenAiUsagePageSchema, rawPage, file, pagePrefix.replace(/\.$/, ""));
    page.data.forEach((rawBucket, b) => {
      const at = `${pagePrefix}data[${b}]`;
      const bucket = parseAt(BucketSchema, rawBucket, file, at);
      if (bucket.end_time <= bucket.start_time)
        throw new UserInputError(
          file,
          `${at}.end_time`,
          `${bucket.end_time} is not after start_time ${bucket.start_time}`,
        );
      bucket.results.forEach((result, i) => {
        if (result.object !== COMPLETIONS) ignored.set(result.object, (ignored.get(result.object) ?? 0) + 1);
        else records.push(resultRecord(result, bucket.start_time, bucket.end_time, file, `${at}.results[${i}]`));
      });
    });
  });
  return usageFile(file, "openai-usage-completions", records, ignoredLines(ignored, "not completions; ignored"));
}
