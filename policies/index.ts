import { PolicyPack } from "@pulumi/policy";
import { llmCostVerdict } from "./llm-cost-verdict";
import { modelFitsGpu } from "./model-fits-gpu";
import { pinnedServingVersions } from "./pinned-serving-versions";
import { spotGpuSafety } from "./spot-gpu-safety";

// The pack the Pulumi CLI runs for `pulumi preview --policy-pack policies`, and
// the offline preview runs compiled from dist/policies. Every policy is a
// stack validation: each verdict needs more than one resource (pools and the
// scenario ConfigMap, or a workload and its PodDisruptionBudget).
new PolicyPack("llm-breakeven", {
  description: "Cost and safety checks for self-hosted LLM serving on GKE GPU node pools.",
  policies: [llmCostVerdict, modelFitsGpu, pinnedServingVersions, spotGpuSafety],
});
