import { z } from "zod";
import type { UsageFile, UsageRecord } from "../../engine/usage";
import { ignoredLines, isoDateTime, msOf, parseAt, tokens, usageFile } from "./common";

/**
 * LiteLLM proxy spend logs: rows of the `LiteLLM_SpendLogs` table
 * (BerriAI/litellm schema.prisma, commit
 * 029f645f1c81cbd6c6c48fbc8490d91da937066f), as `GET /spend/logs` returns
 * them, a JSON array. Per request: `request_id`, `call_type`, `startTime`,
 * `model`, `prompt_tokens`, `completion_tokens`, `cache_hit`, `metadata`.
 * LiteLLM normalizes usage to OpenAI's shape, so `prompt_tokens` includes
 * cached tokens; the cached count is read from
 * `metadata.usage_object.prompt_tokens_details.cached_tokens` when present
 * (that metadata path is not checked against a LiteLLM source here).
 * A row with `cache_hit` "True" was served from LiteLLM's own response cache
 * (no model call, no GPU time) and is skipped; non-generation call types
 * (embeddings, images, audio, moderation) are skipped.
 */
export const LITELLM_SOURCE =
  "BerriAI/litellm schema.prisma (model LiteLLM_SpendLogs), commit 029f645f1c81cbd6c6c48fbc8490d91da937066f";

/** call_type values that generate tokens (LiteLLM's CallTypes: completion, text_completion, anthropic_messages, responses, generate_content and their async forms). */
const GENERATION_CALL =
  /^a?(completion|text_completion|anthropic_messages|responses|generate_content|acreate_completion)$/;

const RowSchema = z.object({
  request_id: z.string().min(1),
  call_type: z.string(),
  startTime: isoDateTime,
  model: z.string(),
  prompt_tokens: tokens,
  completion_tokens: tokens,
  cache_hit: z.string().nullable().optional(),
  metadata: z
    .object({
      usage_object: z
        .object({
          prompt_tokens_details: z.object({ cached_tokens: tokens.nullable().optional() }).nullable().optional(),
        })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});

/** True when parsed JSON looks like LiteLLM spend log rows. */
export function isLiteLlmSpendLogs(data: unknown): boolean {
  const first = Array.isArray(data) ? data[0] : undefined;
  return (
    typeof first === "object" && first !== null && "request_id" in first && "call_type" in first && "startTime" in first
  );
}

/** Parses a JSON array of spend log rows. */
export function parseLiteLlmSpendLogs(data: unknown[], file: string): UsageFile {
  const records: UsageRecord[] = [];
  const ignored = new Map<string, number>();
  data.forEach((raw, i) => {
    const row = parseAt(RowSchema, raw, file, `[${i}]`);
    const skip =
      row.cache_hit === "True"
        ? "cache_hit True (LiteLLM response cache, no model call)"
        : GENERATION_CALL.test(row.call_type)
          ? undefined
          : `call_type ${row.call_type}`;
    if (skip) {
      ignored.set(skip, (ignored.get(skip) ?? 0) + 1);
      return;
    }
    const start = msOf(row.startTime);
    records.push({
      startMs: start,
      endMs: start,
      model: row.model,
      inputTokens: row.prompt_tokens,
      cachedInputTokens: Math.min(
        row.prompt_tokens,
        row.metadata?.usage_object?.prompt_tokens_details?.cached_tokens ?? 0,
      ),
      cacheWriteTokens: 0,
      outputTokens: row.completion_tokens,
      requests: 1,
      batch: false,
      perRequest: true,
    });
  });
  return usageFile(file, "litellm-spend-logs", records, ignoredLines(ignored, "ignored"));
}
