import { NODE_POOL_LABELS } from "../catalog/resource-contract";
import type { Evaluation } from "../engine/evaluate";
import type { Scenario } from "../engine/scenario";

/**
 * The cost facts a policy reads from a GPU node pool alone
 * (`catalog/resource-contract.ts`): model, weight format, pricing, region and
 * the replica bounds. Kubernetes label values, so numbers become strings.
 */
export function nodePoolLabels(scenario: Scenario, evaluation: Evaluation): Record<string, string> {
  return {
    [NODE_POOL_LABELS.model]: scenario.model,
    [NODE_POOL_LABELS.weightDtype]: evaluation.model.weightDtype,
    [NODE_POOL_LABELS.pricing]: scenario.node.pricing,
    [NODE_POOL_LABELS.region]: scenario.node.region,
    [NODE_POOL_LABELS.nodesPerReplica]: String(scenario.node.nodesPerReplica),
    [NODE_POOL_LABELS.replicasMin]: String(scenario.replicas.min),
    [NODE_POOL_LABELS.replicasMax]: String(scenario.replicas.max),
  };
}
