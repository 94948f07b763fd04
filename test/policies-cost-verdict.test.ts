import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { NODE_POOL_LABELS } from "../catalog/resource-contract";
import { costVerdictFindings, llmCostVerdict, LlmCostVerdictConfigSchema } from "../policies/llm-cost-verdict";
import { policyConfigSchema } from "../policies/config-schema";
import { gpuPool, MODEL, resource, runStackPolicy, scenario, scenarioConfigMap, stack } from "./policies-fixture";

// @pulumi/policy's unknown-checking proxy: what a policy's props are during a real preview.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(x: T): T };
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const catalog = loadCatalog();
const findings = (resources = stack(), config: Record<string, unknown> = {}) => costVerdictFindings(resources, config, catalog, "2026-11-23");
const poolUrn = gpuPool().urn;

// By hand: 1 node x $10/h x 730 h = $7,300 compute, 30 % overhead $2,190, ops 0.25 x $16,000 + $300 = $4,300
// (on-demand: no preemption) = $13,790. API: 60M x $2 + 20M x $12 per 1M = $360, so $1.8e-5 per output token.
// Break-even utilization: 13,790 / (1,000 tok/s x 3,600 x 730 x 1.8e-5) = 13,790 / 47,304 = 29 %.
// Break-even volume: (4,300 + 9,490 per replica) / 1.8e-5 = 766.11M output tokens a month.
const LOSING =
  "Self-hosting Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month against $360 for gemini-3-pro-preview; break-even needs 29 % utilization or 766.11M output tokens a month";

