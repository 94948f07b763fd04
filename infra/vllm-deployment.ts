import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { vllmManifests } from "./vllm-manifests";
import type { VllmPlan } from "./vllm-plan";

/** Arguments of {@link VllmDeployment}. */
export interface VllmDeploymentArgs {
  plan: VllmPlan;
  /** Hugging Face token (a Pulumi secret); stored only in a Kubernetes Secret. */
  huggingFaceToken: pulumi.Input<string>;
  /** API key clients send to vLLM (a Pulumi secret). */
  vllmApiKey: pulumi.Input<string>;
  provider: k8s.Provider;
  /** Resources that must exist first (the GPU pool, its driver installer, controllers, adapter). */
  dependsOn?: pulumi.Input<pulumi.Resource>[] | undefined;
}

/** customTimeouts of the workload and its Service: the plan's await budget for create and update. */
export function workloadTimeouts(plan: VllmPlan): pulumi.CustomTimeouts {
  const t = `${plan.awaitTimeoutMinutes}m`;
  return { create: t, update: t };
}

/**
 * vLLM on the GPU pool, rendered from the plan: namespace, secrets, the
 * scenario ConfigMap the policy pack reads, the server (Deployment, or a
 * LeaderWorkerSet across nodes), Service, PodDisruptionBudget and, when
 * enabled, Managed Prometheus scraping and the autoscaler.
 */
export class VllmDeployment extends pulumi.ComponentResource {
  /** The Service clients call. */
  readonly service: k8s.core.v1.Service;
  /** In-cluster URL of the OpenAI-compatible API. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: VllmDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-breakeven:infra:VllmDeployment", name, {}, opts);
    const { plan, provider } = args;
    const m = vllmManifests(plan);
    const child = (deps: pulumi.Input<pulumi.Resource>[] = []): pulumi.CustomResourceOptions => ({
      parent: this,
      provider,
      dependsOn: deps,
    });
    // pulumi-kubernetes fails a Deployment or Service not ready within 10 minutes; a GPU node plus a model load takes longer.
    const awaited = (deps: pulumi.Input<pulumi.Resource>[]): pulumi.CustomResourceOptions => ({
      ...child(deps),
      customTimeouts: workloadTimeouts(plan),
    });

    const namespace = new k8s.core.v1.Namespace(`${name}-ns`, m.namespace, child());
    const inNs = [namespace];
    new k8s.core.v1.Secret(
      `${name}-secrets`,
      {
        metadata: { name: plan.secretName, namespace: plan.namespace },
        type: "Opaque",
        stringData: { HF_TOKEN: pulumi.secret(args.huggingFaceToken), VLLM_API_KEY: pulumi.secret(args.vllmApiKey) },
      },
      child(inNs),
    );
    new k8s.core.v1.ConfigMap(`${name}-scenario`, m.scenarioConfigMap, child(inNs));

    const workloadDeps = [...inNs, ...(args.dependsOn ?? [])];
    const workload =
      m.workload.kind === "LeaderWorkerSet"
        ? new k8s.apiextensions.CustomResource(`${name}-lws`, m.workload.manifest, child(workloadDeps))
        : new k8s.apps.v1.Deployment(`${name}-deployment`, m.workload.manifest, awaited(workloadDeps));
    // The Service is awaited until an endpoint is ready, which for a LeaderWorkerSet (not awaited itself) is the leader serving.
    this.service = new k8s.core.v1.Service(`${name}-service`, m.service, awaited(inNs));
    new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, m.podDisruptionBudget, child(inNs));
    if (m.podMonitoring) {
      new k8s.apiextensions.CustomResource(`${name}-podmonitoring`, m.podMonitoring, child(inNs));
    }
    if (m.horizontalPodAutoscaler) {
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, m.horizontalPodAutoscaler, child([workload]));
    }
    this.url = pulumi.interpolate`http://${this.service.metadata.name}.${plan.namespace}.svc.cluster.local/v1`;
    this.registerOutputs({ url: this.url });
  }
}
