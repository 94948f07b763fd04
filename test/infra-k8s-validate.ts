import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";

/**
 * Validates a Kubernetes object the program declared (a Pulumi resource
 * type and its inputs) against the Kubernetes OpenAPI schemas of
 * kubernetes-models. Custom resources without a published schema here
 * (LeaderWorkerSet, PodMonitoring) have their pod templates or required
 * fields checked. Misspelt keys are caught earlier, by `tsc`: the manifests
 * are object literals typed with @pulumi/kubernetes input types.
 */
export function validateK8sObject(type: string, inputs: Record<string, any>): void {
  const Model = MODELS[type];
  if (Model) return new Model(inputs).validate();
  switch (type) {
    case "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet": {
      const t = inputs.spec.leaderWorkerTemplate;
      new PodTemplateSpec(t.leaderTemplate).validate();
      new PodTemplateSpec(t.workerTemplate).validate();
      return;
    }
    case "kubernetes:monitoring.googleapis.com/v1:PodMonitoring":
      if (!inputs.spec?.selector || !Array.isArray(inputs.spec.endpoints))
        throw new Error("PodMonitoring needs spec.selector and spec.endpoints");
      return;
    default:
      throw new Error(`no schema for ${type}: add it to test/infra-k8s-validate.ts`);
  }
}

/** kubernetes-models classes by Pulumi resource type. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  "kubernetes:core/v1:Namespace": Namespace,
  "kubernetes:core/v1:Secret": Secret,
  "kubernetes:core/v1:ConfigMap": ConfigMap,
  "kubernetes:core/v1:Service": Service,
  "kubernetes:apps/v1:DaemonSet": DaemonSet,
  "kubernetes:apps/v1:Deployment": Deployment,
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
};
