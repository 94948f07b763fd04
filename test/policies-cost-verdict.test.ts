import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { NODE_POOL_LABELS } from "../catalog/resource-contract";
import { costVerdictFindings, llmCostVerdict, LlmCostVerdictConfigSchema } from "../policies/llm-cost-verdict";
import { policyConfigSchema } from "../policies/config-schema";
import { gpuPool, MODEL, pulumiConfigOf, resource, runResourcePolicy, scenario } from "./policies-fixture";

// @pulumi/policy's unknown-checking proxy: what a policy's props are during a real preview.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(x: T): T };
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const catalog = loadCatalog();
/** The policy on one pool's inputs, with the stack's scenario (its `llm-breakeven:*` config) and a policy config. */
const findings = (
  pool = gpuPool(),
  stackScenario: Record<string, unknown> = scenario(),
  config: Record<string, unknown> = {},
) => costVerdictFindings(pool, stackScenario, config, catalog, "2026-11-23");
const poolUrn = gpuPool().urn;

// By hand: 1 node x $10/h x 730 h = $7,300 compute, 30 % overhead $2,190, ops 0.25 x $16,000 + $300 = $4,300
// (on-demand: no preemption) = $13,790. API: 60M x $2 + 20M x $12 per 1M = $360, so $1.8e-5 per output token.
// Break-even utilization: 13,790 / (1,000 tok/s x 3,600 x 730 x 1.8e-5) = 13,790 / 47,304 = 29 %.
// Break-even volume: (4,300 + 9,490 per replica) / 1.8e-5 = 766.11M output tokens a month.
const LOSING =
  "Self-hosting Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month against $360 for gemini-3-pro-preview; break-even needs 29 % utilization or 766.11M output tokens a month";

/** A team's own pool: @pulumi/gcp directly, no labels; its node counts and location say how many and where. */
const foreignPool = (over: Record<string, unknown> = {}) =>
  resource("gcp:container/nodePool:NodePool", "team-gpu", {
    cluster: UNKNOWN,
    location: "us-central1",
    nodeLocations: ["us-central1-a"],
    autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 1 },
    nodeConfig: {
      machineType: "a3-highgpu-1g",
      spot: false,
      guestAccelerators: [{ type: "nvidia-h100-80gb", count: 1 }],
    },
    ...over,
  });

