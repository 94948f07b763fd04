import type { PolicyResource } from "@pulumi/policy";
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
  /** Fewest and most nodes of the whole pool (autoscaling totals, per-zone counts x zones, or a fixed count). */
  minNodes: number | undefined;
  maxNodes: number | undefined;
}

type Props = Record<string, any>;

function nodeCounts(props: Props): { minNodes: number | undefined; maxNodes: number | undefined } {
  const autoscaling: Props | undefined = props.autoscaling;
  const zones: number = Array.isArray(props.nodeLocations) && props.nodeLocations.length > 0 ? props.nodeLocations.length : 1;
  const fixed: number | undefined = props.nodeCount ?? props.initialNodeCount;
  if (autoscaling) {
    const perZone = (n: unknown) => (typeof n === "number" ? n * zones : undefined);
    return {
      minNodes: autoscaling.totalMinNodeCount ?? perZone(autoscaling.minNodeCount) ?? fixed,
      maxNodes: autoscaling.totalMaxNodeCount ?? perZone(autoscaling.maxNodeCount) ?? fixed,
    };
  }
  const total = typeof fixed === "number" ? fixed * zones : undefined;
  return { minNodes: total, maxNodes: total };
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
    const accelerators: GuestAccelerator[] = (nodeConfig.guestAccelerators ?? []).map((a: Props) => ({
      type: a.type,
      count: a.count,
      gpuDriverVersion: a.gpuDriverInstallationConfig?.gpuDriverVersion,
    }));
    if (accelerators.length === 0 && !(machineType && isGpuMachineType(machineType))) continue;
    pools.push({
      resource,
      machineType: machineType ?? "",
      spot: nodeConfig.spot === true || nodeConfig.preemptible === true,
      labels: { ...(nodeConfig.labels ?? {}) },
      accelerators,
      ...nodeCounts(resource.props),
    });
  }
  return pools;
}

/** The scenario ConfigMap the program writes, or undefined when the stack has none. */
export function findScenarioConfigMap(resources: readonly ResourceView[]): ResourceView | undefined {
  return resources.find((r) => r.type === RESOURCE_TYPES.configMap && r.props.metadata?.name === SCENARIO_CONFIGMAP_NAME);
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
    if (r.type === RESOURCE_TYPES.deployment || r.type === RESOURCE_TYPES.statefulSet || r.type === RESOURCE_TYPES.daemonSet) {
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
  return readPodTemplates(resources).filter((t) => t.workload.type !== RESOURCE_TYPES.daemonSet && t.containers.some((c) => c.gpuLimit));
}
