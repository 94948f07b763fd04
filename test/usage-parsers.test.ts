import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { parseAnthropicUsage } from "../catalog/usage/anthropic";
import { MAX_USAGE_FILE_BYTES, readUsageText } from "../catalog/usage/common";
import { loadUsage, parseUsage } from "../catalog/usage/load";
import { parseOpenAiUsage } from "../catalog/usage/openai";
import { deriveWorkload } from "../engine/workload-derive";
import { userErrorOf } from "./user-error";

const fixture = (name: string) => path.join(__dirname, "fixtures", "usage", name);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** One page of OpenAI's organization usage API with one hourly bucket holding one completions result. */
const openAiPage = (result: Record<string, number>) => ({
  object: "page",
  has_more: false,
  next_page: null,
  data: [
    {
      object: "bucket",
      start_time: 0,
      end_time: 3600,
      results: [{ object: "organization.usage.completions.result", num_model_requests: 1, ...result }],
    },
  ],
});

describe("OpenAI usage completions pages", () => {
  const file = loadUsage(fixture("openai-completions-1h.json"));

  test("reads the completions results and ignores the embeddings result, saying so", () => {
    expect(file.format).toBe("openai-usage-completions");
    expect(file.records).toHaveLength(3);
    expect(file.ignored).toEqual(["1 organization.usage.embeddings.result entry (not completions; ignored)"]);
  });

  test("input_tokens already includes cached and cache-write tokens: 200,000 input of which 50,000 cached", () => {
    expect(sum(file.records.map((r) => r.inputTokens))).toBe(200_000);
    expect(sum(file.records.map((r) => r.cachedInputTokens))).toBe(50_000);
    expect(sum(file.records.map((r) => r.cacheWriteTokens))).toBe(10_000);
  });

  test("two hourly buckets scale to a 730-hour month: 40,000 output tokens x 365", () => {
    const w = deriveWorkload(file.records);
    expect(w.span).toEqual({ start: "2026-11-02T00:00:00.000Z", end: "2026-11-02T02:00:00.000Z", hours: 2 });
    expect(w.monthly.outputTokens).toBe(40_000 * 365);
    expect(w.monthly.requests).toBe(200 * 365);
    expect(w.cachedInputShare).toBe(0.25);
    // The batch result: 50,000 input + 10,000 output of 240,000 tokens.
    expect(w.batchShare).toBe(0.25);
    expect(w.perRequest).toMatchObject({ meanInputTokens: 1000, meanOutputTokens: 200, source: "bucket-mean" });
    expect(w.perRequest.note).toContain("an estimate");
    expect(w.warnings[0]).toContain("under 7");
  });

  test("a bad token count names the file, the bucket index, the result and the field", () => {
    const err = userErrorOf(() => loadUsage(fixture("openai-bad-bucket.json")));
    expect(err.message).toContain("openai-bad-bucket.json: data[1].results[0].input_tokens");
    expect(err.message).toContain('"50000"');
  });

  test("cached + cache-write tokens above input_tokens are refused (input includes them)", () => {
    const page = openAiPage({ input_tokens: 10, input_cached_tokens: 11, output_tokens: 1 });
    expect(userErrorOf(() => parseOpenAiUsage(page, "u.json")).message).toContain(
      "u.json: data[0].results[0].input_cached_tokens",
    );
  });
});

describe("Anthropic messages usage report", () => {
  const file = loadUsage(fixture("anthropic-messages-1h.json"));

  test("cache reads and writes are outside uncached_input_tokens, so all input is their sum", () => {
    // 30,000 uncached + 60,000 read + 8,000 + 2,000 written, plus 10,000 uncached in the batch result.
    expect(sum(file.records.map((r) => r.inputTokens))).toBe(110_000);
    expect(sum(file.records.map((r) => r.cachedInputTokens))).toBe(60_000);
    expect(sum(file.records.map((r) => r.cacheWriteTokens))).toBe(10_000);
  });

  test("the same traffic reported by OpenAI and by Anthropic gives the same input and cached share", () => {
    const openai = parseOpenAiUsage(
      openAiPage({ input_tokens: 100, input_cached_tokens: 60, input_cache_write_tokens: 10, output_tokens: 5 }),
      "o.json",
    );
    const anthropic = parseAnthropicUsage(
      {
        has_more: false,
        next_page: null,
        data: [
          {
            starting_at: "1970-01-01T00:00:00Z",
            ending_at: "1970-01-01T01:00:00Z",
            results: [
              {
                uncached_input_tokens: 30,
                cache_read_input_tokens: 60,
                cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 0 },
                output_tokens: 5,
              },
            ],
          },
        ],
      },
      "a.json",
    );
    const pick = (r: { inputTokens: number; cachedInputTokens: number; cacheWriteTokens: number }) => [
      r.inputTokens,
      r.cachedInputTokens,
      r.cacheWriteTokens,
    ];
    expect(pick(anthropic.records[0]!)).toEqual(pick(openai.records[0]!));
  });

  test("has no request counts: per-request sizes are unknown and the output says so", () => {
    const w = deriveWorkload(file.records);
    expect(w.monthly.requests).toBeNull();
    expect(w.perRequest).toMatchObject({ meanInputTokens: null, source: "unknown" });
    expect(w.perRequest.note).toContain("inputTokensPerRequest");
    // service_tier "batch": 10,000 input + 8,000 output of 130,000 tokens.
    expect(w.batchShare).toBeCloseTo(18_000 / 130_000, 12);
  });

  test("a bad starting_at names the bucket", () => {
    expect(userErrorOf(() => loadUsage(fixture("anthropic-bad-time.json"))).message).toContain(
      "anthropic-bad-time.json: data[1].starting_at",
    );
  });
});

