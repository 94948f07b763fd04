import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { stackNames } from "../preview/stack-files";

/**
 * `breakeven preview --cwd examples/foreign-stack`: a platform team's own
 * program (a GKE cluster and a spot GPU pool written with @pulumi/gcp
 * directly: no llm-breakeven component, label or ConfigMap) run under mocks
 * through the compiled pack, driven as the engine drives a first preview.
 * The pack prices the pool from its inputs and the stack's `llm-breakeven:*`
 * config, which it reads from PULUMI_CONFIG.
 */
const root = path.join(__dirname, "..");
const project = path.join("examples", "foreign-stack");

function preview(stack: string, ...more: string[]) {
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, "dist", "cli", "main.js"),
      "preview",
      "--cwd",
      project,
      "--stack",
      stack,
      "--format",
      "json",
      ...more,
    ],
    { cwd: root, encoding: "utf8", timeout: 120_000 },
  );
  return { code: r.status, result: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}
const gate = (result: {
  policies: { name: string; violations: { enforcementLevel: string; message: string; urn?: string }[] }[];
}) => result.policies.find((p) => p.name === "llm-cost-verdict")!;

describe("a team's own stack, previewed offline", () => {
  test("the example ships the two stacks", () => {
    expect(stackNames(path.join(root, project))).toEqual(["api-wins", "self-host-wins"]);
  });

  test("where the API wins, the first preview is blocked on the pool with the dollar figures and the break-even", () => {
    const { code, result } = preview("api-wins");
    expect(code).toBe(1);
    expect(result.project).toBe("team-gpu");
    expect(result.verdict).toBeNull();
    expect(gate(result).violations).toEqual([
      {
        enforcementLevel: "mandatory",
        urn: "urn:pulumi:api-wins::team-gpu::gcp:container/nodePool:NodePool::team-gpu",
        message: expect.stringMatching(
          /^Self-hosting Llama 3\.3 70B Instruct on 1 x a3-highgpu-8g \(spot\) costs \$[\d,]+ a month against \$[\d,]+ for gpt-4o; break-even needs \d+ % utilization/,
        ),
      },
    ]);
    // Nothing else blocks: the pool's unset accelerators are unknown in its planned outputs, so the stack policies cannot decide.
    const mandatory = result.policies.flatMap((p: { violations: { enforcementLevel: string }[] }) =>
      p.violations.filter((v) => v.enforcementLevel === "mandatory"),
    );
    expect(mandatory).toHaveLength(1);
  });

  test("where self-hosting wins, the first preview passes", () => {
    const { code, result } = preview("self-host-wins");
    expect(code).toBe(0);
    expect(gate(result).violations).toEqual([]);
    expect(result.blocked).toBe(false);
  });

  test("a pack folder that is not a pack is one line, exit 2", () => {
    const { code, stderr } = preview("api-wins", "--policy-pack", "no-such-pack");
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});
