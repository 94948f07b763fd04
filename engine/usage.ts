/**
 * Usage records: what every usage export (OpenAI's and Anthropic's usage
 * APIs, LiteLLM, Langfuse, Helicone, OpenTelemetry spans, the plain CSV)
 * is normalized to before the workload is derived. One record is one time
 * bucket of one model (an aggregate) or one request.
 *
 * Cache semantics are normalized here, once: `inputTokens` counts EVERY input
 * token (uncached + cache reads + cache writes), as OpenAI's
 * `input_tokens` does ("including cached and cache-write tokens",
 * openai/openai-openapi openapi.yaml UsageCompletionsResult, commit
 * f85dbe223d40e1a31cba812ab2d755c7e98a92a3) and as the OpenTelemetry GenAI
 * conventions ask (`gen_ai.usage.input_tokens` "SHOULD include all types of
 * input tokens, including cached tokens"). Parsers of sources that count
 * cache reads and writes outside input (Anthropic) add them in.
 */

/** One bucket or one request of usage, normalized. */
export interface UsageRecord {
  /** Start of the bucket or the request, ms since the epoch (UTC). */
  startMs: number;
  /** End of the bucket (exclusive); equals `startMs` for one request. */
  endMs: number;
  /** Model as the source names it; "" when the source did not group by model. */
  model: string;
  /** Every input token: uncached + cache reads + cache writes. */
  inputTokens: number;
  /** Input tokens read from the provider's prompt cache (a subset of inputTokens). */
  cachedInputTokens: number;
  /** Input tokens written to the cache (a subset of inputTokens). */
  cacheWriteTokens: number;
  outputTokens: number;
  /** Requests in the bucket; null when the source has no request count (Anthropic's usage report). */
  requests: number | null;
  /** True when the tokens went through the provider's batch API. */
  batch: boolean;
  /** True when the record is one request (per-request logs), so percentiles exist. */
  perRequest: boolean;
}

/** Records read from one file, with what was left out and why. */
export interface UsageFile {
  file: string;
  /** The format detected, e.g. "openai-usage-completions". */
  format: string;
  records: UsageRecord[];
  /** One line per kind of entry skipped, e.g. "12 organization.usage.embeddings.result results (not completions)". */
  ignored: string[];
}

/** Keeps the records of the models asked for; all of them when `models` is empty. */
export function filterModels(records: readonly UsageRecord[], models: readonly string[]): UsageRecord[] {
  if (models.length === 0) return [...records];
  const wanted = new Set(models);
  return records.filter((r) => wanted.has(r.model));
}
