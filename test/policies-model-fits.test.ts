import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { resolveInputs } from "../catalog/resolve";
import { NODE_POOL_LABELS } from "../catalog/resource-contract";
import { evaluate } from "../engine/evaluate";
import { ScenarioSchema } from "../engine/scenario";
import { modelFitsFindings, modelFitsGpu } from "../policies/model-fits-gpu";
import { gpuPool, runStackPolicy, scenario, scenarioConfigMap, stack } from "./policies-fixture";

const catalog = loadCatalog();
const findings = (resources = stack()) => modelFitsFindings(resources, {}, catalog, "2026-11-23");

describe("model-fits-gpu", () => {
  test("passes Llama 3.1 8B on one H100", () => {
    expect(findings()).toEqual({ violations: [] });
  });

  test("blocks Kimi K2.5 on one H100 and quotes the engine's GiB figures", () => {
    const labels = { [NODE_POOL_LABELS.model]: "kimi-k2.5" };
    const pool = gpuPool({ labels });
    // The reason is the engine's memory model's own sentence; the policy adds the pool and the layout.
    const reason = evaluate(
      resolveInputs(ScenarioSchema.parse({ ...scenario(), model: "kimi-k2.5", replicas: { min: 0, max: 1 } }), catalog, { file: "test" }, "2026-11-23"),
    ).selfHost.capacity.doesNotFitReason;
    expect(reason).toMatch(/^weights need [\d.]+ GiB/);
    expect(findings([pool, scenarioConfigMap()])).toEqual({
      violations: [{ urn: pool.urn, message: `Kimi K2.5 (int4) does not fit node pool gpu (a3-highgpu-1g: 1 x h100-80gb, TP 1 x PP 1, max-model-len 8192): ${reason}.` }],
    });
  });

  test("leaves a stack without workload to llm-cost-verdict, and says so", () => {
    expect(findings([gpuPool()])).toEqual({ violations: [], passNote: "The GPU pools could not be sized (llm-cost-verdict says what to add or fix), so the fit was not checked." });
  });

  test("rejects a config key it does not know", async () => {
    const run = await runStackPolicy(modelFitsGpu, stack(), { marginPct: 5 });
    expect(run.violations).toEqual([{ message: "The model-fits-gpu policy config is not valid: (config): Unrecognized key: \"marginPct\".", urn: undefined }]);
  });
});