describe("llm-cost-verdict", () => {
  test("blocks a pool whose self-hosting costs more than the API, with the dollar figures", () => {
    expect(findings()).toEqual({ violations: [{ urn: poolUrn, message: `${LOSING}.` }] });
  });

  test("a team's own pool without labels gets the same verdict, priced from its inputs", () => {
    expect(findings(foreignPool()).violations[0]?.message).toBe(`${LOSING}.`);
  });

  test("passes when the volume makes self-hosting cheaper", () => {
    const busy = scenario();
    busy.workload = { ...busy.workload, inputTokensPerMonth: 3e9, outputTokensPerMonth: 1e9 };
    expect(findings(gpuPool(), busy)).toEqual({ violations: [] });
  });

  // 700M output and 2.1B input tokens a month: the API costs 2,100 x $2 + 700 x $12 = $12,600, one replica still
  // suffices, so self-hosting's $13,790 loses by $1,190, 9.4 % of the API's cost.
  const nearBreakEven = () => {
    const s = scenario();
    s.workload = { ...s.workload, inputTokensPerMonth: 2.1e9, outputTokensPerMonth: 7e8 };
    return s;
  };

  test("passes a loss within the margin: $1,190 over the API is within 10 % of $12,600", () => {
    expect(findings(gpuPool(), nearBreakEven(), { marginPct: 10 })).toEqual({ violations: [] });
  });

  test("names the margin when the loss exceeds it", () => {
    expect(findings(gpuPool(), nearBreakEven(), { marginPct: 5 }).violations[0]?.message).toBe(
      "Self-hosting Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month against $12,600 for gemini-3-pro-preview; break-even needs 29 % utilization or 766.11M output tokens a month (more than the 5 % margin).",
    );
  });

  test("a policy config key wins over the stack config's: the busy workload given in --policy-pack-config passes", () => {
    const busy = { ...scenario().workload, inputTokensPerMonth: 3e9, outputTokensPerMonth: 1e9 };
    expect(findings(gpuPool(), scenario(), { workload: busy })).toEqual({ violations: [] });
  });

  test("an override with a justification turns the block into an advisory that echoes it", () => {
    const why = "Customer contract requires on-prem inference by Q3";
    expect(findings(gpuPool(), scenario(), { overrideJustification: why })).toEqual({
      violations: [
        {
          urn: poolUrn,
          advisory: true,
          message: `Overridden with the justification "${why}": self-hosting Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month against $360 for gemini-3-pro-preview; break-even needs 29 % utilization or 766.11M output tokens a month.`,
        },
      ],
    });
  });

  test("an override without a real justification is a violation of its own", () => {
    expect(findings(gpuPool(), scenario(), { overrideJustification: "because" })).toEqual({
      violations: [
        {
          message:
            "The llm-cost-verdict policy config is not valid: overrideJustification: write at least 20 characters saying why self-hosting is accepted although the API is cheaper.",
        },
      ],
    });
  });

  test("a config key the CLI's schema check lets through (top-level typo) comes back as a violation naming it", () => {
    expect(findings(gpuPool(), scenario(), { marginPtc: 5 }).violations[0]?.message).toMatch(
      /^The llm-cost-verdict policy config is not valid: \(config\): Unrecognized key: "marginPtc"/,
    );
  });

  test("passes and says so when the API is not allowed", () => {
    const privateOnly = scenario();
    privateOnly.api = { ...privateOnly.api, allowed: false };
    const result = findings(gpuPool(), privateOnly);
    expect(result.violations).toEqual([]);
    expect(result.passNote).toBe(
      "Passes without a cost comparison: The API is not allowed for this workload, so self-hosting is the only option: Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month.",
    );
  });

  test("a pool without a workload or API to compare with is a mandatory violation saying what to set (it would hide a cost)", () => {
    const { workload, api, ...rest } = scenario();
    void workload;
    void api;
    expect(findings(gpuPool(), rest)).toEqual({
      violations: [
        {
          urn: poolUrn,
          message:
            "GPU node pool gpu is declared, but neither the stack config nor this policy's config gives llm-breakeven:workload or llm-breakeven:api to compare it with: set workload and api with `pulumi config set --path` (the keys and schema of Pulumi.<stack>.yaml) or in --policy-pack-config.",
        },
      ],
    });
  });

  test("reads the node facts from the pool, not the scenario: a spot pool is priced as spot", () => {
    const priced = findings(gpuPool({ spot: true })).violations[0]?.message;
    // Spot adds the preemption line: 0.5 a day x 730/24 days x 20 min x $10/h = $50.69, so $13,841.
    expect(priced).toMatch(/^Self-hosting Llama 3\.1 8B Instruct on 1 x a3-highgpu-1g \(spot\) costs \$13,841 a month/);
  });

  test("an accelerator that the machine type does not carry is reported", () => {
    expect(findings(gpuPool({ accelerator: "nvidia-tesla-a100" })).violations).toEqual([
      {
        urn: poolUrn,
        message: "Node pool gpu declares accelerator nvidia-tesla-a100, but a3-highgpu-1g carries nvidia-h100-80gb.",
      },
    ]);
  });

  test("a label that is not a whole number is reported with its key", () => {
    const labels = { [NODE_POOL_LABELS.model]: MODEL, [NODE_POOL_LABELS.replicasMax]: "many" };
    expect(findings(gpuPool({ labels })).violations).toEqual([
      {
        urn: poolUrn,
        message: 'Node pool gpu: label llm-breakeven.dev/replicas-max is "many", expected a whole number.',
      },
    ]);
  });

  test("an unknown model names the valid ones", () => {
    const labels = { [NODE_POOL_LABELS.model]: "gpt-5" };
    expect(findings(gpuPool({ labels })).violations[0]?.message).toMatch(
      /^Node pool gpu: model: unknown model \(a file in model-configs\/\) "gpt-5"; valid: deepseek-r1, /,
    );
  });

  test("a GPU machine type the catalog does not price is a mandatory violation naming the field, never $0", () => {
    const result = findings(
      foreignPool({
        nodeConfig: { machineType: "a9-megagpu-8g", guestAccelerators: [{ type: "nvidia-h100-80gb", count: 8 }] },
      }),
    );
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]!.advisory).toBeUndefined();
    expect(result.violations[0]!.message).toMatch(/^Node pool team-gpu: node\.machineType: .*"a9-megagpu-8g"/);
  });

  test("a pool in a region without a catalog price says so (the stack sets no hourlyUsd override)", () => {
    const s = scenario();
    s.node = { coldStartMinutes: 20 };
    const result = findings(foreignPool({ location: "antarctica-south1", nodeLocations: undefined }), s);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]!.message).toMatch(/^Node pool team-gpu: .*antarctica-south1/);
  });

  test("a pool without GPUs is none of its business", () => {
    const systemPool = resource("gcp:container/nodePool:NodePool", "system", {
      nodeConfig: { machineType: "e2-standard-4" },
    });
    expect(findings(systemPool)).toEqual({ violations: [] });
  });

  test("an unknown machine type during preview is not guessed: reading it raises @pulumi/policy's unknown error", () => {
    const pool = gpuPool();
    const unknownPool = {
      ...pool,
      props: unknownCheckingProxy({ ...pool.props, nodeConfig: { ...pool.props.nodeConfig, machineType: UNKNOWN } }),
    };
    expect(() => findings(unknownPool)).toThrow(
      "string value at .nodeConfig.machineType can't be known during preview",
    );
  });

  test("inputs with nodeCount left unset (unknown only in the outputs) are priced: the policy reads autoscaling", () => {
    const pool = foreignPool();
    expect(findings({ ...pool, props: unknownCheckingProxy(pool.props) }).violations[0]?.message).toBe(`${LOSING}.`);
  });

  test("runs as a mandatory resource policy on node pools, reading the stack config from PULUMI_CONFIG", async () => {
    expect(llmCostVerdict.enforcementLevel).toBe("mandatory");
    const run = await runResourcePolicy(llmCostVerdict, gpuPool());
    expect(run.violations).toEqual([{ message: `${LOSING}.`, urn: poolUrn }]);
    const overridden = await runResourcePolicy(llmCostVerdict, gpuPool(), {
      overrideJustification: "Residency review pending, see ticket 42",
    });
    expect(overridden.violations[0]?.enforcementLevel).toBe("advisory");
    const busy = {
      ...scenario(),
      workload: { ...scenario().workload, inputTokensPerMonth: 3e9, outputTokensPerMonth: 1e9 },
    };
    expect((await runResourcePolicy(llmCostVerdict, gpuPool(), {}, pulumiConfigOf(busy))).violations).toEqual([]);
  });

  test("ignores every resource that is not a node pool", async () => {
    const ns = resource("kubernetes:core/v1:Namespace", "llm", { metadata: { name: "llm" } });
    expect(await runResourcePolicy(llmCostVerdict, ns)).toEqual({ violations: [], notApplicable: undefined });
  });

  test("its configSchema is the JSON schema of its zod config, without defaults", () => {
    const schema = policyConfigSchema(LlmCostVerdictConfigSchema);
    expect(schema.properties.marginPct).toEqual({
      type: "number",
      minimum: 0,
      maximum: 1000,
      description: expect.stringContaining("Defaults to 0"),
    });
    expect(schema.properties.overrideJustification).toMatchObject({ type: "string", minLength: 20 });
    expect(Object.keys(schema.properties).sort()).toEqual([
      "api",
      "marginPct",
      "model",
      "ops",
      "overrideJustification",
      "serving",
      "throughput",
      "weightDtype",
      "workload",
    ]);
    expect(JSON.stringify(schema)).not.toContain('"default"');
  });
});
