import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { resolveInputs } from "../catalog/resolve";
import { evaluate, type Evaluation } from "../engine/evaluate";
import { ScenarioSchema } from "../engine/scenario";
import type { PreviewResult } from "../reports/preview-result";
import { toJson } from "../reports/json";
import { renderPreviewMarkdown } from "../reports/preview-markdown";
import { renderPreviewTable } from "../reports/preview-table";
import { scenario } from "./policies-fixture";

/**
 * Golden files for the preview reports. The verdict is the engine's on the
 * policy tests' hand-checkable scenario (a measured 1,000 tok/s, $10/h, API
 * at $2 / $12: $13,790 a month against $360), frozen in
 * golden/preview-verdict.json so that a change to the capacity model's
 * estimates does not churn the report goldens. Run with UPDATE_GOLDEN=1 to
 * re-evaluate and rewrite every file after an intended change, and review
 * the diff.
 */
const GOLDEN = path.join(__dirname, "golden");

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(file, `${actual}\n`);
  expect(actual).toBe(fs.readFileSync(file, "utf8").replace(/\n$/, ""));
}

function frozenVerdict(): Evaluation {
  const file = path.join(GOLDEN, "preview-verdict.json");
  if (process.env.UPDATE_GOLDEN === "1") {
    const verdict = evaluate(
      resolveInputs(ScenarioSchema.parse(scenario()), loadCatalog(), { file: "test" }, "2026-11-23"),
    );
    fs.writeFileSync(file, `${toJson(verdict)}\n`);
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as Evaluation;
}

function previewResult(blocked: boolean): PreviewResult {
  const verdict = frozenVerdict();
  const urn = (type: string, name: string) => `urn:pulumi:test::llm-breakeven::${type}::${name}`;
  const resources = [
    ["gcp:container/cluster:Cluster", "gke"],
    ["gcp:container/nodePool:NodePool", "system"],
    ["gcp:container/nodePool:NodePool", "gpu"],
    ["kubernetes:core/v1:ConfigMap", "vllm-scenario"],
    ["kubernetes:apps/v1:Deployment", "vllm"],
  ].map(([type, name]) => ({
    type: type!,
    name: name!,
    urn: urn(type!, name!),
    parent: undefined,
    dependencies: [],
    inputs: {},
    options: { dependsOn: [], parent: undefined, provider: undefined, protect: false, ignoreChanges: [] },
  }));
  const why = "Customer contract requires on-prem inference by Q3";
  const cost =
    "self-hosting Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month against $360 for gemini-3-pro-preview; break-even needs 29 % utilization or 766.11M output tokens a month.";
  return {
    stack: "test",
    project: "llm-breakeven",
    previewCase: "new-stack",
    policyPack: { name: "llm-breakeven", version: "0.1.0", dir: "dist/policies" },
    resources,
    diagnostics: [{ severity: "warning", message: "llm-breakeven (verdict: api): The API wins.", urn: undefined }],
    policies: [
      {
        name: "llm-cost-verdict",
        description: "Self-hosting must not cost more than the API.",
        enforcementLevel: "mandatory",
        violations: blocked
          ? [
              {
                message: `S${cost.slice(1)}`,
                urn: urn("gcp:container/nodePool:NodePool", "gpu"),
                enforcementLevel: "mandatory",
              },
            ]
          : [
              {
                message: `Overridden with the justification "${why}": ${cost}`,
                urn: urn("gcp:container/nodePool:NodePool", "gpu"),
                enforcementLevel: "advisory",
              },
            ],
        notApplicable: [],
      },
      {
        name: "model-fits-gpu",
        description: "Fits.",
        enforcementLevel: "mandatory",
        violations: [],
        notApplicable: [],
      },
      {
        name: "spot-gpu-safety",
        description: "Spot safety.",
        enforcementLevel: "advisory",
        violations: [],
        notApplicable: ["The stack declares no spot GPU node pools."],
      },
    ],
    ignoredPolicyConfig: [],
    blocked,
    verdict,
  };
}

describe("preview reports", () => {
  test("the frozen verdict is the hand-checked one: $13,790 against $360", () => {
    const v = frozenVerdict();
    expect([v.verdict, v.selfHost.monthlyUsd.total, v.api.monthlyUsd]).toEqual(["api", 13790, 360]);
  });

  test("the PR comment of a blocked preview: verdict first, cost table, break-even, assumptions, policy results", () => {
    const md = renderPreviewMarkdown(previewResult(true));
    golden("preview-blocked.md", md);
    const order = [
      "Preview blocked",
      "Use the API",
      "| Monthly cost | USD |",
      "Break-even",
      "Prices:",
      "Policy results",
    ].map((s) => md.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test("the PR comment of a preview passed with an override echoes the justification", () => {
    const md = renderPreviewMarkdown(previewResult(false));
    golden("preview-overridden.md", md);
    expect(md).toContain("Customer contract requires on-prem inference by Q3");
  });

  test("the terminal summary", () => {
    golden("preview-blocked.txt", renderPreviewTable(previewResult(true)));
  });

  test("a team's own project has no stack-file verdict: the reports show the policies' dollar figures alone", () => {
    const r = { ...previewResult(true), project: "team-gpu", verdict: null };
    const md = renderPreviewMarkdown(r);
    expect(md).not.toContain("| Monthly cost | USD |");
    expect(md).toContain(
      "gpu: Self-hosting Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month",
    );
    expect(renderPreviewTable(r)).toMatch(/Preview BLOCKED by a mandatory policy\.$/);
  });

  test("a message with a pipe does not break the markdown table", () => {
    const r = previewResult(true);
    r.policies[0]!.violations[0]!.message = "a | b";
    expect(renderPreviewMarkdown(r)).toContain("gpu: a \\| b |");
  });
});
