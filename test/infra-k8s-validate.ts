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
 * (LeaderWorkerSet, PodMonitoring) have their pod templates validated.
 */
export function validateK8sObject(type: string, inputs: Record<string, any>): void {
  const body = { ...inputs };
  switch (type) {
    case "kubernetes:core/v1:Namespace":
      return new Namespace(body as never).validate();
    case "kubernetes:core/v1:Secret":
      return new Secret(body as never).validate();
    case "kubernetes:core/v1:ConfigMap":
      return new ConfigMap(body as never).validate();
    case "kubernetes:core/v1:Service":
      return new Service(body as never).validate();
    case "kubernetes:apps/v1:DaemonSet":
      return new DaemonSet(body as never).validate();
    case "kubernetes:apps/v1:Deployment":
      return new Deployment(body as never).validate();
    case "kubernetes:autoscaling/v2:HorizontalPodAutoscaler":
      return new HorizontalPodAutoscaler(body as never).validate();
    case "kubernetes:policy/v1:PodDisruptionBudget":
      return new PodDisruptionBudget(body as never).validate();
    case "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet": {
      const t = inputs.spec.leaderWorkerTemplate;
      new PodTemplateSpec(t.leaderTemplate).validate();
      new PodTemplateSpec(t.workerTemplate).validate();
      return;
    }
    case "kubernetes:monitoring.googleapis.com/v1:PodMonitoring":
      if (!inputs.spec?.selector || !Array.isArray(inputs.spec.endpoints)) throw new Error("PodMonitoring needs spec.selector and spec.endpoints");
      return;
    default:
      throw new Error(`no schema for ${type}: add it to test/infra-k8s-validate.ts`);
  }
}
