import * as pulumi from "@pulumi/pulumi";
import { customMetricsAdapter, leaderWorkerSetController } from "./addons";
import { GkeCluster } from "./cluster";
import { modelWeightBytes } from "../engine/params";
import { readStackConfig } from "./config";
import { evaluateStack } from "./evaluation";
import { GpuNodePool } from "./gpu-node-pool";
import { nodePoolLabels } from "./node-pool-labels";
import { loadNodeReservations } from "./node-resources";
import { stackOutputs, verdictIsWarning, verdictLine } from "./outputs";
import { VllmDeployment } from "./vllm-deployment";
import { vllmPlan } from "./vllm-plan";

/**
 * The whole program: reads and validates the stack config, asks the engine
 * for the verdict and every sizing number, declares the cluster, the GPU
 * pool and vLLM, and returns the stack outputs. Importing this module does
 * nothing; `infra/index.ts` calls it, and tests or an offline preview can
 * call it once per stack under `pulumi.runtime.setMocks`.
 */
export function createStack() {
  const config = readStackConfig();
  const { inputs, evaluation } = evaluateStack(config.scenario);

  const line = verdictLine(evaluation);
  if (verdictIsWarning(evaluation)) void pulumi.log.warn(line);
  else void pulumi.log.info(line);
  for (const warning of evaluation.warnings) void pulumi.log.warn(`llm-breakeven: ${warning}`);

  const gke = new GkeCluster("gke", {
    cluster: config.cluster,
    project: config.project,
    region: config.region,
    managedPrometheus: config.deployment.autoscaling,
  });

  const poolName = `gpu-${inputs.machine.id}`;
  const plan = vllmPlan(evaluation, inputs, config.deployment, poolName, loadNodeReservations());
  if (plan.stockImage) {
    void pulumi.log.warn(
      `llm-breakeven: serving ${plan.image}, the model's stock image; the deployment checks at start that its NCCL is ${plan.ncclVersion} and refuses to run otherwise. Build images/vllm-nccl and set llm-breakeven:deployment.servingImage if it is not.`,
    );
  }

  const gpuPool = new GpuNodePool("gpu", {
    project: config.project,
    cluster: gke.cluster.name,
    location: config.region,
    zones: config.cluster.zones,
    poolName,
    machineType: inputs.machine.id,
    gkeAccelerator: inputs.gpu.gkeAccelerator,
    gpusPerNode: inputs.machine.gpuCount,
    localSsdGB: inputs.machine.localSsdGB,
    weightGB: modelWeightBytes(inputs.model, inputs.variant) / 1e9,
    spot: plan.spot,
    totalMaxNodeCount: plan.maxReplicas * plan.nodesPerReplica,
    driverVersion: inputs.model.serving.nvidiaDriverVersion,
    nodeImage: config.cluster.gpuNodeImage,
    labels: nodePoolLabels(config.scenario, evaluation),
    k8sProvider: gke.provider,
  });

  const addons: pulumi.Resource[] = [gpuPool.driverInstaller];
  if (config.deployment.autoscaling) addons.push(customMetricsAdapter("custom-metrics-adapter", config.project, gke.provider, gke));
  if (plan.nodesPerReplica > 1) addons.push(leaderWorkerSetController("leader-worker-set", gke.provider, gke));

  const vllm = new VllmDeployment("vllm", {
    plan,
    huggingFaceToken: config.huggingFaceToken,
    vllmApiKey: config.vllmApiKey,
    provider: gke.provider,
    dependsOn: addons,
  });

  return {
    ...stackOutputs(evaluation),
    clusterName: gke.cluster.name,
    gpuNodePool: gpuPool.nodePool.name,
    endpoint: vllm.url,
    kubeconfig: pulumi.secret(gke.kubeconfig),
  };
}
