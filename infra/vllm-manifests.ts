import type * as k8s from "@pulumi/kubernetes";
import { SCENARIO_CONFIGMAP_KEY, SCENARIO_CONFIGMAP_NAME } from "../catalog/resource-contract";
import { VLLM_PORT } from "./vllm-args";
import { podLabels, SERVES_LABEL, vllmPodTemplate } from "./vllm-pod";
import type { VllmPlan } from "./vllm-plan";

type Json = Record<string, unknown>;
type Meta = k8s.types.input.meta.v1.ObjectMeta;

/** The scaling metric: requests queued in vLLM, as Managed Prometheus exports it to Cloud Monitoring. */
export const REQUESTS_WAITING_METRIC = "prometheus.googleapis.com|vllm:num_requests_waiting|gauge";
/** Metrics scrape interval of the PodMonitoring. */
export const SCRAPE_INTERVAL = "15s";

/** The Kubernetes objects of a vLLM deployment, all plain data. */
export interface VllmManifests {
  namespace: k8s.types.input.core.v1.Namespace;
  scenarioConfigMap: k8s.types.input.core.v1.ConfigMap;
  /** A Deployment (one node a replica), or a LeaderWorkerSet custom resource (several). */
  workload:
    | { kind: "Deployment"; manifest: k8s.types.input.apps.v1.Deployment }
    | { kind: "LeaderWorkerSet"; manifest: CustomObject };
  service: k8s.types.input.core.v1.Service;
  podDisruptionBudget: k8s.types.input.policy.v1.PodDisruptionBudget;
  /** Managed Prometheus scrape config (monitoring.googleapis.com/v1). */
  podMonitoring?: CustomObject | undefined;
  horizontalPodAutoscaler?: k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler | undefined;
}

/** A custom resource: apiVersion, kind, metadata and a spec the Kubernetes types do not know. */
export interface CustomObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec: Json;
}

function meta(plan: VllmPlan, name = plan.name): Meta {
  return {
    name,
    namespace: plan.namespace,
    labels: { "app.kubernetes.io/name": plan.name, "app.kubernetes.io/managed-by": "llm-breakeven" },
  };
}

/** Selects the pods that answer HTTP. */
function servingSelector(plan: VllmPlan): Record<string, string> {
  return { "app.kubernetes.io/name": plan.name, [SERVES_LABEL]: "true" };
}

/**
 * `spec.replicas` of the workload: the engine's count without an autoscaler;
 * left out with one, so the HPA owns the field. Were it set, every
 * `pulumi up` would reset the HPA's choice (server-side apply gives the field
 * back to Pulumi), scaling a busy fleet down to the floor. Left out, a new
 * workload starts at one replica and the HPA raises it to its minimum, the
 * engine's count.
 */
export function workloadReplicas(plan: VllmPlan): { replicas?: number } {
  return plan.autoscaling ? {} : { replicas: plan.replicas };
}

function deployment(plan: VllmPlan): k8s.types.input.apps.v1.Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(plan),
    spec: {
      ...workloadReplicas(plan),
      selector: { matchLabels: podLabels(plan, "server") },
      // A GPU node holds one replica; surging would need a spare node, so replace in place.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      template: vllmPodTemplate(plan, "server"),
    },
  };
}

/** LeaderWorkerSet: one group per replica, `nodesPerReplica` pods, TP inside each node and PP across them (Ray). */
function leaderWorkerSet(plan: VllmPlan): CustomObject {
  return {
    apiVersion: "leaderworkerset.x-k8s.io/v1",
    kind: "LeaderWorkerSet",
    metadata: meta(plan),
    spec: {
      ...workloadReplicas(plan),
      leaderWorkerTemplate: {
        size: plan.nodesPerReplica,
        // One lost node breaks the pipeline: restart the whole group.
        restartPolicy: "RecreateGroupOnPodRestart",
        leaderTemplate: vllmPodTemplate(plan, "leader"),
        workerTemplate: vllmPodTemplate(plan, "worker"),
      },
    },
  };
}

