import type * as k8s from "@pulumi/kubernetes";
import { ncclCheckedCommand } from "./nccl-check";
import { VLLM_PORT } from "./vllm-args";
import type { VllmPlan } from "./vllm-plan";

type Container = k8s.types.input.core.v1.Container;
type Probe = k8s.types.input.core.v1.Probe;

/** How a pod takes part in a replica: alone, or as the leader or a worker of a multi-node group. */
export type PodRole = "server" | "leader" | "worker";

/** Label on pods that answer HTTP (a single-node server or a group's leader): the Service, PDB and metrics select it. */
export const SERVES_LABEL = "llm-breakeven.dev/serves";

/** Seconds between startup probes; the failure threshold is the cold-start budget divided by this. */
export const STARTUP_PROBE_PERIOD_SECONDS = 10;
/**
 * Readiness probe: a server that stops answering leaves the Service within
 * about 15 s. A saturated vLLM can take over a second to answer `/health`
 * (scaleapi/llm-engine#255, llm-d/llm-d-benchmark#1734), so the timeout is
 * 5 s, not the kubelet's default of 1 s, which would drop a busy replica.
 */
export const READINESS_PROBE = { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 } as const;
/**
 * Liveness probe: a server stuck for a minute (after start-up) is restarted.
 * Its 10 s timeout keeps a merely busy server, which costs a full cold start
 * to restart, from being killed.
 */
export const LIVENESS_PROBE = { periodSeconds: 20, timeoutSeconds: 10, failureThreshold: 3 } as const;
/**
 * preStop sleep: long enough for the endpoint to leave the Service (kube-proxy
 * and load balancers converge in a few seconds) before vLLM gets SIGTERM.
 */
export const PRE_STOP_SLEEP_SECONDS = 5;

/** vLLM's example launcher for Ray groups under LeaderWorkerSet, shipped in the vllm-openai image. */
const MULTI_NODE_SCRIPT = "/vllm-workspace/examples/online_serving/multi-node-serving.sh";

/**
 * Where the weights are cached: a volume, not the container's writable layer,
 * which is lost on every container restart (a crash would re-download the
 * whole checkpoint). An emptyDir outlives container restarts; on machines
 * with bundled local SSD it lives on the SSD (the pool's ephemeral storage).
 */
export const WEIGHTS_CACHE = { volume: "hf-cache", mountPath: "/root/.cache/huggingface" } as const;

/**
 * Grace period: GKE's graceful node shutdown splits the 30 s spot notice into
 * a first half for ordinary pods and a second half for system-critical pods,
 * so a serving pod has half the notice to drain.
 */
export function terminationGracePeriodSeconds(spotNoticeSeconds: number): number {
  return Math.floor(spotNoticeSeconds / 2);
}

/** Startup-probe failures allowed: the engine's cold-start minutes in probe periods. */
export function startupFailureThreshold(coldStartMinutes: number): number {
  return Math.ceil((coldStartMinutes * 60) / STARTUP_PROBE_PERIOD_SECONDS);
}

/** Pod labels for the plan's workload. */
export function podLabels(plan: VllmPlan, role: PodRole): Record<string, string> {
  return {
    "app.kubernetes.io/name": plan.name,
    "app.kubernetes.io/component": role,
    ...(role === "worker" ? {} : { [SERVES_LABEL]: "true" }),
  };
}

function execLine(role: PodRole, rayInitTimeoutSeconds: number): string {
  const wait = `--ray_init_timeout=${rayInitTimeoutSeconds}`;
  switch (role) {
    case "server":
      return 'exec vllm serve "$@"';
    case "leader":
      // Start the Ray head, wait for the group's workers (sized to a spot node's start, not the script's 300 s), then serve (PP across nodes).
      return `bash ${MULTI_NODE_SCRIPT} leader --ray_cluster_size="$LWS_GROUP_SIZE" ${wait} || exit 1\nexec vllm serve "$@"`;
    case "worker":
      return `exec bash ${MULTI_NODE_SCRIPT} worker --ray_address="$LWS_LEADER_ADDRESS" ${wait}`;
    default: {
      const never: never = role;
      return never;
    }
  }
}

/**
 * Requests equal to limits for CPU and memory (Guaranteed QoS: the scheduler
 * reserves the node for the replica, the kubelet evicts it last), all of the
 * node's GPUs as a limit.
 */
