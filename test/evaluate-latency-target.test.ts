import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { resolveInputs } from "../catalog/resolve";
import { parseScenario } from "../catalog/scenario-file";
import { evaluate } from "../engine/evaluate";
import { appliedLatencyTarget, describeLatencyTarget } from "../engine/latency-target";
import { renderEvaluationMarkdown } from "../reports/evaluation-markdown";
import { renderEvaluationTable } from "../reports/evaluation-table";
import { toJson } from "../reports/json";

const catalog = loadCatalog();
const TODAY = "2026-11-23";

/** Qwen3 32B on two A100 80GB with 4000-token prompts and 800-token replies (the qwen32b-a100 stack's workload). */
function qwen(workloadExtra = "", apiExtra = "") {
  const text = `
model: qwen3-32b
node: { machineType: a2-ultragpu-2g, region: us-central1, pricing: spot }
workload: { inputTokensPerMonth: 4e9, outputTokensPerMonth: 8e8, inputTokensPerRequest: 4000, outputTokensPerRequest: 800${workloadExtra} }
api: { provider: openai, model: gpt-4o${apiExtra} }
`;
  const { scenario } = parseScenario(text, "scenario.yaml");
  return evaluate(resolveInputs(scenario, catalog, { file: "scenario.yaml" }, TODAY));
}

describe("which latency target applies", () => {
  const chat = catalog.assumptions.latencyTargets.interactive;

  test("the published chat target is 25 output tok/s per request (MLPerf's 40 ms TPOT) and a TTFT of at most 2000 ms", () => {
    expect(chat.minOutputTokensPerSecondPerRequest).toBe(1000 / 40);
    expect(chat.maxTimeToFirstTokenMs).toBe(2000);
    expect(chat.source).toMatch(/mlcommons\/inference loadgen\/mlperf\.conf @[0-9a-f]{40}/);
  });

  test("a workload that says nothing is interactive and gets the chat target", () => {
    const e = qwen();
    expect(e.workload.kind).toBe("interactive");
    expect(e.latencyTarget.source).toBe("interactive-default");
    expect(e.latencyTarget.target).toEqual({ minOutputTokensPerSecondPerRequest: 25, maxTimeToFirstTokenMs: 2000 });
    expect(e.selfHost.capacity.perRequestOutputTokensPerSecond).toBeGreaterThanOrEqual(25);
    expect(e.selfHost.capacity.ttftMs).toBeLessThanOrEqual(2000);
  });

  test("a batch workload is credited at peak throughput, with no target", () => {
    const batch = qwen(", kind: batch");
    const chatty = qwen();
    expect(batch.latencyTarget).toMatchObject({ kind: "batch", source: "none", target: undefined });
    expect(batch.selfHost.capacity.bindingLimit).not.toBe("latency-target");
    expect(batch.selfHost.capacity.outputTokensPerSecond).toBeGreaterThan(
      chatty.selfHost.capacity.outputTokensPerSecond,
    );
  });

  test("a declared target wins over the default, for either kind", () => {
    for (const kind of ["interactive", "batch"]) {
      const e = qwen(`, kind: ${kind}, latency: { minOutputTokensPerSecondPerRequest: 10 }`);
      expect(e.latencyTarget).toMatchObject({ source: "declared", target: { minOutputTokensPerSecondPerRequest: 10 } });
    }
  });

  test("an empty latency block declares nothing, so the kind's default applies", () => {
    const w = { ...qwen().workload, latency: {} };
    expect(appliedLatencyTarget(w, catalog.assumptions).source).toBe("interactive-default");
  });

  test("an unknown kind is refused naming the valid ones", () => {
    expect(() => qwen(", kind: chat")).toThrow(
      /workload\.kind: "chat" is not valid: expected one of "interactive", "batch"/,
    );
  });

  test("every report names the target that applied", () => {
    const e = qwen();
    const line = describeLatencyTarget(e.latencyTarget);
    expect(line).toBe("at least 25 output tok/s per request, TTFT at most 2000 ms (default for interactive workloads)");
    expect(renderEvaluationTable(e)).toContain(`Latency target: ${line}`);
    expect(renderEvaluationMarkdown(e)).toContain(`**Latency target:** ${line}`);
    expect(JSON.parse(toJson(e)).latencyTarget).toMatchObject({
      kind: "interactive",
      source: "interactive-default",
      target: { minOutputTokensPerSecondPerRequest: 25, maxTimeToFirstTokenMs: 2000 },
    });
    expect(describeLatencyTarget(qwen(", kind: batch").latencyTarget)).toBe("none (batch: peak throughput credited)");
  });
});

describe("no savings figure when self-hosting cannot serve", () => {
  // A 20 tok/s floor is met; 1000 tok/s per request is beyond any A100 for a 32B model.
  const unservable = () => qwen(", latency: { minOutputTokensPerSecondPerRequest: 1000 }");

  test("the JSON field is null and the verdict is the API", () => {
    const e = unservable();
    expect(e.selfHost.capacity.canServe).toBe(false);
    expect(e.verdict).toBe("api");
    expect(e.savingsMonthlyUsd).toBeNull();
    expect(JSON.parse(toJson(e)).savingsMonthlyUsd).toBeNull();
  });

  test("the table and markdown say why instead of a dollar figure", () => {
    const e = unservable();
    const why =
      "Savings by self-hosting: none: self-hosting cannot serve this workload (it misses the latency target even at one request)";
    expect(renderEvaluationTable(e)).toContain(why);
    expect(renderEvaluationMarkdown(e)).toContain(`**${why.replace(": none", ":** none")}`);
    expect(renderEvaluationTable(e)).not.toMatch(/Savings by self-hosting: -?\$/);
  });

  test("a servable stack keeps its figure: API minus self-hosting", () => {
    const e = qwen(", kind: batch");
    expect(e.selfHost.capacity.canServe).toBe(true);
    expect(e.savingsMonthlyUsd).toBeCloseTo(e.api.monthlyUsd - e.selfHost.monthlyUsd.total, 6);
  });
});