/** The HPA's behaviour from the plan's cold-start-based scaling rules (infra/rollout-timing.ts). */
export function hpaBehavior(plan: VllmPlan): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerBehavior {
  const { scaleUp, scaleDown } = plan.scaling;
  return {
    scaleUp: {
      stabilizationWindowSeconds: scaleUp.stabilizationWindowSeconds,
      selectPolicy: "Min",
      policies: [{ type: "Pods", value: scaleUp.podsPerPeriod, periodSeconds: scaleUp.periodSeconds }],
    },
    scaleDown: {
      stabilizationWindowSeconds: scaleDown.stabilizationWindowSeconds,
      selectPolicy: "Min",
      policies: [{ type: "Pods", value: scaleDown.podsPerPeriod, periodSeconds: scaleDown.periodSeconds }],
    },
  };
}

/** Managed Prometheus scraping and the HPA on queued requests, for a plan with autoscaling. */
function autoscalingObjects(
  plan: VllmPlan,
  kind: string,
  apiVersion: string,
): Pick<VllmManifests, "podMonitoring" | "horizontalPodAutoscaler"> {
  const podMonitoring: CustomObject = {
    apiVersion: "monitoring.googleapis.com/v1",
    kind: "PodMonitoring",
    metadata: meta(plan),
    spec: {
      selector: { matchLabels: servingSelector(plan) },
      endpoints: [{ port: VLLM_PORT, path: "/metrics", interval: SCRAPE_INTERVAL }],
    },
  };
  const horizontalPodAutoscaler: k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler = {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta(plan),
    spec: {
      scaleTargetRef: { apiVersion, kind, name: plan.name },
      minReplicas: Math.max(1, plan.replicas),
      maxReplicas: Math.max(1, plan.maxReplicas),
      metrics: [
        {
          type: "Pods",
          pods: {
            metric: { name: REQUESTS_WAITING_METRIC },
            target: { type: "AverageValue", averageValue: String(plan.targetRequestsWaiting) },
          },
        },
      ],
      behavior: hpaBehavior(plan),
    },
  };
  return { podMonitoring, horizontalPodAutoscaler };
}

/** Renders every object of the deployment from the plan. */
export function vllmManifests(plan: VllmPlan): VllmManifests {
  const multiNode = plan.nodesPerReplica > 1;
  const workload: VllmManifests["workload"] = multiNode
    ? { kind: "LeaderWorkerSet", manifest: leaderWorkerSet(plan) }
    : { kind: "Deployment", manifest: deployment(plan) };
  const workloadApiVersion = multiNode ? "leaderworkerset.x-k8s.io/v1" : "apps/v1";
  const out: VllmManifests = {
    namespace: { apiVersion: "v1", kind: "Namespace", metadata: { name: plan.namespace } },
    scenarioConfigMap: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta(plan, SCENARIO_CONFIGMAP_NAME),
      data: { [SCENARIO_CONFIGMAP_KEY]: JSON.stringify(plan.scenario) },
    },
    workload,
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        ...meta(plan),
        ...(plan.internalLoadBalancer ? { annotations: { "networking.gke.io/load-balancer-type": "Internal" } } : {}),
      },
      spec: {
        type: plan.internalLoadBalancer ? "LoadBalancer" : "ClusterIP",
        selector: servingSelector(plan),
        ports: [{ name: "http", port: 80, targetPort: VLLM_PORT, protocol: "TCP" }],
      },
    },
    podDisruptionBudget: {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta(plan),
      // Voluntary disruptions (drains, autoscaler scale-down) take one serving replica at a time.
      spec: { maxUnavailable: 1, selector: { matchLabels: servingSelector(plan) } },
    },
  };
  if (plan.autoscaling) Object.assign(out, autoscalingObjects(plan, workload.kind, workloadApiVersion));
  return out;
}
