import type { StackValidationPolicy } from "@pulumi/policy";
import type { z } from "zod";
import { loadCatalog, type Catalog } from "../catalog/load";
import { parsePolicyConfig, policyConfigSchema } from "./config-schema";
import { assessFleet } from "./fleet";
import { report, type Findings } from "./findings";
import type { ResourceView } from "./resources";
import { ScenarioConfigSchema } from "./scenario-config";

/** Name of the policy. */
export const MODEL_FITS_GPU = "model-fits-gpu";

/** Config of `model-fits-gpu`: the scenario keys a stack without the program's ConfigMap must give (workload and serving size the KV cache). */
export const ModelFitsGpuConfigSchema = ScenarioConfigSchema.strict();
/** Parsed config of `model-fits-gpu`. */
export type ModelFitsGpuConfig = z.infer<typeof ModelFitsGpuConfigSchema>;

/**
 * Whether each GPU fleet holds its model's weights and the KV cache of at
 * least one request at the configured context (max-model-len), as the
 * engine's memory model finds it; the message carries its GiB figures.
 */
export function modelFitsFindings(resources: readonly ResourceView[], rawConfig: unknown, catalog: Catalog, today?: string): Findings {
  const parsed = parsePolicyConfig(ModelFitsGpuConfigSchema, rawConfig, MODEL_FITS_GPU);
  if ("invalid" in parsed) return parsed.invalid;
  const fleet = assessFleet(resources, rawConfig, catalog, today);
  if (fleet.pools.length === 0) return { violations: [], passNote: "The stack declares no GPU node pools." };
  if (fleet.missingScenario || fleet.evaluations.length === 0) {
    // llm-cost-verdict reports what is missing; repeating it here would only add noise.
    return { violations: [], passNote: "The GPU pools could not be sized (llm-cost-verdict says what to add or fix), so the fit was not checked." };
  }
  const violations = fleet.evaluations
    .filter((f) => !f.evaluation.selfHost.capacity.fits)
    .map((f) => {
      const e = f.evaluation;
      const pools = f.pools.map((p) => p.resource.name).join(", ");
      return {
        urn: f.urn,
        message:
          `${e.model.displayName} (${e.model.weightDtype}) does not fit node pool ${pools} ` +
          `(${e.node.machineType}: ${e.node.gpusPerNode} x ${e.node.gpu}, TP ${e.parallel.tensorParallel} x PP ${e.parallel.pipelineParallel}, max-model-len ${e.serving.maxModelLen}): ` +
          `${e.selfHost.capacity.doesNotFitReason ?? "no KV cache room for one request"}.`,
      };
    });
  return { violations };
}

/** `model-fits-gpu`: blocks GPU pools that cannot hold the model and one request's KV cache. */
export const modelFitsGpu: StackValidationPolicy = {
  name: MODEL_FITS_GPU,
  description: "The declared GPU node pool must hold the model's weights and at least one request's KV cache at the configured context.",
  enforcementLevel: "mandatory",
  configSchema: policyConfigSchema(ModelFitsGpuConfigSchema),
  validateStack: (args, reportViolation) => report(modelFitsFindings(args.resources, args.getConfig(), loadCatalog()), args, reportViolation),
};
