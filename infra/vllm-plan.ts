import type { Evaluation, EvaluationInputs } from "../engine/evaluate";
import type { Scenario } from "../engine/scenario";
import type { DeploymentConfig } from "./config-schema";
import { vllmContainerSize, type ContainerSize, type NodeReservations } from "./node-resources";
import { vllmArgs } from "./vllm-args";

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

/** Builds the plan from the engine's evaluation, the deployment config and GKE's node reservations. */
export function vllmPlan(
  evaluation: Evaluation,
  inputs: EvaluationInputs,
  deployment: DeploymentConfig,
  nodePoolName: string,
  reservations: NodeReservations,
): VllmPlan {
  const { scenario, model, gpu, machine, assumptions } = inputs;
  return {
    name: deployment.name,
    namespace: deployment.namespace,
    image: deployment.servingImage ?? model.serving.vllmImage,
    stockImage: deployment.servingImage === undefined,
    ncclVersion: model.serving.ncclVersion,
    args: vllmArgs(evaluation, model),
    replicas: evaluation.selfHost.replicas,
    maxReplicas: Math.max(scenario.replicas.max, evaluation.selfHost.replicas),
    nodesPerReplica: scenario.node.nodesPerReplica,
    gpusPerNode: evaluation.node.gpusPerNode,
    containerSize: vllmContainerSize(machine, reservations),
    gkeAccelerator: gpu.gkeAccelerator,
    spot: scenario.node.pricing === "spot",
    nodePoolName,
    coldStartMinutes: evaluation.selfHost.coldStartMinutes,
    spotNoticeSeconds: assumptions.spot.noticeSeconds,
    internalLoadBalancer: deployment.internalLoadBalancer,
    autoscaling: deployment.autoscaling,
    targetRequestsWaiting: deployment.targetRequestsWaiting,
    secretName: `${deployment.name}-secrets`,
    scenario,
  };
}
