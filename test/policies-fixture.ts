import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { NODE_POOL_LABELS, SCENARIO_CONFIGMAP_KEY, SCENARIO_CONFIGMAP_NAME } from "../catalog/resource-contract";
import { loadCatalog } from "../catalog/load";
import type { ResourceView } from "../policies/resources";

/**
 * Hand-built resource arguments for policy tests, in the style of awsguard's
 * tests: a happy-path stack that every policy passes, and one change per
 * case. The numbers are chosen so the cost can be checked by hand: one
 * on-demand node at an overridden $10/h, a measured 1,000 output tok/s,
 * and the API at an overridden $2 / $12 per 1M tokens.
 */
export const MODEL = "llama-3.1-8b-instruct";
export const pins = () => loadCatalog().models.get(MODEL)!.serving;

const urn = (type: string, name: string) => `urn:pulumi:test::llm-breakeven::${type}::${name}`;

/** A resource view of a type, name and props. */
export function resource(type: string, name: string, props: Record<string, any>): ResourceView {
  return { type, name, urn: urn(type, name), props };
}

/** The scenario the stack config carries (`llm-breakeven:*`): 60M in / 20M out a month, Gemini 3 Pro at overridden prices. */
export function scenario(): Record<string, any> {
  return {
    model: MODEL,
    node: {
      machineType: "a3-highgpu-1g",
      region: "us-central1",
      pricing: "on-demand",
      hourlyUsd: 10,
      coldStartMinutes: 20,
    },
    replicas: { min: 1, max: 1 },
    throughput: { outputTokensPerSecond: 1000 },
    workload: {
      inputTokensPerMonth: 60e6,
      outputTokensPerMonth: 20e6,
      inputTokensPerRequest: 3000,
      outputTokensPerRequest: 1000,
    },
    api: { provider: "google", model: "gemini-3-pro-preview", inputUsdPerMTok: 2, outputUsdPerMTok: 12 },
    ops: { fteFraction: 0.25, fteMonthlyUsd: 16000, fixedMonthlyUsd: 300, overheadPct: 30 },
    serving: { maxModelLen: 8192 },
  };
}

/** The GPU node pool, as the program declares it (on-demand unless `spot`). */
export function gpuPool(
  over: {
    spot?: boolean;
    machineType?: string;
    accelerator?: string;
    count?: number;
    driver?: string | undefined;
    labels?: Record<string, string>;
  } = {},
) {
  return resource("gcp:container/nodePool:NodePool", "gpu", {
    autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 1, locationPolicy: "ANY" },
    nodeConfig: {
      machineType: over.machineType ?? "a3-highgpu-1g",
      spot: over.spot ?? false,
      guestAccelerators: [
        {
          type: over.accelerator ?? "nvidia-h100-80gb",
          count: over.count ?? 1,
          gpuDriverInstallationConfig:
            "driver" in over
              ? over.driver === undefined
                ? undefined
                : { gpuDriverVersion: over.driver }
              : { gpuDriverVersion: "INSTALLATION_DISABLED" },
        },
      ],
      labels: over.labels ?? {
        [NODE_POOL_LABELS.model]: MODEL,
        [NODE_POOL_LABELS.pricing]: "on-demand",
        [NODE_POOL_LABELS.region]: "us-central1",
        [NODE_POOL_LABELS.nodesPerReplica]: "1",
        [NODE_POOL_LABELS.replicasMin]: "1",
        [NODE_POOL_LABELS.replicasMax]: "1",
      },
    },
  });
}

/** The scenario ConfigMap the program writes. */
export function scenarioConfigMap(data: Record<string, any> | string = scenario()) {
  return resource("kubernetes:core/v1:ConfigMap", "vllm-scenario", {
    metadata: { name: SCENARIO_CONFIGMAP_NAME, namespace: "llm" },
    data: { [SCENARIO_CONFIGMAP_KEY]: typeof data === "string" ? data : JSON.stringify(data) },
  });
}

/** The NVIDIA driver installer DaemonSet (COS: `--version=` inside its script). */
export function driverInstaller(version: string = pins().nvidiaDriverVersion) {
  return resource("kubernetes:apps/v1:DaemonSet", "driver-installer", {
    metadata: { name: "nvidia-driver-installer-gpu", namespace: "kube-system" },
    spec: {
      template: {
        metadata: { labels: { "k8s-app": "nvidia-driver-installer" } },
        spec: {
          initContainers: [
            {
              name: "nvidia-driver-installer",
              image: "cos-nvidia-installer:fixed",
              command: ["bash", "-c", `/cos-gpu-installer install --version=${version} || exit 1`],
            },
          ],
          containers: [{ name: "pause", image: "gke.gcr.io/pause:3.8" }],
        },
      },
    },
  });
}

