import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * Cluster add-ons the serving stack needs, each from its project's own
 * manifest at a pinned commit or release (applied server-side by the
 * Kubernetes provider).
 */

/** custom-metrics-stackdriver-adapter, GoogleCloudPlatform/k8s-stackdriver at af49d863 (2026-08-17): lets the HPA read Managed Prometheus metrics. */
export const CUSTOM_METRICS_ADAPTER_MANIFEST =
  "https://raw.githubusercontent.com/GoogleCloudPlatform/k8s-stackdriver/af49d863755c0535f598cfde9288ae9a75251d38/custom-metrics-stackdriver-adapter/deploy/production/adapter_new_resource_model.yaml";
/** The adapter's namespace and Kubernetes service account, as that manifest names them. */
export const CUSTOM_METRICS_ADAPTER_KSA = {
  namespace: "custom-metrics",
  name: "custom-metrics-stackdriver-adapter",
} as const;
/** LeaderWorkerSet controller and CRD, kubernetes-sigs/lws release v0.10.0. */
export const LEADER_WORKER_SET_MANIFEST =
  "https://github.com/kubernetes-sigs/lws/releases/download/v0.10.0/manifests.yaml";

/** Workload Identity principal of a Kubernetes service account (no Google service account needed). */
export function workloadIdentityPrincipal(
  projectNumber: string,
  project: string,
  namespace: string,
  ksa: string,
): string {
  return `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${project}.svc.id.goog/subject/ns/${namespace}/sa/${ksa}`;
}

/**
 * The custom-metrics adapter and its permission to read Cloud Monitoring,
 * granted to its Kubernetes service account through Workload Identity.
 */
export function customMetricsAdapter(
  name: string,
  project: string,
  provider: k8s.Provider,
  parent: pulumi.Resource,
): k8s.yaml.v2.ConfigFile {
  const projectNumber = gcp.organizations.getProjectOutput({ projectId: project }, { parent }).number;
  new gcp.projects.IAMMember(
    `${name}-monitoring-viewer`,
    {
      project,
      role: "roles/monitoring.viewer",
      member: projectNumber.apply((n) =>
        workloadIdentityPrincipal(n, project, CUSTOM_METRICS_ADAPTER_KSA.namespace, CUSTOM_METRICS_ADAPTER_KSA.name),
      ),
    },
    { parent },
  );
  return new k8s.yaml.v2.ConfigFile(name, { file: CUSTOM_METRICS_ADAPTER_MANIFEST }, { parent, provider });
}

/** The LeaderWorkerSet controller, for models that span several nodes. */
export function leaderWorkerSetController(
  name: string,
  provider: k8s.Provider,
  parent: pulumi.Resource,
): k8s.yaml.v2.ConfigFile {
  return new k8s.yaml.v2.ConfigFile(name, { file: LEADER_WORKER_SET_MANIFEST }, { parent, provider });
}
