/**
 * What the Pulumi program writes onto its resources so that a policy can read
 * the cost facts from the resource graph alone (the policy pack never imports
 * the program, and the program never imports the pack). Both sides use these
 * names; changing one is a change to both.
 */

/** Prefix of the Kubernetes node labels the GPU node pools carry (`nodeConfig.labels`). */
export const LABEL_PREFIX = "llm-breakeven.dev/";

/** Node-label keys on every GPU node pool; values are Kubernetes label values (<= 63 chars, [A-Za-z0-9._-]). */
export const NODE_POOL_LABELS = {
  /** Model id (a file in model-configs/). */
  model: `${LABEL_PREFIX}model`,
  /** Weight format served, e.g. int4. */
  weightDtype: `${LABEL_PREFIX}weight-dtype`,
  /** spot | on-demand | commit-1y | commit-3y. */
  pricing: `${LABEL_PREFIX}pricing`,
  /** Price region. */
  region: `${LABEL_PREFIX}region`,
  /** Nodes one replica spans. */
  nodesPerReplica: `${LABEL_PREFIX}nodes-per-replica`,
  /** replicas.min and replicas.max of the deployment. */
  replicasMin: `${LABEL_PREFIX}replicas-min`,
  replicasMax: `${LABEL_PREFIX}replicas-max`,
} as const;

/**
 * The program also records the whole scenario (workload, API, ops, serving)
 * as a ConfigMap in the serving namespace: the policy reads workload and API
 * from it, and operators can see what the deployment was sized for.
 */
export const SCENARIO_CONFIGMAP_NAME = "llm-breakeven-scenario";
/** Key in the ConfigMap's `data` holding the scenario as JSON (ScenarioSchema's input form). */
export const SCENARIO_CONFIGMAP_KEY = "scenario.json";
