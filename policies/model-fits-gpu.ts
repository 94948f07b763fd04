import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { z } from "zod";
import { loadCatalog } from "../catalog/load";
import { policyConfigSchema } from "./config-schema";
import { report } from "./findings";
import { poolFindings, type PoolFindings } from "./pool-verdict";
import { RESOURCE_TYPES } from "./resources";
import { ScenarioConfigSchema } from "./scenario-config";
import { readStackScenario } from "./stack-scenario";
import { MODEL_FITS_GPU } from "./names";

/** Config of `model-fits-gpu`: the scenario keys that win over the stack config's (workload and serving size the KV cache). */
export const ModelFitsGpuConfigSchema = ScenarioConfigSchema.strict();
/** Parsed config of `model-fits-gpu`. */
export type ModelFitsGpuConfig = z.infer<typeof ModelFitsGpuConfigSchema>;

/**
 * Whether a GPU pool holds its model's weights and the KV cache of at least
 * one request at the configured context (max-model-len), as the engine's
 * memory model finds it; the message carries its GiB figures. A pool that
 * cannot be priced is llm-cost-verdict's to report: here only the check is
 * skipped, so it says so as an advisory.
 */
export const modelFitsFindings: PoolFindings = poolFindings(
  ModelFitsGpuConfigSchema,
  MODEL_FITS_GPU,
  (resource, _config, assessed) => {
    if ("problem" in assessed) {
      return {
        violations: [
          {
            urn: resource.urn,
            advisory: true,
            message: `The fit of node pool ${resource.name} was not checked: ${assessed.problem.replace(/\.$/, "")}.`,
          },
        ],
      };
    }
    const e = assessed.evaluation;
    if (e.selfHost.capacity.fits) return { violations: [] };
    return {
      violations: [
        {
          urn: resource.urn,
          message:
            `${e.model.displayName} (${e.model.weightDtype}) does not fit node pool ${resource.name} ` +
            `(${e.node.machineType}: ${e.node.gpusPerNode} x ${e.node.gpu}, TP ${e.parallel.tensorParallel} x PP ${e.parallel.pipelineParallel}, max-model-len ${e.serving.maxModelLen}): ` +
            `${e.selfHost.capacity.doesNotFitReason}.`,
        },
      ],
    };
  },
);

/** `model-fits-gpu`: blocks a GPU pool that cannot hold the model and one request's KV cache (a resource policy, on the pool's inputs). */
export const modelFitsGpu: ResourceValidationPolicy = {
  name: MODEL_FITS_GPU,
  description:
    "A GPU node pool must hold the model's weights and at least one request's KV cache at the configured context.",
  enforcementLevel: "mandatory",
  configSchema: policyConfigSchema(ModelFitsGpuConfigSchema),
  validateResource: (args, reportViolation) => {
    if (args.type !== RESOURCE_TYPES.nodePool) return;
    report(modelFitsFindings(args, readStackScenario(), args.getConfig(), loadCatalog()), args, reportViolation);
  },
};
