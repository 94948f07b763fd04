import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { tempDir } from "./temp-dir";

// The compiled CLI, as a user runs it (`npm test` builds first).
const root = path.join(__dirname, "..");
const bin = path.join(root, "bin", "breakeven.js");

function breakeven(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function scenarioFile(text: string): string {
  const dir = tempDir("breakeven-cli-");
  tempDirs.push(dir);
  const file = path.join(dir, "scenario.yaml");
  fs.writeFileSync(file, text);
  return file;
}

const good = `model: llama-3.1-8b-instruct
node: { machineType: a3-highgpu-1g }
workload: { inputTokensPerMonth: 3e9, outputTokensPerMonth: 1e9, inputTokensPerRequest: 1500, outputTokensPerRequest: 500 }
api: { provider: openai, model: gpt-4o }
`;

describe("breakeven evaluate", () => {
  test("the dev stack gets a verdict, exit 0", () => {
    const r = breakeven("evaluate", "Pulumi.dev.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Verdict: USE THE API\n/);
    expect(r.stdout).toMatch(/Self-hosting total\s+\$5\d,\d{3}/);
  });

  test("--format json is the documented contract", () => {
    const r = breakeven("evaluate", "Pulumi.dev.yaml", "--format", "json");
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.verdict).toBe("api");
    for (const key of ["compute", "overhead", "ops", "preemption", "total"])
      expect(typeof e.selfHost.monthlyUsd[key]).toBe("number");
    for (const key of ["computeAtFullUtilization", "withOverheadAtFullUtilization", "allInAtDeclaredVolume"]) {
      expect(typeof e.selfHost.usdPerMillionOutputTokens[key]).toBe("number");
    }
    for (const key of ["outputTokensPerSecond", "kvCacheTokens", "maxConcurrency", "weightsGiBPerGpu", "fits"])
      expect(e.selfHost.capacity).toHaveProperty(key);
    expect(typeof e.selfHost.replicas).toBe("number");
    expect(typeof e.selfHost.nodes).toBe("number");
    expect(typeof e.selfHost.kvBytesPerToken).toBe("number");
    expect(typeof e.api.monthlyUsd).toBe("number");
    expect(e.breakEven).toHaveProperty("utilization");
    expect(e.breakEven).toHaveProperty("monthlyOutputTokens");
    expect(typeof e.savingsMonthlyUsd).toBe("number");
    expect(e.pricesAsOf.node).toBe("2026-07-30");
  });

  test("--format markdown leads with the verdict", () => {
    const r = breakeven("evaluate", "Pulumi.dev.yaml", "--format", "markdown");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("### ⛔ Use the API");
  });

  test.each([
    [
      "an unknown model",
      good.replace("llama-3.1-8b-instruct", "llama-9"),
      /: model: unknown model \(a file in model-configs\/\) "llama-9"; valid: .*llama-3\.1-8b-instruct/,
    ],
    [
      "an unknown machine type",
      good.replace("a3-highgpu-1g", "a9-megagpu-1g"),
      /: node\.machineType: unknown machine type "a9-megagpu-1g"; valid: a2-highgpu-1g, /,
    ],
    [
      "a typo in a key",
      good.replace("inputTokensPerRequest", "inputTokenPerRequest"),
      /: workload\.inputTokenPerRequest: unknown key "inputTokenPerRequest" \(did you mean "inputTokensPerRequest"\?\)/,
    ],
    [
      "a negative volume",
      good.replace("outputTokensPerMonth: 1e9", "outputTokensPerMonth: -1e9"),
      /: workload\.outputTokensPerMonth: -1000000000 is not valid/,
    ],
    ["malformed YAML", "model: [\n", /: line \d+, column \d+: is not valid YAML/],
    [
      "an alias bomb",
      `a: &a [x, x, x, x, x, x, x, x, x]\n${[..."bcdefghi"].map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`).join("\n")}\n`,
      /: is refused: its aliases expand more than 100 times/,
    ],
    [
      "5 MB of keys",
      Array.from({ length: 300_000 }, (_, i) => `key${i}: ${i}`).join("\n"),
      /: is 5,\d{3},\d{3} bytes, more than the 524,288 bytes \(512 KiB\) an input file may be/,
    ],
  ])("%s is one line on stderr and exit 2, no stack trace", (_what, text, message) => {
    const file = scenarioFile(text);
    const r = breakeven("evaluate", file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test("a file that does not exist is exit 2 naming it", () => {
    const r = breakeven("evaluate", "nope.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: nope.yaml: file not found\n");
  });

  test("a bad --format is exit 2 naming the flag and the valid values", () => {
    const r = breakeven("evaluate", "Pulumi.dev.yaml", "--format", "html");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: command line: --format: "html" is not valid; expected one of table, json, markdown; see `breakeven evaluate --help`\n',
    );
  });
});

describe("breakeven capacity", () => {
  /** `breakeven capacity` for Llama-3.1-8B on one H100 (a3-highgpu-1g) at 1,000 input and 1,000 output tokens a request. */
  const capacity8bOnH100 = (...flags: string[]) =>
    breakeven(
      "capacity",
      "--model",
      "llama-3.1-8b-instruct",
      "--machine-type",
      "a3-highgpu-1g",
      "--input-tokens",
      "1000",
      "--output-tokens",
      "1000",
      ...flags,
    );

  test("gives the fit and throughput figures as JSON", () => {
    const r = capacity8bOnH100("--format", "json");
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.fits).toBe(true);
    expect(c.kvBytesPerToken).toBe(131072);
    for (const key of [
      "weightsGiBPerGpu",
      "kvCacheTokens",
      "maxConcurrency",
      "outputTokensPerSecond",
      "perRequestOutputTokensPerSecond",
      "ttftMs",
    ]) {
      expect(typeof c[key], key).toBe("number");
    }
  });

  test("an unknown model is exit 2", () => {
    const r = breakeven(
      "capacity",
      "--model",
      "gpt-5",
      "--machine-type",
      "a3-highgpu-1g",
      "--input-tokens",
      "1",
      "--output-tokens",
      "1",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: command line: --model: unknown model "gpt-5"; valid: /);
  });

  test("a missing required flag is exit 2 with the usage", () => {
    const r = breakeven("capacity", "--model", "llama-3.1-8b-instruct");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: command line: --machine-type: is required; usage: breakeven capacity /);
  });

  test("a model whose weights overflow the GPU gets no false memory sum and no KV cache line", () => {
    const r = breakeven(
      "capacity",
      "--model",
      "llama-3.3-70b-instruct",
      "--machine-type",
      "a3-highgpu-1g",
      "--input-tokens",
      "1000",
      "--output-tokens",
      "100",
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[1]).toMatch(
      /^Memory per GPU: weights 131\.\d+ \+ reserve \d+\.\d+ GiB needed, 71\.\d+ GiB usable: no room for a KV cache$/,
    );
    expect(lines[2]).toMatch(/^Does not fit: weights need 131\.\d\d GiB/);
    expect(lines).toHaveLength(3);
  });

  // Llama 3.1 8B's context is 131,072 tokens; the request here is 1000 + 1000 = 2000.
  test.each([
    [
      ["--max-model-len", "1024"],
      'error: command line: --max-model-len: "1024" is not valid; expected a whole number from 2000 to 131072',
    ],
    [
      ["--gpu-memory-utilization", "abc"],
      'error: command line: --gpu-memory-utilization: "abc" is not valid; expected a number',
    ],
    [
      ["--gpu-memory-utilization", "1.5"],
      'error: command line: --gpu-memory-utilization: "1.5" is not valid: Too big: expected number to be <=1',
    ],
    [["--tp", "-1"], 'error: command line: --tp: "-1" is not valid; expected a whole number from 1 to 1'],
  ])("bad serving flags %j are exit 2 naming the flag as typed", (flags, line) => {
    const r = capacity8bOnH100(...flags);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${line}; see \`breakeven capacity --help\``);
  });
});
