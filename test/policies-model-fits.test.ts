import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { resolveInputs } from "../catalog/resolve";
import { NODE_POOL_LABELS } from "../catalog/resource-contract";
import { evaluate } from "../engine/evaluate";
import { ScenarioSchema } from "../engine/scenario";
import { modelFitsFindings, modelFitsGpu } from "../policies/model-fits-gpu";
import { gpuPool, runResourcePolicy, scenario } from "./policies-fixture";

const catalog = loadCatalog();
const findings = (pool = gpuPool(), stackScenario: Record<string, unknown> = scenario()) =>
  modelFitsFindings(pool, stackScenario, {}, catalog, "2026-11-23");

describe("model-fits-gpu", () => {
  test("passes Llama 3.1 8B on one H100", () => {
    expect(findings()).toEqual({ violations: [] });
  });

  test("blocks Kimi K2.5 on one H100 and quotes the engine's GiB figures", () => {
    const pool = gpuPool({ labels: { [NODE_POOL_LABELS.model]: "kimi-k2.5" } });
    // The reason is the engine's memory model's own sentence; the policy adds the pool and the layout.
    const reason = evaluate(
      resolveInputs(
        ScenarioSchema.parse({ ...scenario(), model: "kimi-k2.5", replicas: { min: 0, max: 1 } }),
        catalog,
        { file: "test" },
        "2026-11-23",
      ),
    ).selfHost.capacity.doesNotFitReason;
    expect(reason).toMatch(/^weights need [\d.]+ GiB/);
    expect(findings(pool)).toEqual({
      violations: [
        {
          urn: pool.urn,
          message: `Kimi K2.5 (int4) does not fit node pool gpu (a3-highgpu-1g: 1 x h100-80gb, TP 1 x PP 1, max-model-len 8192): ${reason}.`,
        },
      ],
    });
  });

  test("a pool it cannot size is an advisory saying the fit was not checked (llm-cost-verdict blocks on the cost)", () => {
    const { workload, ...rest } = scenario();
    void workload;
    expect(findings(gpuPool(), rest)).toEqual({
      violations: [
        {
          urn: gpuPool().urn,
          advisory: true,
          message:
            "The fit of node pool gpu was not checked: GPU node pool gpu is declared, but neither the stack config nor this policy's config gives llm-breakeven:workload to compare it with: set workload with `pulumi config set --path` (the keys and schema of Pulumi.<stack>.yaml) or in --policy-pack-config.",
        },
      ],
    });
  });

  test("rejects a config key it does not know", async () => {
    const run = await runResourcePolicy(modelFitsGpu, gpuPool(), { marginPct: 5 });
    expect(run.violations).toEqual([
      {
        message: 'The model-fits-gpu policy config is not valid: (config): Unrecognized key: "marginPct".',
        urn: undefined,
      },
    ]);
  });
});
