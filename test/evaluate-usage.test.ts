import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { evaluateFile, inputsFromFile } from "../cli/commands/evaluate";
import { evaluate } from "../engine/evaluate";
import { fleetContext } from "../engine/evaluate-usage";
import { usageFleets } from "../engine/fleet-evaluate";
import { profileChartSpec } from "../reports/chart-profile";
import { toJson } from "../reports/json";
import { renderEvaluationMarkdown } from "../reports/evaluation-markdown";
import { userErrorOf } from "./user-error";
import { tempDir } from "./temp-dir";

const root = path.join(__dirname, "..");
const example = path.join(root, "examples", "scenario-from-usage.yaml");
const toMonth = 730 / 168;

/** A scenario next to copies of the usage fixtures, so relative paths resolve as a user's would. */
function scenarioWith(text: string): string {
  const dir = tempDir("breakeven-usage-");
  for (const f of ["anthropic-messages-1h.json", "usage.csv"])
    fs.copyFileSync(path.join(root, "test", "fixtures", "usage", f), path.join(dir, f));
  fs.copyFileSync(path.join(root, "examples", "usage", "openai-usage-week.json"), path.join(dir, "week.json"));
  const file = path.join(dir, "scenario.yaml");
  fs.writeFileSync(file, text);
  return file;
}

const head = `model: llama-3.1-8b-instruct
node: { machineType: a3-highgpu-1g, pricing: on-demand }
replicas: { min: 1, max: 6 }
api: { provider: openai, model: gpt-4o }
`;

describe("workload.fromUsage: a week of hourly OpenAI usage, busy 09:00-17:00 on weekdays", () => {
  const { evaluation: e } = evaluateFile(example, "2026-12-01");
  const perReplicaHour = e.selfHost.capacity.outputTokensPerSecond * 3600;

  test("the volumes are the usage's: 168 hours scaled to 730 (40 busy hours of 28M and 128 quiet of 2M output tokens)", () => {
    expect(e.workload.outputTokensPerMonth).toBeCloseTo((40 * 28e6 + 128 * 2e6) * toMonth, 0);
    expect(e.workload.inputTokensPerRequest).toBe(1500);
    expect(e.api.rates.cachedInputShare).toBeCloseTo(1 / 3, 12);
    expect(e.selfHost.usageSpan).toMatchObject({
      start: "2026-11-02T00:00:00.000Z",
      hours: 168,
      files: ["usage/openai-usage-week.json"],
    });
  });

  test("one replica serves a quiet hour but not a busy one, so the autoscaler runs 2 x 40 + 1 x 128 replica-hours a week", () => {
    // Two replicas serve a busy hour and one does not: 14-28M tokens a replica-hour.
    expect(perReplicaHour).toBeGreaterThan(14e6);
    expect(perReplicaHour).toBeLessThan(28e6);
    const [peak, declared, auto] = e.selfHost.fleets!;
    expect(peak!.replicaHoursPerMonth).toBeCloseTo(2 * 168 * toMonth, 9);
    expect(declared!.meetsTarget).toBe(false);
    expect(declared!.hoursOverCapacity).toBe(40);
    expect(auto!.replicaHoursPerMonth).toBeCloseTo(208 * toMonth, 9);
    expect(auto!.scaleUpsPerMonth).toBeCloseTo(5 * toMonth, 9);
    expect(e.selfHost.fleetUsed).toBe("autoscaled");
  });

  test("utilization is an output: served tokens over what the autoscaled replicas could serve", () => {
    const served = 40 * 28e6 + 128 * 2e6;
    expect(e.workload.utilization).toBeCloseTo(served / (208 * perReplicaHour), 12);
  });

  test("the fleet used is the self-hosted cost, plus the one-time $12,000 over 12 months as its own line", () => {
    const auto = e.selfHost.fleets!.find((f) => f.kind === "autoscaled")!;
    expect(e.selfHost.monthlyUsd.oneTime).toBe(1000);
    expect(e.selfHost.monthlyUsd.total).toBeCloseTo(auto.monthlyUsd + 1000, 6);
    expect(e.savingsMonthlyUsd).toBeCloseTo(e.api.monthlyUsd - e.selfHost.monthlyUsd.total, 6);
    expect(e.verdict).toBe("self-host");
    expect(e.summary).toContain("autoscaled");
  });

  test("the hybrid sits beside pure self-hosting and pure API, and the JSON carries fleets, fleetUsed and hybrid", () => {
    expect(e.selfHost.hybrid!.points[0]!.monthlyUsd).toBeCloseTo(e.api.monthlyUsd, 6);
    const json = JSON.parse(toJson(e));
    expect(json.selfHost.fleets.map((f: { kind: string }) => f.kind)).toEqual([
      "fixed-peak",
      "fixed-declared",
      "autoscaled",
    ]);
    expect(json.selfHost.fleetUsed).toBe("autoscaled");
    expect(json.selfHost.hybrid.replicas).toBeGreaterThanOrEqual(0);
    expect(json.selfHost.fleets[0].replicasByHour).toBeUndefined();
  });

  test("the PR report shows the usage span, the three fleets and the hybrid", () => {
    const md = renderEvaluationMarkdown(e);
    expect(md).toContain("**Usage: 2026-11-02T00:00Z to 2026-11-09T00:00Z (7 days)");
    expect(md).toMatch(/\| autoscaled \(used\) \|/);
    expect(md).toContain("Hybrid:");
    expect(md).toContain("One-time cost, amortized");
  });
});

