import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { llmCostVerdict } from "./llm-cost-verdict";
import { modelFitsGpu } from "./model-fits-gpu";
import { pinnedServingVersions } from "./pinned-serving-versions";
import { spotGpuSafety } from "./spot-gpu-safety";

/** The pack's name, as GetAnalyzerInfo reports it. */
export const POLICY_PACK_NAME = "llm-breakeven";

/**
 * Every policy of the pack, in the order the pack serves them: the list the
 * pack (policies/index.ts) serves; the CLI's help reads their names from
 * policies/names.ts, which a test holds to this order.
 * The cost gate and the fit are resource policies on GPU node pools (they
 * run on each pool's inputs before its step); the other two need the whole
 * graph (a workload and its PodDisruptionBudget, the installer DaemonSet and
 * the pools) and are stack policies.
 */
export const POLICIES: readonly (ResourceValidationPolicy | StackValidationPolicy)[] = [
  llmCostVerdict,
  modelFitsGpu,
  pinnedServingVersions,
  spotGpuSafety,
];
