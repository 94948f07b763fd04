import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stackNames } from "../preview/stack-files";
import { tempDir } from "./temp-dir";

/**
 * The offline preview end to end, as CI runs it: the compiled CLI (`npm test`
 * builds first) runs each stack's program under mocks and sends every
 * resource through the compiled policy pack, a separate process, over gRPC.
 */
const root = path.join(__dirname, "..");
const cli = path.join(root, "dist", "cli", "main.js");

const runs = new Map<string, { code: number | null; stdout: string; stderr: string }>();
/** Runs the CLI once per argument list: the same preview is asked by several tests, and each costs seconds. */
function run(args: string[]) {
  const key = JSON.stringify(args);
  const cached = runs.get(key);
  if (cached) return cached;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
  const result = { code: r.status, stdout: r.stdout, stderr: r.stderr };
  runs.set(key, result);
  return result;
}

/** A `--policy-pack-config` file with this content, in a fresh temporary folder. */
const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function policyConfigFile(config: unknown): string {
  const dir = tempDir("breakeven-policy-config-");
  tempDirs.push(dir);
  const file = path.join(dir, "policy-config.json");
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

beforeAll(() => {
  if (!fs.existsSync(path.join(root, "dist", "policies", "PulumiPolicy.yaml")))
    throw new Error("dist/ is not built: run `npm run build` (npm test does)");
});

describe("breakeven preview", () => {
  test("the dev stack (Kimi K2.5 on an 8xH100 spot node for light R&D use) is blocked by llm-cost-verdict", () => {
    const { code, stdout } = run(["preview", "--stack", "dev", "--format", "json"]);
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result.blocked).toBe(true);
    expect(result.verdict.verdict).toBe("api");
    const cost = result.policies.find((p: { name: string }) => p.name === "llm-cost-verdict");
    expect(cost.enforcementLevel).toBe("mandatory");
    expect(cost.violations).toEqual([
      {
        message: expect.stringMatching(
          /^Self-hosting Kimi K2\.5 on 1 x a3-highgpu-8g \(spot\) costs \$[\d,]+ a month against \$[\d,]+ for gemini-3-pro-preview; break-even needs/,
        ),
        urn: expect.stringMatching(/gcp:container\/nodePool:NodePool::gpu$/),
        enforcementLevel: "mandatory",
      },
    ]);
  });

  test("the JSON contract: stack, case, resources with the inputs the policies saw and their options, policies, blocked, verdict", () => {
    const result = JSON.parse(run(["preview", "--stack", "dev", "--format", "json"]).stdout);
    expect(result.stack).toBe("dev");
    expect(result.previewCase).toBe("new-stack");
    const k8sProvider = result.resources.find((r: { type: string }) => r.type === "pulumi:providers:kubernetes");
    const deployment = result.resources.find((r: { type: string }) => r.type === "kubernetes:apps/v1:Deployment");
    expect(deployment.options).toMatchObject({
      parent: expect.stringMatching(/VllmDeployment::vllm$/),
      provider: `${k8sProvider.urn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`,
      dependsOn: expect.any(Array),
    });
    const pool = result.resources.find(
      (r: { type: string; inputs: any }) =>
        r.type === "gcp:container/nodePool:NodePool" && r.inputs.nodeConfig?.guestAccelerators,
    );
    expect(pool).toMatchObject({
      name: expect.any(String),
      urn: expect.stringMatching(/^urn:pulumi:dev::llm-breakeven::/),
      inputs: { nodeConfig: { machineType: "a3-highgpu-8g", spot: true } },
    });
    expect(result.policies.map((p: { name: string }) => p.name).sort()).toEqual([
      "llm-cost-verdict",
      "model-fits-gpu",
      "pinned-serving-versions",
      "spot-gpu-safety",
    ]);
    expect(JSON.stringify(result.resources)).not.toContain("offline-preview-placeholder");
  });

  test("a value only the cloud knows (the project number in the metrics adapter's principal) is unknown, never the text undefined", () => {
    const result = JSON.parse(run(["preview", "--stack", "dev", "--format", "json"]).stdout);
    const member = result.resources.find((r: { type: string }) => r.type === "gcp:projects/iAMMember:IAMMember");
    expect(member.inputs.member).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
    expect(JSON.stringify(result)).not.toMatch(/undefined|NaN|Infinity|\[object Object\]/);
  });

  // Both preview cases the engine knows: the first preview of a new stack and a preview of the stack as it
  // stands (pkg/resource/deploy/step_generator.go, pulumi/pulumi@1b594989). The cost gate runs on the pool's
  // inputs in both, so its verdict is evaluate's; the stack policies see unknowns only in the first.
  test.each(
    stackNames(root).flatMap((stack) => [
      [stack, "new-stack"],
      [stack, "update"],
    ]),
  )(
    "stack %s, %s: the cost gate gives evaluate's verdict, and the exit code follows the policies",
    { timeout: 180_000 },
    (stack, previewCase) => {
      const preview = run([
        "preview",
        "--stack",
        stack,
        ...(previewCase === "update" ? ["--case", "update"] : []),
        "--format",
        "json",
      ]);
      const result = JSON.parse(preview.stdout);
      expect(preview.code).toBe(result.blocked ? 1 : 0);
      const evaluated = JSON.parse(run(["evaluate", `Pulumi.${stack}.yaml`, "--format", "json"]).stdout);
      expect(result.verdict).toEqual(evaluated);
      const gate = result.policies.find((p: { name: string }) => p.name === "llm-cost-verdict");
      expect(gate.violations.some((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory")).toBe(
        evaluated.verdict === "api",
      );
      const mandatory = result.policies.flatMap((p: { violations: { enforcementLevel: string; message: string }[] }) =>
        p.violations.filter((v) => v.enforcementLevel === "mandatory"),
      );
      if (previewCase === "new-stack")
        expect(mandatory.every((v: { message: string }) => !/can't run|cannot be checked/.test(v.message))).toBe(true);
      if (stack === "llama70b-h100") {
        // The stack written so that self-hosting wins on honest numbers.
        expect(evaluated.verdict).toBe("self-host");
        expect(preview.code).toBe(0);
      }
    },
  );

  test(
    "on the dev stack's first preview the Kubernetes checks wait for the cluster; on an update they run in full",
    { timeout: 180_000 },
    () => {
      const first = JSON.parse(run(["preview", "--stack", "dev", "--format", "json"]).stdout);
      const pinnedFirst = first.policies.find((p: { name: string }) => p.name === "pinned-serving-versions");
      expect(pinnedFirst.violations).toEqual([
        {
          enforcementLevel: "advisory",
          urn: undefined,
          message: expect.stringMatching(
            /^The driver installer's version, the serving image's digest and the NCCL pin cannot be checked until the cluster exists: /,
          ),
        },
      ]);
      const update = JSON.parse(run(["preview", "--stack", "dev", "--case", "update", "--format", "json"]).stdout);
      expect(update.policies.find((p: { name: string }) => p.name === "pinned-serving-versions").violations).toEqual(
        [],
      );
    },
  );

  test("the markdown report starts with its marker and the outcome", () => {
    const { code, stdout } = run(["preview", "--stack", "dev", "--format", "markdown"]);
    expect(code).toBe(1);
    expect(stdout.split("\n").slice(0, 4)).toEqual([
      "<!-- llm-breakeven-preview:dev -->",
      "## llm-breakeven · stack `dev`",
      "",
      "⛔ **Preview blocked** by a mandatory policy",
    ]);
  });

  test("the PR report says how the verdict moves with each input, and whether it is fragile", () => {
    const { stdout } = run(["preview", "--stack", "dev", "--format", "markdown"]);
    const json = JSON.parse(run(["preview", "--stack", "dev", "--format", "json"]).stdout);
    // The dev stack loses by a factor of 100: no single input within ±10 % flips it.
    expect(json.sensitivity.fragile).toBe(false);
    expect(stdout).toContain("#### Sensitivity\n\n**Robust verdict.** ");
    expect(stdout.indexOf("#### Sensitivity")).toBeLessThan(stdout.indexOf("### Policy results"));
  });

  test.each([
    [["preview"], "error: command line: --stack: is required; usage: breakeven preview --stack <name>"],
    [["preview", "--stack", "nope"], 'error: command line: --stack: no stack "nope": Pulumi.nope.yaml not found in '],
    [
      ["preview", "--stack", "dev", "--case", "later"],
      'error: command line: --case: "later" is not valid; expected one of new-stack, update',
    ],
    [
      ["preview", "--stack", "dev", "--cwd", "no-such-dir"],
      'error: command line: --cwd: "no-such-dir" has no Pulumi.yaml',
    ],
    [
      ["preview", "--stack", "dev", "--format", "xml"],
      'error: command line: --format: "xml" is not valid; expected one of table, json, markdown',
    ],
    [["preview", "--stack", "dev", "--policy-pack-config", "missing.json"], "error: missing.json: file not found"],
    [
      [
        "preview",
        "--stack",
        "dev",
        "--policy-pack-config",
        policyConfigFile({ "llm-cost-verdict": { marginPct: "ten" } }),
      ],
      "error: --policy-pack-config: validating policy config: llm-breakeven 0.1.0  llm-cost-verdict: marginPct: must be number",
    ],
    [
      ["preview", "--stack", "dev", "--policy-pack-config", policyConfigFile({ "llm-cost-verdict": "blocking" })],
      ': llm-cost-verdict: parsing enforcement level: "blocking" is not a valid enforcement level; valid: advisory, mandatory, disabled, remediate',
    ],
    [
      ["preview", "--stack", "dev", "--policy-pack-config", policyConfigFile({ environments: "prod" })],
      ": environments: must be an array of strings",
    ],
    [
      ["preview", "--stack", "dev", "--policy-pack", "no-such-pack"],
      'error: command line: --policy-pack: "no-such-pack" has no PulumiPolicy.yaml',
    ],
  ])("bad input %j exits 2 with one line", (args, start) => {
    const { code, stderr, stdout } = run(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(start);
    expect(stderr.startsWith("error: ")).toBe(true);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  test("a policy config lowers a policy to advisory, and the preview then passes", () => {
    const file = path.join(root, "dist", "test-policy-config.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ "llm-cost-verdict": { overrideJustification: "Residency review pending, see ticket 42" } }),
    );
    const result = JSON.parse(
      run(["preview", "--stack", "dev", "--format", "json", "--policy-pack-config", file]).stdout,
    );
    const cost = result.policies.find((p: { name: string }) => p.name === "llm-cost-verdict");
    expect(cost.violations[0].enforcementLevel).toBe("advisory");
    expect(cost.violations[0].message).toMatch(
      /^Overridden with the justification "Residency review pending, see ticket 42": self-hosting Kimi K2\.5/,
    );
  });

  test("policy config as the CLI takes it: `all` sets every level, `environments` is stripped, an unknown policy name is ignored and said so", () => {
    const file = policyConfigFile({ all: "advisory", environments: ["prod"], "llm-cost-verdct": { marginPct: 10 } });
    const { code, stdout } = run(["preview", "--stack", "dev", "--format", "json", "--policy-pack-config", file]);
    const result = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(result.policies.map((p: { enforcementLevel: string }) => p.enforcementLevel)).toEqual([
      "advisory",
      "advisory",
      "advisory",
      "advisory",
    ]);
    expect(result.ignoredPolicyConfig).toEqual(["llm-cost-verdct"]);
  });

  // What `pulumi preview --policy-pack policies` runs: the TypeScript sources in policies/, launched by
  // run-policy-pack, which registers ts-node (type-checking) as the CLI's Node.js policy host does.
  test("the TypeScript pack in policies/ runs unchanged the way the Pulumi CLI launches it", () => {
    const result = JSON.parse(
      run(["preview", "--stack", "dev", "--format", "json", "--policy-pack", "policies"]).stdout,
    );
    expect(result.policyPack).toEqual({ name: "llm-breakeven", version: "0.1.0", dir: "policies" });
    expect(result.blocked).toBe(true);
  });
});