export function vllmResources(plan: VllmPlan): k8s.types.input.core.v1.ResourceRequirements {
  const size = { cpu: `${plan.containerSize.cpuMillicores}m`, memory: `${plan.containerSize.memoryMiB}Mi` };
  return { requests: size, limits: { ...size, "nvidia.com/gpu": String(plan.gpusPerNode) } };
}

function httpProbe(extra: Omit<Probe, "httpGet">): Probe {
  return { httpGet: { path: "/health", port: VLLM_PORT }, ...extra };
}

/**
 * The pod template of a vLLM server, leader or worker: image by digest,
 * NCCL checked at start, driver libraries first on the library path, shared
 * memory, probes sized from the engine's cold start, a drain that fits the
 * spot notice, and placement on the GPU pool.
 */
export function vllmPodTemplate(plan: VllmPlan, role: PodRole): k8s.types.input.core.v1.PodTemplateSpec {
  const { nodeSelector, tolerations } = gpuPoolPlacement(plan);
  return {
    metadata: { labels: podLabels(plan, role) },
    spec: {
      // A Service named like the app would inject <NAME>_PORT variables; vLLM reads VLLM_PORT and crash-loops.
      enableServiceLinks: false,
      terminationGracePeriodSeconds: terminationGracePeriodSeconds(plan.spotNoticeSeconds),
      nodeSelector,
      tolerations,
      containers: [vllmContainer(plan, role)],
      volumes: [
        { name: "dshm", emptyDir: { medium: "Memory" } },
        { name: WEIGHTS_CACHE.volume, emptyDir: { sizeLimit: `${plan.weightsCacheGiB}Gi` } },
      ],
    },
  };
}

/** The vLLM container: its environment, ports, resources, shared memory, weights cache, drain and (when it serves) probes. */
function vllmContainer(plan: VllmPlan, role: PodRole): Container {
  const serves = role !== "worker";
  const env: k8s.types.input.core.v1.EnvVar[] = [
    // The image's cuda-compat libraries shadow a 580+ host driver (CUDA error 803); GKE mounts the driver here.
    { name: "LD_LIBRARY_PATH", value: "/usr/local/nvidia/lib64" },
    { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: plan.secretName, key: "HF_TOKEN" } } },
    { name: "HF_HOME", value: WEIGHTS_CACHE.mountPath },
  ];
  if (serves)
    env.push({ name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: plan.secretName, key: "VLLM_API_KEY" } } });

  const container: Container = {
    name: "vllm",
    image: plan.image,
    command: ncclCheckedCommand(plan.ncclVersion, execLine(role, plan.rayInitTimeoutSeconds)),
    ...(role === "worker" ? {} : { args: plan.args }),
    env,
    ports: serves ? [{ name: "http", containerPort: VLLM_PORT }] : [],
    resources: vllmResources(plan),
    volumeMounts: [
      { name: "dshm", mountPath: "/dev/shm" },
      { name: WEIGHTS_CACHE.volume, mountPath: WEIGHTS_CACHE.mountPath },
    ],
    lifecycle: { preStop: { exec: { command: ["sleep", String(PRE_STOP_SLEEP_SECONDS)] } } },
  };
  if (serves) {
    container.startupProbe = httpProbe({
      periodSeconds: STARTUP_PROBE_PERIOD_SECONDS,
      failureThreshold: startupFailureThreshold(plan.coldStartMinutes),
    });
    container.readinessProbe = httpProbe(READINESS_PROBE);
    container.livenessProbe = httpProbe(LIVENESS_PROBE);
  }
  return container;
}

/** The GPU pool's node selector and the taints its pods tolerate (the GPU taint, and the spot one on a spot pool). */
function gpuPoolPlacement(plan: VllmPlan): {
  nodeSelector: Record<string, string>;
  tolerations: k8s.types.input.core.v1.Toleration[];
} {
  const nodeSelector: Record<string, string> = {
    "cloud.google.com/gke-accelerator": plan.gkeAccelerator,
    "cloud.google.com/gke-nodepool": plan.nodePoolName,
  };
  if (plan.spot) nodeSelector["cloud.google.com/gke-spot"] = "true";
  const tolerations: k8s.types.input.core.v1.Toleration[] = [
    { key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" },
  ];
  if (plan.spot)
    tolerations.push({ key: "cloud.google.com/gke-spot", operator: "Equal", value: "true", effect: "NoSchedule" });
  return { nodeSelector, tolerations };
}