describe("workload.fromUsage mistakes and options", () => {
  test("typed volumes beside fromUsage are exit 2 naming the field", () => {
    const file = scenarioWith(`${head}workload: { fromUsage: { files: [week.json] }, outputTokensPerMonth: 1e9 }\n`);
    expect(userErrorOf(() => evaluateFile(file)).message).toContain(
      "workload.outputTokensPerMonth: workload.fromUsage derives outputTokensPerMonth",
    );
  });

  test("Anthropic's report has no request counts: the request sizes are asked for", () => {
    const file = scenarioWith(`${head}workload: { fromUsage: { files: [anthropic-messages-1h.json] } }\n`);
    expect(userErrorOf(() => evaluateFile(file)).message).toContain(
      "workload.inputTokensPerRequest: is required: the usage has no request counts",
    );
    const typed = scenarioWith(
      `${head}workload: { fromUsage: { files: [anthropic-messages-1h.json] }, inputTokensPerRequest: 2000, outputTokensPerRequest: 400 }\n`,
    );
    const { evaluation } = evaluateFile(typed, "2026-12-01");
    expect(evaluation.workload.inputTokensPerRequest).toBe(2000);
    expect(evaluation.warnings.some((w) => w.includes("under 7"))).toBe(true);
  });

  test("a model in none of the files names fromUsage.models", () => {
    const file = scenarioWith(`${head}workload: { fromUsage: { files: [usage.csv], models: [gpt-5] } }\n`);
    expect(userErrorOf(() => evaluateFile(file)).message).toContain("workload.fromUsage.models");
  });

  test("tokenOverheadPct 100 makes the self-hosted side serve 2x the tokens: the busy hours then need more replicas", () => {
    const plain = evaluateFile(
      scenarioWith(`${head}workload: { fromUsage: { files: [week.json] } }\n`),
      "2026-12-01",
    ).evaluation;
    const more = evaluateFile(
      scenarioWith(`${head}workload: { fromUsage: { files: [week.json] }, tokenOverheadPct: 100 }\n`),
      "2026-12-01",
    ).evaluation;
    const auto = (x: typeof plain) => x.selfHost.fleets!.find((f) => f.kind === "autoscaled")!;
    // 56M tokens in a busy hour now: 4 replicas at 14-18.7M a replica-hour (28M alone needed 2).
    const perReplicaHour = plain.selfHost.capacity.outputTokensPerSecond * 3600;
    expect(perReplicaHour).toBeGreaterThan(56e6 / 4);
    expect(perReplicaHour).toBeLessThan(56e6 / 3);
    expect(auto(more).peakReplicas).toBe(4);
    expect(auto(plain).peakReplicas).toBe(2);
    expect(more.selfHost.monthlyUsd.tokenOverhead).toBeGreaterThan(0);
    expect(more.api.monthlyUsd).toBeCloseTo(plain.api.monthlyUsd, 6);
  });
});

describe("the chart of a usage workload", () => {
  test("gains the hourly profile with the replicas each fleet runs, below the break-even", () => {
    const { inputs } = inputsFromFile(example, "2026-12-01");
    const e = evaluate(inputs);
    const { replicasByHour } = usageFleets(fleetContext(e, inputs));
    const spec = profileChartSpec(e, {
      start: inputs.usage!.span.start,
      hourlyOutputTokens: inputs.usage!.hourlyOutputTokens,
      replicasByHour,
    }) as { layer: { data: { values: { fleet?: string; replicas?: number }[] } }[] };
    const auto = spec.layer[1]!.data.values.filter((v) => v.fleet === "autoscaled (used)").map((v) => v.replicas);
    expect(auto).toHaveLength(168);
    // Monday: 9 quiet hours on 1 replica, 8 busy on 2.
    expect(auto.slice(0, 17)).toEqual([...new Array(9).fill(1), ...new Array(8).fill(2)]);
    expect(spec.layer[0]!.data.values).toHaveLength(168);
  });
});
