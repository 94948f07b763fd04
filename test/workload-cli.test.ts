import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { WorkloadSchema } from "../engine/scenario";

// The compiled CLI, as a user runs it (`npm test` builds first).
const root = path.join(__dirname, "..");
const bin = path.join(root, "bin", "breakeven.js");
const fixture = (name: string) => path.join("test", "fixtures", "usage", name);

function breakeven(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("breakeven workload", () => {
  test("--format json is the contract: span, 730-hour month, per-request, shares, hour-of-week profile, peak-to-mean", () => {
    const r = breakeven("workload", "--from", fixture("openai-completions-1h.json"), "--format", "json");
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout);
    expect(w.span).toEqual({ start: "2026-11-02T00:00:00.000Z", end: "2026-11-02T02:00:00.000Z", hours: 2 });
    expect(w.monthly).toEqual({
      inputTokens: 73_000_000,
      cachedInputTokens: 18_250_000,
      cacheWriteTokens: 3_650_000,
      outputTokens: 14_600_000,
      requests: 73_000,
    });
    expect(w.perRequest.source).toBe("bucket-mean");
    expect(w.cachedInputShare).toBe(0.25);
    expect(w.batchShare).toBe(0.25);
    expect(w.hourOfWeek).toHaveLength(168);
    expect(w.peakToMean).toBe(1.5);
    expect(w.trend).toBeNull();
    expect(w.files[0].ignored[0]).toContain("embeddings");
  });

  test("several files merge, and --models keeps the ones the stack would replace", () => {
    const r = breakeven(
      "workload",
      "--from",
      fixture("openai-completions-1h.json"),
      "--from",
      fixture("anthropic-messages-1h.json"),
      "--models",
      "gpt-4o-mini-2024-07-18,claude-sonnet-4-20250514",
      "--format",
      "json",
    );
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout);
    // 10,000 (gpt-4o-mini) + 20,000 (claude) output tokens over 2 hours.
    expect(w.monthly.outputTokens).toBe(30_000 * 365);
    expect(w.monthly.requests).toBeNull();
    expect(w.models.map((m: { model: string }) => m.model)).toEqual([
      "claude-sonnet-4-20250514",
      "gpt-4o-mini-2024-07-18",
    ]);
  });

  test("--format yaml prints a workload: block the scenario schema accepts", () => {
    const r = breakeven("workload", "--from", fixture("litellm-spend-logs.json"), "--format", "yaml");
    expect(r.code).toBe(0);
    const block = parse(r.stdout).workload;
    expect(block).toEqual({
      inputTokensPerMonth: 2_190_000,
      outputTokensPerMonth: 657_000,
      inputTokensPerRequest: 2000,
      outputTokensPerRequest: 600,
    });
    expect(WorkloadSchema.safeParse(block).success).toBe(true);
    expect(r.stdout).toContain("cachedInputShare: 0.1000");
  });

  test("a model in none of the files is exit 2 listing the models present", () => {
    const r = breakeven("workload", "--from", fixture("usage.csv"), "--models", "gpt-5");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: command line: --models: "gpt-5" is in none of the usage files; models present: "llama-3.3-70b"; see `breakeven workload --help`\n',
    );
  });

  test("a malformed bucket is exit 2 naming the file, the bucket index and the field, no stack trace", () => {
    const r = breakeven("workload", "--from", fixture("openai-bad-bucket.json"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: test\/fixtures\/usage\/openai-bad-bucket\.json: data\[1\]\.results\[0\]\.input_tokens: "50000" is not valid/,
    );
    expect(r.stderr.split("\n")).toHaveLength(2);
  });

  test("--from is required", () => {
    const r = breakeven("workload");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--from: is required");
  });

  test("the table says the span is thin and shows the profile by weekday", () => {
    const r = breakeven("workload", "--from", fixture("otel-genai-spans.json"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Warning: The usage spans 0.1 days, under 7");
    expect(r.stdout).toMatch(/^ {2}Mon 0{10}39 ?0{12}$/m);
  });
});
