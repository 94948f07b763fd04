import * as pulumi from "@pulumi/pulumi";
import { checkDriverPin, loadDriverTable } from "../catalog/gpu-drivers";
import { customMetricsAdapter, leaderWorkerSetController } from "./addons";
import { GkeCluster } from "./cluster";
import { modelWeightBytes } from "../engine/params";
import { FIELD_PREFIX, readStackConfig, STACK_CONFIG_FILE, type StackConfig } from "./config";
import { evaluateStack, type StackEvaluation } from "./evaluation";
import { GpuNodePool, gpuPoolName } from "./gpu-node-pool";
import { loadNodeRequirements, machineFamily, webhookPortsToOpen, type NodeRequirements } from "./node-requirements";
import { nodePoolLabels } from "./node-pool-labels";
import { loadNodeReservations } from "./node-resources";
import { stackOutputs, verdictIsWarning, verdictLine } from "./outputs";
import { loadRolloutTiming } from "./rollout-timing";
import { VllmDeployment } from "./vllm-deployment";
import { vllmPlan, type VllmPlan } from "./vllm-plan";
import { resolveWeightsRevision } from "./weights-revision";

/** Add-ons a stack installs: the metrics adapter with autoscaling, LeaderWorkerSet when a replica spans nodes. */
export function stackAddons(autoscaling: boolean, nodesPerReplica: number): string[] {
  return [...(autoscaling ? ["custom-metrics-adapter"] : []), ...(nodesPerReplica > 1 ? ["leader-worker-set"] : [])];
}

/**
 * The whole program: reads and validates the stack config, asks the engine
 * for the verdict and every sizing number, checks every rule GKE would
 * enforce (zones, driver, disk, memory), declares the network, cluster, GPU
 * pool and vLLM, and returns the stack outputs. Importing this module does
 * nothing; `infra/index.ts` calls it, and tests or an offline preview can
 * call it once per stack under `pulumi.runtime.setMocks`.
 */
export function createStack() {
  const config = readStackConfig();
  const stack = evaluateStack(config.scenario);
  logVerdict(stack);
  const requirements = loadNodeRequirements();
  const driverVersion = pinnedDriver(config, stack);
  const addons = stackAddons(config.deployment.autoscaling, config.scenario.node.nodesPerReplica);

  const gke = new GkeCluster("gke", {
    cluster: config.cluster,
    project: config.project,
    region: config.region,
    names: config.names,
    nodeRoles: requirements.nodeServiceAccount.roles,
    webhookPorts: webhookPortsToOpen(requirements, addons),
    managedPrometheus: config.deployment.autoscaling,
  });
  const plan = planFor(config, stack, gpuPoolName(stack.inputs.machine.id, driverVersion));
  const gpuPool = createGpuPool(config, stack, plan, driverVersion, requirements, gke);

  const deps: pulumi.Resource[] = [gpuPool.nodePool, gpuPool.driverInstaller];
  if (addons.includes("custom-metrics-adapter"))
    deps.push(customMetricsAdapter("custom-metrics-adapter", config.project, gke.provider, gke));
  if (addons.includes("leader-worker-set"))
    deps.push(leaderWorkerSetController("leader-worker-set", gke.provider, gke));
  const vllm = new VllmDeployment("vllm", {
    plan,
    huggingFaceToken: config.huggingFaceToken,
    vllmApiKey: config.vllmApiKey,
    provider: gke.provider,
    dependsOn: deps,
  });

  return {
    ...stackOutputs(stack.evaluation),
    clusterName: gke.cluster.name,
    gpuNodePool: gpuPool.nodePool.name,
    endpoint: vllm.url,
    kubeconfig: pulumi.secret(gke.kubeconfig),
  };
}

function logVerdict({ evaluation }: StackEvaluation): void {
  const line = verdictLine(evaluation);
  if (verdictIsWarning(evaluation)) void pulumi.log.warn(line);
  else void pulumi.log.info(line);
  for (const warning of evaluation.warnings) void pulumi.log.warn(`llm-breakeven: ${warning}`);
}

/** The driver the pool installs: `cluster.gpuDriverVersion`, else the model's pin; refused unless GKE can install it and the image's CUDA runs on it. */
function pinnedDriver(config: StackConfig, { inputs }: StackEvaluation): string {
  const override = config.cluster.gpuDriverVersion;
  const version = override ?? inputs.model.serving.nvidiaDriverVersion;
  const field =
    override === undefined
      ? `model-configs/${inputs.model.id}.yaml serving.nvidiaDriverVersion (override: ${FIELD_PREFIX}cluster.gpuDriverVersion)`
      : `${FIELD_PREFIX}cluster.gpuDriverVersion`;
  checkDriverPin(
    loadDriverTable(),
    { version, nodeImage: config.cluster.gpuNodeImage, vllmVersion: inputs.model.serving.vllmVersion },
    STACK_CONFIG_FILE,
    field,
  );
  return version;
}

/** The vLLM plan, with the weights revision pinned (or the reason it is not, logged in a preview). */
function planFor(config: StackConfig, { inputs, evaluation }: StackEvaluation, nodePoolName: string): VllmPlan {
  const weightsRevision = resolveWeightsRevision(inputs, config.deployment.weightsRevision, pulumi.runtime.isDryRun());
  const plan = vllmPlan(evaluation, inputs, config.deployment, {
    nodePoolName,
    nodeImage: config.cluster.gpuNodeImage,
    reservations: loadNodeReservations(),
    timing: loadRolloutTiming(),
    weightsRevision,
  });
  if (plan.stockImage) {
    void pulumi.log.warn(
      `llm-breakeven: serving ${plan.image}, the model's stock image; the deployment checks at start that its NCCL is ${plan.ncclVersion} and refuses to run otherwise. Build images/vllm-nccl and set llm-breakeven:deployment.servingImage if it is not.`,
    );
  }
  return plan;
}

/** The GPU pool in the zones that offer the machine, with the family's disk and NIC, as the stack's node account. */
function createGpuPool(
  config: StackConfig,
  { inputs, evaluation }: StackEvaluation,
  plan: VllmPlan,
  driverVersion: string,
  requirements: NodeRequirements,
  gke: GkeCluster,
): GpuNodePool {
  const family = machineFamily(requirements, inputs.machine.id, STACK_CONFIG_FILE, `${FIELD_PREFIX}node.machineType`);
  return new GpuNodePool("gpu", {
    project: config.project,
    cluster: gke.cluster.name,
    location: config.region,
    zones: config.zones,
    poolName: plan.nodePoolName,
    machineType: inputs.machine.id,
    gkeAccelerator: inputs.gpu.gkeAccelerator,
    gpusPerNode: inputs.machine.gpuCount,
    localSsdGB: inputs.machine.localSsdGB,
    weightGB: modelWeightBytes(inputs.model, inputs.variant) / 1e9,
    spot: plan.spot,
    totalMaxNodeCount: plan.maxReplicas * plan.nodesPerReplica,
    driverVersion,
    nodeImage: config.cluster.gpuNodeImage,
    nodeVersion: config.cluster.nodeVersion,
    bootDiskType: family.bootDiskTypes[0]!,
    gvnic: family.gvnic,
    serviceAccountEmail: gke.nodeServiceAccount.account.email,
    tags: [config.names.nodeTag],
    labels: nodePoolLabels(config.scenario, evaluation),
    k8sProvider: gke.provider,
  });
}
