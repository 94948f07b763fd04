import type { Evaluation, EvaluationInputs } from "../engine/evaluate";
import type { Scenario } from "../engine/scenario";
import { modelWeightBytes } from "../engine/params";
import type { DeploymentConfig, GpuNodeImage } from "./config-schema";
import { vllmContainerSize, type ContainerSize, type NodeReservations } from "./node-resources";
import {
  awaitTimeoutMinutes,
  rayInitTimeoutSeconds,
  scalingBehavior,
  type RolloutTiming,
  type ScalingBehavior,
} from "./rollout-timing";
import { vllmArgs } from "./vllm-args";

/** Room in the weights cache beyond the checkpoint's size (tokenizer, config, partial downloads). */
export const WEIGHTS_CACHE_HEADROOM = 1.25;

/**
 * Everything the vLLM manifests are rendered from, decided once: the
 * engine's numbers, the catalog's pins and the deployment config. Pure data,
 * so the manifests are pure functions of it and testable without Pulumi.
 */
export interface VllmPlan {
  name: string;
  namespace: string;
  /** Image by digest: the deployment's override (NCCL-pinned derived image) or the model's pin. */
  image: string;
  /** True when the image is the model's stock image rather than a derived NCCL-pinned one. */
  stockImage: boolean;
  ncclVersion: string;
  /** `vllm serve` arguments (the model first). */
  args: string[];
  /** Replicas the engine sized for the declared volume; the autoscaler's floor. */
  replicas: number;
  /** The autoscaler's ceiling: replicas.max, or the engine's count when the volume needs more. */
  maxReplicas: number;
  nodesPerReplica: number;
  gpusPerNode: number;
  /** CPU and memory of the vLLM container: the machine's GKE allocatable less the DaemonSet allowance. */
  containerSize: ContainerSize;
  gkeAccelerator: string;
  spot: boolean;
  nodePoolName: string;
  /** The engine's cold-start estimate: the startup probe's budget. */
  coldStartMinutes: number;
  /** How long `pulumi up` waits for the workload and its Service (pulumi-kubernetes customTimeouts). */
  awaitTimeoutMinutes: number;
  /** The HPA's scale-up and scale-down behaviour, from the cold start. */
  scaling: ScalingBehavior;
  /** Seconds a multi-node group's leader and workers wait for each other in Ray. */
  rayInitTimeoutSeconds: number;
  /** Size of the Hugging Face cache volume, GiB: the checkpoint with headroom. */
  weightsCacheGiB: number;
  /** Spot preemption notice (catalog assumptions). */
  spotNoticeSeconds: number;
  internalLoadBalancer: boolean;
  autoscaling: boolean;
  targetRequestsWaiting: number;
  /** Kubernetes Secret holding HF_TOKEN and VLLM_API_KEY. */
  secretName: string;
  /** The validated scenario, recorded for the policy pack. */
  scenario: Scenario;
}

/** The node facts the plan depends on beyond the engine's evaluation. */
export interface PlanNode {
  nodePoolName: string;
  nodeImage: GpuNodeImage;
  reservations: NodeReservations;
  timing: RolloutTiming;
  /** The pinned Hugging Face revision (the model's, or `deployment.weightsRevision`). */
  weightsRevision: string;
}

/** Builds the plan from the engine's evaluation, the deployment config and the node facts. */
export function vllmPlan(
  evaluation: Evaluation,
  inputs: EvaluationInputs,
  deployment: DeploymentConfig,
  node: PlanNode,
): VllmPlan {
  const { scenario, model, gpu, machine, assumptions, variant } = inputs;
  const spot = scenario.node.pricing === "spot";
  const coldStartMinutes = evaluation.selfHost.coldStartMinutes;
  return {
    name: deployment.name,
    namespace: deployment.namespace,
    image: deployment.servingImage ?? model.serving.vllmImage,
    stockImage: deployment.servingImage === undefined,
    ncclVersion: model.serving.ncclVersion,
    args: vllmArgs(evaluation, model, node.weightsRevision),
    replicas: evaluation.selfHost.replicas,
    maxReplicas: Math.max(scenario.replicas.max, evaluation.selfHost.replicas),
    nodesPerReplica: scenario.node.nodesPerReplica,
    gpusPerNode: evaluation.node.gpusPerNode,
    containerSize: vllmContainerSize(machine, node.nodeImage, node.reservations),
    gkeAccelerator: gpu.gkeAccelerator,
    spot,
    nodePoolName: node.nodePoolName,
    coldStartMinutes,
    awaitTimeoutMinutes: awaitTimeoutMinutes(node.timing, coldStartMinutes, spot),
    scaling: scalingBehavior(node.timing, coldStartMinutes),
    rayInitTimeoutSeconds: rayInitTimeoutSeconds(node.timing, coldStartMinutes, spot),
    weightsCacheGiB: Math.ceil((modelWeightBytes(model, variant) / 2 ** 30) * WEIGHTS_CACHE_HEADROOM),
    spotNoticeSeconds: assumptions.spot.noticeSeconds,
    internalLoadBalancer: deployment.internalLoadBalancer,
    autoscaling: deployment.autoscaling,
    targetRequestsWaiting: deployment.targetRequestsWaiting,
    secretName: `${deployment.name}-secrets`,
    scenario,
  };
}