describe("per-request logs", () => {
  test("LiteLLM spend logs: embeddings and response-cache hits are skipped; p50 and p90 from the requests", () => {
    const file = loadUsage(fixture("litellm-spend-logs.json"));
    expect(file.records.map((r) => r.inputTokens)).toEqual([1000, 2000, 3000]);
    expect(file.records[0]!.cachedInputTokens).toBe(600);
    expect(file.ignored.sort()).toEqual([
      "1 cache_hit True (LiteLLM response cache, no model call) entry (ignored)",
      "1 call_type aembedding entry (ignored)",
    ]);
    // A naive startTime ("2026-11-02T10:50:00.000") is UTC.
    expect(file.records[2]!.startMs).toBe(Date.parse("2026-11-02T10:50:00Z"));
    const w = deriveWorkload(file.records);
    expect(w.perRequest).toMatchObject({
      meanInputTokens: 2000,
      meanOutputTokens: 600,
      p50InputTokens: 2000,
      p90InputTokens: 3000,
      p50OutputTokens: 600,
      p90OutputTokens: 900,
      source: "per-request",
    });
    expect(w.span.hours).toBe(2);
  });

  test("Langfuse observations: only generations; usageDetails keys are disjoint, so cache reads add to input", () => {
    const file = loadUsage(fixture("langfuse-observations.json"));
    expect(file.records.map((r) => [r.inputTokens, r.cachedInputTokens, r.outputTokens])).toEqual([
      [2500, 2000, 400],
      [1500, 0, 200],
    ]);
    expect(file.ignored).toEqual(["1 type SPAN entry (not a generation; ignored)"]);
  });

  test("Helicone JSONL export: failed requests are skipped; cache reads are inside prompt_tokens", () => {
    const file = loadUsage(fixture("helicone-export.jsonl"));
    expect(file.records.map((r) => [r.inputTokens, r.cachedInputTokens, r.outputTokens])).toEqual([
      [1200, 800, 300],
      [800, 0, 100],
    ]);
    expect(file.ignored).toEqual(["1 failed (response_status >= 400) entry (ignored)"]);
  });

  test("OpenTelemetry GenAI spans: input_tokens includes cache reads; spans without usage are skipped", () => {
    const file = loadUsage(fixture("otel-genai-spans.json"));
    expect(file.records.map((r) => [r.model, r.inputTokens, r.cachedInputTokens, r.outputTokens])).toEqual([
      ["gpt-4o-2024-08-06", 2000, 1500, 250],
      ["gpt-4o", 1000, 0, 750],
    ]);
    expect(file.records[0]!.startMs).toBe(Date.parse("2026-11-02T10:00:00Z"));
    expect(file.ignored).toEqual(["1 span without gen_ai.usage.* entry (ignored)"]);
  });

  test("the plain CSV: hourly rows with request counts and a batch flag", () => {
    const w = deriveWorkload(loadUsage(fixture("usage.csv")).records);
    expect(w.monthly.outputTokens).toBe(80_000 * 365);
    expect(w.cachedInputShare).toBe(0.25);
    expect(w.batchShare).toBe(120_000 / 480_000);
    expect(w.perRequest.meanOutputTokens).toBe(500);
  });

  test("a CSV cell that is not a count names the row and column", () => {
    const text =
      "start_time,model,input_tokens,output_tokens\n2026-11-02T00:00:00Z,m,12,1\n2026-11-02T00:00:00Z,m,twelve,1\n";
    expect(userErrorOf(() => parseUsage(text, "u.csv")).message).toContain("u.csv: row 2.input_tokens");
  });
});

describe("bad files", () => {
  test("JSON of no known shape lists the formats read", () => {
    expect(userErrorOf(() => parseUsage('{"hello": 1}', "x.json")).message).toContain("OpenAI usage completions pages");
  });

  test("a missing file is named", () => {
    expect(userErrorOf(() => loadUsage(fixture("nope.json"))).message).toContain("nope.json: file not found");
  });

  test("a file over the size bound is refused before it is read", () => {
    expect(userErrorOf(() => readUsageText(fixture("usage.csv"), 100)).message).toMatch(
      /usage\.csv: is \d+ bytes, over the 100/,
    );
    expect(readUsageText(fixture("usage.csv"), MAX_USAGE_FILE_BYTES)).toContain("start_time");
  });
});
