import type { PolicyResource } from "@pulumi/policy";
// @pulumi/policy 1.21 throws this class from its unknown-checking proxy (proxy.js); its typings mark it internal.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };
import { NODE_POOL_LABELS, SCENARIO_CONFIGMAP_KEY, SCENARIO_CONFIGMAP_NAME } from "../catalog/resource-contract";

/**
 * What a policy reads of a resource: the fields @pulumi/policy passes, which
 * tests build by hand. During a preview `props` is @pulumi/policy's
 * unknown-checking proxy: reading an unknown value throws, and the pack then
 * reports "can't run policy ... during preview" (advisory) instead of a
 * verdict on a guess. So readers touch only the fields they need.
 */
export type ResourceView = Pick<PolicyResource, "type" | "name" | "urn" | "props">;

/** Pulumi type tokens the policies read. */
export const RESOURCE_TYPES = {
  nodePool: "gcp:container/nodePool:NodePool",
  configMap: "kubernetes:core/v1:ConfigMap",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  leaderWorkerSet: "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
  podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
} as const;

/** One accelerator block of a node pool's `nodeConfig.guestAccelerators`. */
export interface GuestAccelerator {
  type: string;
  count: number;
  /** `gpuDriverInstallationConfig.gpuDriverVersion`: DEFAULT, LATEST, INSTALLATION_DISABLED, or undefined when not set. */
  gpuDriverVersion: string | undefined;
}

/** A GKE node pool that carries GPUs, as declared. */
export interface GpuPool {
  resource: ResourceView;
  machineType: string;
  /** `nodeConfig.spot` or the legacy `nodeConfig.preemptible`. */
  spot: boolean;
  labels: Record<string, string>;
  accelerators: GuestAccelerator[];
}

type Props = Record<string, any>;

/**
 * Fewest and most nodes of the whole pool: autoscaling totals, per-zone
 * counts x zones, or a fixed count. Read only by the resource policies, from
 * the pool's inputs: in a stack policy's outputs of a new pool `nodeCount`
 * and `initialNodeCount` are unknown (Optional+Computed in
 * terraform-provider-google `resource_container_node_pool.go`), and reading
 * them would stop the policy.
 */
export function poolNodeCounts(pool: GpuPool): { minNodes: number | undefined; maxNodes: number | undefined } {
  const props: Props = pool.resource.props;
  const autoscaling: Props | undefined = props.autoscaling;
  const zones: number =
    Array.isArray(props.nodeLocations) && props.nodeLocations.length > 0 ? props.nodeLocations.length : 1;
  // Read only when needed: a field the program left unset may be unknown.
  const fixed = (): number | undefined => props.nodeCount ?? props.initialNodeCount;
  if (autoscaling) {
    const perZone = (n: unknown) => (typeof n === "number" ? n * zones : undefined);
    return {
      minNodes: autoscaling.totalMinNodeCount ?? perZone(autoscaling.minNodeCount) ?? fixed(),
      maxNodes: autoscaling.totalMaxNodeCount ?? perZone(autoscaling.maxNodeCount) ?? fixed(),
    };
  }
  const count = fixed();
  const total = typeof count === "number" ? count * zones : undefined;
  return { minNodes: total, maxNodes: total };
}

function readAccelerators(nodeConfig: Props): GuestAccelerator[] {
  return (nodeConfig.guestAccelerators ?? []).map((a: Props) => ({
    type: a.type,
    count: a.count,
    gpuDriverVersion: a.gpuDriverInstallationConfig?.gpuDriverVersion,
  }));
}

/** The value `read` returns, or undefined where it reads a value unknown during the preview. */
function ifKnown<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnknownValueError) return undefined;
    throw err;
  }
}

/**
 * The GPU node pools of a stack: node pools with guest accelerators, or whose
 * machine type is a GPU machine of the catalog (A2/A3/G2 carry their GPUs).
 */
export function readGpuPools(resources: readonly ResourceView[], isGpuMachineType: (id: string) => boolean): GpuPool[] {
  const pools: GpuPool[] = [];
  for (const resource of resources) {
    if (resource.type !== RESOURCE_TYPES.nodePool) continue;
    const nodeConfig: Props = resource.props.nodeConfig ?? {};
    const machineType: string | undefined = nodeConfig.machineType;
    const gpuMachine = machineType !== undefined && isGpuMachineType(machineType);
    // A GPU machine's pool must be read in full (an unknown stops the policy, honestly). Another
    // machine's accelerators may be unknown in a new pool's planned outputs (Optional+Computed in
    // terraform-provider-google node_config.go): a system pool is then not taken for a GPU pool.
    const accelerators = gpuMachine
      ? readAccelerators(nodeConfig)
      : (ifKnown(() => readAccelerators(nodeConfig)) ?? []);
    if (accelerators.length === 0 && !gpuMachine) continue;
    pools.push({
      resource,
      machineType: machineType ?? "",
      spot: nodeConfig.spot === true || nodeConfig.preemptible === true,
      labels: { ...(nodeConfig.labels ?? {}) },
      accelerators,
    });
  }
  return pools;
}

/**
 * The GCP region a pool's inputs place it in: its `location` (a region, or a
 * zone such as us-central1-a for a zonal cluster), else its first
 * `nodeLocations` zone; undefined when it names neither.
 */
export function poolRegion(pool: GpuPool): string | undefined {
  const props: Props = pool.resource.props;
  const place: unknown = props.location ?? (Array.isArray(props.nodeLocations) ? props.nodeLocations[0] : undefined);
  if (typeof place !== "string" || place === "") return undefined;
  // A zone is the region plus "-<letter>" (https://cloud.google.com/compute/docs/regions-zones).
  return /^[a-z]+-[a-z]+\d+-[a-z]$/.test(place) ? place.slice(0, -2) : place;
}

