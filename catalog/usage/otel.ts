import { z } from "zod";
import type { UsageFile, UsageRecord } from "../../engine/usage";
import { UserInputError } from "../errors";
import { ignoredLines, parseAt, usageFile } from "./common";

/**
 * OpenTelemetry GenAI spans in the OTLP/JSON encoding
 * (`{ resourceSpans: [{ scopeSpans: [{ spans: [...] }] }] }`, one such
 * request a line for the collector's file exporter; int64 values are JSON
 * strings or numbers, https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
 * Attributes: open-telemetry/semantic-conventions
 * docs/registry/attributes/gen-ai.md, commit
 * 384d66161cb18704c729645fa8136a148df9571c: `gen_ai.usage.input_tokens`
 * "SHOULD include all types of input tokens, including cached tokens";
 * `gen_ai.usage.cache_read.input_tokens` and
 * `gen_ai.usage.cache_creation.input_tokens` "SHOULD be included in
 * gen_ai.usage.input_tokens"; `gen_ai.usage.output_tokens`;
 * `gen_ai.response.model` / `gen_ai.request.model`. Spans without token
 * usage (HTTP, tools, retrieval) are skipped.
 */
export const OTEL_SOURCE =
  "open-telemetry/semantic-conventions docs/registry/attributes/gen-ai.md, commit 384d66161cb18704c729645fa8136a148df9571c";

const AnyValue = z
  .object({
    stringValue: z.string().optional(),
    intValue: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).optional(),
  })
  .passthrough();
const SpanSchema = z.object({
  name: z.string().optional(),
  startTimeUnixNano: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]),
  attributes: z.array(z.object({ key: z.string(), value: AnyValue })).default([]),
});
const RequestSchema = z.object({
  resourceSpans: z.array(
    z.object({ scopeSpans: z.array(z.object({ spans: z.array(z.unknown()).default([]) })).default([]) }),
  ),
});

/** True when parsed JSON looks like OTLP/JSON traces. */
export function isOtlpTraces(data: unknown): boolean {
  const first = Array.isArray(data) ? data[0] : data;
  return typeof first === "object" && first !== null && "resourceSpans" in first;
}

function attr(span: z.infer<typeof SpanSchema>, key: string): z.infer<typeof AnyValue> | undefined {
  return span.attributes.find((a) => a.key === key)?.value;
}

function intAttr(span: z.infer<typeof SpanSchema>, key: string, file: string, at: string): number | undefined {
  const v = attr(span, key);
  if (v === undefined) return undefined;
  if (v.intValue === undefined)
    throw new UserInputError(
      file,
      `${at}.attributes[${key}]`,
      `${JSON.stringify(v)} is not valid: expected an intValue token count`,
    );
  return Number(v.intValue);
}

function spanRecord(span: z.infer<typeof SpanSchema>, file: string, at: string): UsageRecord | undefined {
  const input = intAttr(span, "gen_ai.usage.input_tokens", file, at);
  const output = intAttr(span, "gen_ai.usage.output_tokens", file, at);
  if (input === undefined && output === undefined) return undefined;
  const start = Math.floor(Number(span.startTimeUnixNano) / 1e6);
  return {
    startMs: start,
    endMs: start,
    model: attr(span, "gen_ai.response.model")?.stringValue ?? attr(span, "gen_ai.request.model")?.stringValue ?? "",
    inputTokens: input ?? 0,
    cachedInputTokens: intAttr(span, "gen_ai.usage.cache_read.input_tokens", file, at) ?? 0,
    cacheWriteTokens: intAttr(span, "gen_ai.usage.cache_creation.input_tokens", file, at) ?? 0,
    outputTokens: output ?? 0,
    requests: 1,
    batch: false,
    perRequest: true,
  };
}

/** Parses one OTLP/JSON export request or an array of them (JSON Lines). */
export function parseOtlpTraces(data: unknown, file: string): UsageFile {
  const requests = Array.isArray(data) ? data : [data];
  const records: UsageRecord[] = [];
  let skipped = 0;
  requests.forEach((raw, q) => {
    const base = Array.isArray(data) ? `[${q}]` : "";
    const req = parseAt(RequestSchema, raw, file, base);
    req.resourceSpans.forEach((rs, r) =>
      rs.scopeSpans.forEach((ss, s) =>
        ss.spans.forEach((rawSpan, i) => {
          const at = `${base ? `${base}.` : ""}resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
          const rec = spanRecord(parseAt(SpanSchema, rawSpan, file, at), file, at);
          if (rec) records.push(rec);
          else skipped++;
        }),
      ),
    );
  });
  return usageFile(
    file,
    "otlp-genai-spans",
    records,
    skipped ? ignoredLines(new Map([["span without gen_ai.usage.*", skipped]]), "ignored") : [],
  );
}