describe("llm-cost-verdict", () => {
  test("blocks a pool whose self-hosting costs more than the API, with the dollar figures", () => {
    expect(findings()).toEqual({ violations: [{ urn: poolUrn, message: `${LOSING}.` }] });
  });

  test("passes when the volume makes self-hosting cheaper", () => {
    const busy = scenario();
    busy.workload = { ...busy.workload, inputTokensPerMonth: 3e9, outputTokensPerMonth: 1e9 };
    expect(findings([gpuPool(), scenarioConfigMap(busy)])).toEqual({ violations: [] });
  });

  // 700M output and 2.1B input tokens a month: the API costs 2,100 x $2 + 700 x $12 = $12,600, one replica still
  // suffices, so self-hosting's $13,790 loses by $1,190, 9.4 % of the API's cost.
  const nearBreakEven = () => {
    const s = scenario();
    s.workload = { ...s.workload, inputTokensPerMonth: 2.1e9, outputTokensPerMonth: 7e8 };
    return [gpuPool(), scenarioConfigMap(s)];
  };

  test("passes a loss within the margin: $1,190 over the API is within 10 % of $12,600", () => {
    expect(findings(nearBreakEven(), { marginPct: 10 })).toEqual({ violations: [] });
  });

  test("names the margin when the loss exceeds it", () => {
    expect(findings(nearBreakEven(), { marginPct: 5 }).violations[0]?.message).toBe(
      "Self-hosting Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month against $12,600 for gemini-3-pro-preview; break-even needs 29 % utilization or 766.11M output tokens a month (more than the 5 % margin).",
    );
  });

  test("an override with a justification turns the block into an advisory that echoes it", () => {
    const why = "Customer contract requires on-prem inference by Q3";
    expect(findings(stack(), { overrideJustification: why })).toEqual({
      violations: [{ urn: poolUrn, advisory: true, message: `Overridden with the justification "${why}": self-hosting Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month against $360 for gemini-3-pro-preview; break-even needs 29 % utilization or 766.11M output tokens a month.` }],
    });
  });

  test("an override without a real justification is a violation of its own", () => {
    expect(findings(stack(), { overrideJustification: "because" })).toEqual({
      violations: [{ message: "The llm-cost-verdict policy config is not valid: overrideJustification: write at least 20 characters saying why self-hosting is accepted although the API is cheaper." }],
    });
  });

  test("passes and says so when the API is not allowed", () => {
    const privateOnly = scenario();
    privateOnly.api = { ...privateOnly.api, allowed: false };
    const result = findings([gpuPool(), scenarioConfigMap(privateOnly)]);
    expect(result.violations).toEqual([]);
    expect(result.passNote).toBe(
      "Passes without a cost comparison: The API is not allowed for this workload, so self-hosting is the only option: Llama 3.1 8B Instruct on 1 x a3-highgpu-1g (on-demand) costs $13,790 a month.",
    );
  });

  test("a stack with GPU pools but no workload or API says what to add", () => {
    expect(findings([gpuPool()])).toEqual({
      violations: [
        {
          urn: poolUrn,
          message:
            'GPU node pool(s) gpu are declared, but the stack gives no workload and no api to compare them with: add a ConfigMap named llm-breakeven-scenario whose data["scenario.json"] holds the scenario (as the llm-breakeven program writes it), or set workload and api in this policy\'s config.',
        },
      ],
    });
  });

  test("takes the workload and API from its config for stacks whose program writes no ConfigMap", () => {
    const { workload, api, ops, throughput, node } = scenario();
    void node;
    expect(findings([gpuPool()], { workload, api, ops, throughput, serving: { maxModelLen: 8192 } }).violations[0]?.message).toMatch(/^Self-hosting Llama 3\.1 8B Instruct on 1 x a3-highgpu-1g \(on-demand\) costs \$/);
  });

  test("reads the node facts from the pool, not the scenario: a spot pool is priced as spot", () => {
    const priced = findings([gpuPool({ spot: true }), scenarioConfigMap()]).violations[0]?.message;
    // Spot adds the preemption line: 0.5 a day x 730/24 days x 20 min x $10/h = $50.69, so $13,841.
    expect(priced).toMatch(/^Self-hosting Llama 3\.1 8B Instruct on 1 x a3-highgpu-1g \(spot\) costs \$13,841 a month/);
  });

  test("an accelerator that the machine type does not carry is reported", () => {
    expect(findings([gpuPool({ accelerator: "nvidia-tesla-a100" }), scenarioConfigMap()]).violations).toEqual([
      { urn: poolUrn, message: "node pool gpu declares accelerator nvidia-tesla-a100, but a3-highgpu-1g carries nvidia-h100-80gb." },
    ]);
  });

  test("a label that is not a whole number is reported with its key", () => {
    const labels = { [NODE_POOL_LABELS.model]: MODEL, [NODE_POOL_LABELS.replicasMax]: "many" };
    expect(findings([gpuPool({ labels }), scenarioConfigMap()]).violations).toEqual([
      { urn: poolUrn, message: 'node pool gpu: label llm-breakeven.dev/replicas-max is "many", expected a whole number.' },
    ]);
  });

  test("an unknown model in the pool's label names the valid ones", () => {
    const labels = { [NODE_POOL_LABELS.model]: "gpt-5" };
    expect(findings([gpuPool({ labels }), scenarioConfigMap()]).violations[0]?.message).toMatch(/^node pool gpu: model: unknown model \(a file in model-configs\/\) "gpt-5"; valid: deepseek-r1, /);
  });

  test("a stack without GPU pools passes and says why", () => {
    const systemPool = resource("gcp:container/nodePool:NodePool", "system", { nodeConfig: { machineType: "e2-standard-4" } });
    expect(findings([systemPool])).toEqual({ violations: [], passNote: "The stack declares no GPU node pools." });
  });

  test("an unknown machine type during preview is not guessed: reading it raises @pulumi/policy's unknown error", () => {
    const pool = gpuPool();
    const unknownPool = { ...pool, props: unknownCheckingProxy({ ...pool.props, nodeConfig: { ...pool.props.nodeConfig, machineType: UNKNOWN } }) };
    expect(() => findings([unknownPool, scenarioConfigMap()])).toThrow("string value at .nodeConfig.machineType can't be known during preview");
  });

  test("an unknown scenario during preview is not guessed either", () => {
    const cm = scenarioConfigMap();
    const unknownCm = { ...cm, props: unknownCheckingProxy({ ...cm.props, data: { "scenario.json": UNKNOWN } }) };
    expect(() => findings([gpuPool(), unknownCm])).toThrow("string value at .data.scenario.json can't be known during preview");
  });

  test("runs as a mandatory stack policy and reports through @pulumi/policy's callbacks", async () => {
    expect(llmCostVerdict.enforcementLevel).toBe("mandatory");
    const run = await runStackPolicy(llmCostVerdict, stack());
    expect(run.violations).toEqual([{ message: expect.stringMatching(/^Self-hosting Llama 3\.1 8B Instruct/), urn: poolUrn }]);
    const overridden = await runStackPolicy(llmCostVerdict, stack(), { overrideJustification: "Residency review pending, see ticket 42" });
    expect(overridden.violations[0]?.enforcementLevel).toBe("advisory");
  });

  test("its configSchema is the JSON schema of its zod config, without defaults", () => {
    const schema = policyConfigSchema(LlmCostVerdictConfigSchema);
    expect(schema.properties.marginPct).toEqual({ type: "number", minimum: 0, maximum: 1000, description: expect.stringContaining("Defaults to 0") });
    expect(schema.properties.overrideJustification).toMatchObject({ type: "string", minLength: 20 });
    expect(Object.keys(schema.properties).sort()).toEqual(["api", "marginPct", "model", "ops", "overrideJustification", "serving", "throughput", "weightDtype", "workload"]);
    expect(JSON.stringify(schema)).not.toContain('"default"');
  });
});