/** The vLLM Deployment: image by digest, NCCL checked at start, probes, grace period, GPU limit. */
export function vllmDeployment(
  over: {
    image?: string;
    nccl?: string | undefined;
    grace?: number;
    startupProbe?: Record<string, any> | undefined;
  } = {},
) {
  const nccl = "nccl" in over ? over.nccl : pins().ncclVersion;
  const script =
    nccl === undefined
      ? "exec vllm serve"
      : `want="${nccl}"\ngot="$(python3 -c 'import torch')"\n[ "$got" = "$want" ] || { echo "the model pins nccl==$want" >&2; exit 1; }\nexec vllm serve`;
  const container: Record<string, any> = {
    name: "vllm",
    image: over.image ?? pins().vllmImage,
    command: ["/bin/bash", "-c", script, "vllm-entrypoint"],
    resources: { limits: { "nvidia.com/gpu": "1" } },
  };
  const probe =
    "startupProbe" in over
      ? over.startupProbe
      : { httpGet: { path: "/health", port: 8000 }, periodSeconds: 10, failureThreshold: 120 };
  if (probe) container.startupProbe = probe;
  return resource("kubernetes:apps/v1:Deployment", "vllm", {
    metadata: { name: "vllm", namespace: "llm" },
    spec: {
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "vllm" } },
        spec: { terminationGracePeriodSeconds: over.grace ?? 25, containers: [container] },
      },
    },
  });
}

/** The PodDisruptionBudget that selects the vLLM pods. */
export function pdb(matchLabels: Record<string, string> = { "app.kubernetes.io/name": "vllm" }) {
  return resource("kubernetes:policy/v1:PodDisruptionBudget", "vllm-pdb", {
    metadata: { name: "vllm", namespace: "llm" },
    spec: { maxUnavailable: 1, selector: { matchLabels } },
  });
}

/** The happy-path stack. */
export function stack(): ResourceView[] {
  return [gpuPool(), scenarioConfigMap(), driverInstaller(), vllmDeployment(), pdb()];
}

/** A reportViolation that collects what a policy reports, in either of the forms @pulumi/policy accepts. */
function collectViolations() {
  const violations: { message: string; urn?: string | undefined; enforcementLevel?: string }[] = [];
  const reportViolation = ((
    message: string | { message: string; urn?: string; enforcementLevel?: string },
    u?: string,
  ) => {
    if (typeof message === "string") violations.push({ message, urn: u });
    else violations.push(message);
  }) as ReportViolation;
  return { violations, reportViolation };
}

/** Runs a stack policy the way @pulumi/policy does, collecting what it reports. */
export async function runStackPolicy(
  policy: StackValidationPolicy,
  resources: ResourceView[],
  config: Record<string, unknown> = {},
) {
  let notApplicable: string | undefined;
  const { violations, reportViolation } = collectViolations();
  const args: StackValidationArgs = {
    resources: resources as PolicyResource[],
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      notApplicable = reason;
      throw new Error("not applicable");
    },
  };
  try {
    await policy.validateStack(args, reportViolation);
  } catch (err) {
    if (notApplicable === undefined) throw err;
  }
  return { violations, notApplicable };
}

/** A stack config as the CLI hands it to a pack in PULUMI_CONFIG: "llm-breakeven:<key>" to a string, objects as JSON. */
export function pulumiConfigOf(scenarioJson: Record<string, unknown> = scenario()): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(scenarioJson).map(([k, v]) => [
        `llm-breakeven:${k}`,
        typeof v === "string" ? v : JSON.stringify(v),
      ]),
    ),
  );
}

/**
 * Runs a resource policy the way @pulumi/policy does for one resource, with
 * PULUMI_CONFIG set for the call as the CLI sets it for the pack process.
 */
export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  r: ResourceView,
  config: Record<string, unknown> = {},
  pulumiConfig = pulumiConfigOf(),
) {
  const { violations, reportViolation } = collectViolations();
  let notApplicable: string | undefined;
  const args = {
    ...r,
    opts: {},
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      notApplicable = reason;
      throw new Error("not applicable");
    },
  } as unknown as ResourceValidationArgs;
  // @pulumi/pulumi reads the config from its store, which it filled from the environment at load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const store = require("@pulumi/pulumi/runtime/state").getStore() as { config: Record<string, string | undefined> };
  const saved = store.config.PULUMI_CONFIG;
  store.config.PULUMI_CONFIG = pulumiConfig;
  try {
    const validate = policy.validateResource;
    for (const v of Array.isArray(validate) ? validate : validate ? [validate] : []) await v(args, reportViolation);
  } catch (err) {
    if (notApplicable === undefined) throw err;
  } finally {
    store.config.PULUMI_CONFIG = saved;
  }
  return { violations, notApplicable };
}