/** The scenario ConfigMap the program writes, or undefined when the stack has none. */
export function findScenarioConfigMap(resources: readonly ResourceView[]): ResourceView | undefined {
  return resources.find(
    (r) => r.type === RESOURCE_TYPES.configMap && r.props.metadata?.name === SCENARIO_CONFIGMAP_NAME,
  );
}

/** The scenario JSON text of that ConfigMap, or undefined when the key is missing. */
export function scenarioJson(configMap: ResourceView): string | undefined {
  return configMap.props.data?.[SCENARIO_CONFIGMAP_KEY];
}

/** A pool's cost label, or undefined. */
export function poolLabel(pool: GpuPool, key: keyof typeof NODE_POOL_LABELS): string | undefined {
  return pool.labels[NODE_POOL_LABELS[key]];
}

/** A container as the policies read it. */
export interface ContainerView {
  name: string;
  image: string | undefined;
  command: string[];
  args: string[];
  env: { name: string; value: string | undefined }[];
  gpuLimit: boolean;
  startupProbe: Props | undefined;
  lifecycle: Props | undefined;
}

/** A pod template found in a workload (Deployment, StatefulSet, LeaderWorkerSet leader or worker). */
export interface PodTemplateView {
  workload: ResourceView;
  /** "spec.template" or "spec.leaderWorkerTemplate.workerTemplate", for messages. */
  path: string;
  labels: Record<string, string>;
  namespace: string | undefined;
  spec: Props;
  containers: ContainerView[];
  initContainers: ContainerView[];
}

function containerView(c: Props): ContainerView {
  return {
    name: c.name ?? "",
    image: c.image,
    command: c.command ?? [],
    args: c.args ?? [],
    env: (c.env ?? []).map((e: Props) => ({ name: e.name, value: e.value })),
    gpuLimit: c.resources?.limits?.["nvidia.com/gpu"] !== undefined,
    startupProbe: c.startupProbe,
    lifecycle: c.lifecycle,
  };
}

function templateView(workload: ResourceView, template: Props | undefined, path: string): PodTemplateView | undefined {
  if (!template?.spec) return undefined;
  return {
    workload,
    path,
    labels: { ...(template.metadata?.labels ?? {}) },
    namespace: workload.props.metadata?.namespace,
    spec: template.spec,
    containers: (template.spec.containers ?? []).map(containerView),
    initContainers: (template.spec.initContainers ?? []).map(containerView),
  };
}

/** Every pod template of the stack's workloads and DaemonSets. */
export function readPodTemplates(resources: readonly ResourceView[]): PodTemplateView[] {
  const out: PodTemplateView[] = [];
  for (const r of resources) {
    if (
      r.type === RESOURCE_TYPES.deployment ||
      r.type === RESOURCE_TYPES.statefulSet ||
      r.type === RESOURCE_TYPES.daemonSet
    ) {
      const t = templateView(r, r.props.spec?.template, "spec.template");
      if (t) out.push(t);
    } else if (r.type === RESOURCE_TYPES.leaderWorkerSet) {
      const lwt = r.props.spec?.leaderWorkerTemplate;
      for (const key of ["leaderTemplate", "workerTemplate"] as const) {
        const t = templateView(r, lwt?.[key], `spec.leaderWorkerTemplate.${key}`);
        if (t) out.push(t);
      }
    }
  }
  return out;
}

/** Pod templates that request GPUs: the serving pods (DaemonSets excluded: they are node agents). */
export function servingPodTemplates(resources: readonly ResourceView[]): PodTemplateView[] {
  return readPodTemplates(resources).filter(
    (t) => t.workload.type !== RESOURCE_TYPES.daemonSet && t.containers.some((c) => c.gpuLimit),
  );
}

/** pulumi-kubernetes component types (ConfigFile, ConfigGroup, Chart, Directory): no outputs of their own, empty or not. */
const KUBERNETES_COMPONENT = /^kubernetes:(yaml(\/v2)?|helm\.sh\/v[34]|kustomize(\/v2)?):/;

/**
 * Kubernetes resources whose outputs are empty: in a preview, a resource
 * whose provider configuration is not fully known (a Kubernetes provider
 * built from a cluster created in the same run) gets "an empty property
 * map" from the engine (pkg/resource/plugin/provider_plugin.go Create,
 * pulumi/pulumi@1b594989). A stack policy sees nothing of them yet: what
 * they hold can only be checked once the cluster exists.
 */
export function unbuiltKubernetesResources(resources: readonly ResourceView[]): ResourceView[] {
  return resources.filter(
    (r) => r.type.startsWith("kubernetes:") && !KUBERNETES_COMPONENT.test(r.type) && Object.keys(r.props).length === 0,
  );
}

/** The advisory sentence for a check that must wait for the cluster, naming what was skipped. */
export function awaitsClusterMessage(unbuilt: readonly ResourceView[], skipped: string): string {
  const names = unbuilt
    .slice(0, 3)
    .map((r) => `${r.type.split(":").pop()} ${r.name}`)
    .join(", ");
  const more = unbuilt.length > 3 ? ` and ${unbuilt.length - 3} more` : "";
  return `${skipped} cannot be checked until the cluster exists: ${names}${more} have no outputs in this preview (their Kubernetes provider is configured from a cluster this update creates); the next preview checks them.`;
}
