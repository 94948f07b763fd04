import { describe, expect, test } from "vitest";
import { ScenarioSchema, type ScenarioInput } from "../engine/scenario";
import { workloadIdentityPrincipal } from "../infra/addons";
import { DeploymentConfigSchema } from "../infra/config-schema";
import { cosInstallScript, driverInstallerManifest } from "../infra/driver-installer";
import { evaluateStack } from "../infra/evaluation";
import { gkeKubeconfig } from "../infra/kubeconfig";
import { ncclCheckedCommand } from "../infra/nccl-check";
import { gpuBootDiskGB } from "../infra/gpu-node-pool";
import { verdictLine } from "../infra/outputs";
import { vllmArgs } from "../infra/vllm-args";
import { vllmManifests } from "../infra/vllm-manifests";
import { startupFailureThreshold, terminationGracePeriodSeconds, vllmPodTemplate } from "../infra/vllm-pod";
import { vllmPlan, type PlanNode } from "../infra/vllm-plan";
import { loadRolloutTiming } from "../infra/rollout-timing";
import {
  allocatable,
  loadNodeReservations,
  memoryCapacityMiB,
  parseNodeReservations,
  vllmContainerSize,
} from "../infra/node-resources";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { validateK8sObject } from "./infra-k8s-validate";

/** The rendered pod spec as the plain object it is (the Pulumi input type also admits Outputs and Promises). */
const podSpec = (template: ReturnType<typeof vllmPodTemplate>) => template.spec as IPodSpec;

const llama70b: ScenarioInput = {
  model: "llama-3.3-70b-instruct",
  weightDtype: "fp8",
  node: { machineType: "a3-highgpu-2g", region: "us-central1", pricing: "spot" },
  workload: {
    inputTokensPerMonth: 6e9,
    outputTokensPerMonth: 1.5e9,
    inputTokensPerRequest: 2000,
    outputTokensPerRequest: 500,
  },
  api: { provider: "openai", model: "gpt-4o" },
};
const llama405bTwoNodes: ScenarioInput = {
  model: "llama-3.1-405b-instruct",
  node: { machineType: "a2-ultragpu-8g", region: "us-central1", pricing: "spot", nodesPerReplica: 2 },
  workload: {
    inputTokensPerMonth: 9e8,
    outputTokensPerMonth: 3e8,
    inputTokensPerRequest: 3000,
    outputTokensPerRequest: 1000,
  },
  api: { provider: "google", model: "gemini-3-pro-preview" },
};
const evaluateScenario = (s: ScenarioInput) => evaluateStack(ScenarioSchema.parse(s));
const reservations = loadNodeReservations();
/** The node facts of a plan: COS nodes, the data files' rules, the checkpoint's own revision. */
const node = (nodePoolName: string, weightsRevision = "0123456789abcdef0123456789abcdef01234567"): PlanNode => ({
  nodePoolName,
  nodeImage: "COS_CONTAINERD",
  reservations,
  timing: loadRolloutTiming(),
  weightsRevision,
});

describe("vLLM arguments come from the engine", () => {
  test("Llama 3.3 70B FP8 on 2xH100: TP 2, 16k context (4x a 2,500-token request, rounded up to a power of two), H100's 1024 sequences", () => {
    const { evaluation, inputs } = evaluateScenario(llama70b);
    expect(vllmArgs(evaluation, inputs.model, "f50dbad2c84590ca17dc51e207c34321b65ff14b")).toEqual([
      "RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic",
      "--revision",
      "f50dbad2c84590ca17dc51e207c34321b65ff14b",
      "--served-model-name",
      "llama-3.3-70b-instruct",
      "--host",
      "0.0.0.0",
      "--port",
      "8000",
      "--tensor-parallel-size",
      "2",
      "--pipeline-parallel-size",
      "1",
      "--max-model-len",
      "16384",
      "--max-num-seqs",
      "1024",
      "--max-num-batched-tokens",
      "8192",
      "--gpu-memory-utilization",
      "0.9",
      "--kv-cache-dtype",
      "auto",
      "--dtype",
      "auto",
      "--block-size",
      "16",
    ]);
  });

  test("a replica over two nodes runs TP 8 inside each node, PP 2 across them, on Ray", () => {
    const { evaluation, inputs } = evaluateScenario(llama405bTwoNodes);
    const args = vllmArgs(evaluation, inputs.model);
    expect(args.join(" ")).toContain("--tensor-parallel-size 8 --pipeline-parallel-size 2");
    expect(args.join(" ")).toContain("--dtype bfloat16");
    expect(args.slice(-2)).toEqual(["--distributed-executor-backend", "ray"]);
  });
});

describe("pod timing", () => {
  test("the startup probe allows the engine's cold start: 18.4 min is 111 probes 10 s apart", () => {
    expect(startupFailureThreshold(18.4)).toBe(111);
  });
  test("a busy server has 5 s to answer readiness and 10 s to answer liveness, not the kubelet's 1 s; liveness gives up after 60 s, four times readiness's 15 s", () => {
    const { evaluation, inputs } = evaluateScenario(llama70b);
    const c = podSpec(
      vllmPodTemplate(vllmPlan(evaluation, inputs, DeploymentConfigSchema.parse({}), node("gpu")), "server"),
    ).containers[0]!;
    expect([c.readinessProbe!.timeoutSeconds, c.livenessProbe!.timeoutSeconds]).toEqual([5, 10]);
    expect([
      c.readinessProbe!.periodSeconds! * c.readinessProbe!.failureThreshold!,
      c.livenessProbe!.periodSeconds! * c.livenessProbe!.failureThreshold!,
    ]).toEqual([15, 60]);
  });
  test("a 30 s spot notice leaves a serving pod 15 s (GKE gives the second half to system pods)", () => {
    expect(terminationGracePeriodSeconds(30)).toBe(15);
  });
});

describe("the NVIDIA driver installer", () => {
  test("on COS passes the exact release to cos-gpu-installer", () => {
    expect(cosInstallScript("580.126.09")).toContain("/cos-gpu-installer install --version=580.126.09 || exit 1");
  });
  test("on Ubuntu passes it as NVIDIA_DRIVER_VERSION, and stays on its node pool", () => {
    const ds = driverInstallerManifest({
      driverVersion: "580.126.09",
      nodeImage: "UBUNTU_CONTAINERD",
      nodePoolName: "gpu-a2-ultragpu-2g",
    }) as any;
    expect(ds.spec.template.spec.initContainers[0].env).toEqual([
      { name: "NVIDIA_DRIVER_VERSION", value: "580.126.09" },
    ]);
    const terms =
      ds.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    for (const t of terms)
      expect(t.matchExpressions).toContainEqual({
        key: "cloud.google.com/gke-nodepool",
        operator: "In",
        values: ["gpu-a2-ultragpu-2g"],
      });
    expect(() => validateK8sObject("kubernetes:apps/v1:DaemonSet", ds)).not.toThrow();
  });
});

describe("the NCCL start check", () => {
  test("compares torch's NCCL with the pin before exec'ing vLLM with the container's args", () => {
    const [shell, flag, script, argv0] = ncclCheckedCommand("2.29.3", 'exec vllm serve "$@"');
    expect([shell, flag, argv0]).toEqual(["/bin/bash", "-c", "vllm-entrypoint"]);
    expect(script).toContain('want="2.29.3"');
    expect(script).toContain("torch.cuda.nccl.version()");
    expect(script!.trim().split("\n").at(-1)).toBe('exec vllm serve "$@"');
  });
});

describe("a model over two nodes", () => {
  const { evaluation, inputs } = evaluateScenario(llama405bTwoNodes);
  const plan = vllmPlan(evaluation, inputs, DeploymentConfigSchema.parse({}), node("gpu-a2-ultragpu-8g"));
  const m = vllmManifests(plan);

  test("runs as a LeaderWorkerSet of two pods, the leader serving and the worker joining Ray", () => {
    expect(m.workload.kind).toBe("LeaderWorkerSet");
    const spec = (m.workload.manifest as any).spec.leaderWorkerTemplate;
    expect(spec.size).toBe(2);
    const leader = spec.leaderTemplate.spec.containers[0];
    const worker = spec.workerTemplate.spec.containers[0];
    expect(leader.args).toEqual(plan.args);
    expect(leader.command[2]).toContain("multi-node-serving.sh leader");
    expect(worker.command[2]).toContain('multi-node-serving.sh worker --ray_address="$LWS_LEADER_ADDRESS"');
    expect(worker.startupProbe).toBeUndefined();
    expect(leader.resources.limits["nvidia.com/gpu"]).toBe("8");
  });

  test("the autoscaler scales LeaderWorkerSet groups on queued requests", () => {
    expect((m.horizontalPodAutoscaler as any).spec.scaleTargetRef).toEqual({
      apiVersion: "leaderworkerset.x-k8s.io/v1",
      kind: "LeaderWorkerSet",
      name: "vllm",
    });
    expect((m.horizontalPodAutoscaler as any).spec.metrics[0].pods.metric.name).toBe(
      "prometheus.googleapis.com|vllm:num_requests_waiting|gauge",
    );
  });
});

describe("replicas belong to the autoscaler when there is one", () => {
  const { evaluation, inputs } = evaluateScenario(llama70b);
  const render = (autoscaling: boolean) =>
    vllmManifests(vllmPlan(evaluation, inputs, DeploymentConfigSchema.parse({ autoscaling }), node("gpu")));

  test("with the HPA on, the Deployment leaves spec.replicas out, so `pulumi up` never resets the HPA's choice; the HPA's floor is the engine's 1 replica", () => {
    const m = render(true);
    expect((m.workload.manifest as any).spec).not.toHaveProperty("replicas");
    expect((m.horizontalPodAutoscaler as any).spec.minReplicas).toBe(1);
  });

  test("with the HPA off, the Deployment runs the engine's 1 replica itself", () => {
    const m = render(false);
    expect((m.workload.manifest as any).spec.replicas).toBe(1);
    expect(m.horizontalPodAutoscaler).toBeUndefined();
  });

  test("a LeaderWorkerSet under the HPA leaves its group count to the HPA too", () => {
    const { evaluation: e405, inputs: i405 } = evaluateScenario(llama405bTwoNodes);
    const lws = vllmManifests(vllmPlan(e405, i405, DeploymentConfigSchema.parse({}), node("gpu"))).workload
      .manifest as any;
    expect(lws.spec).not.toHaveProperty("replicas");
  });
});

describe("the vLLM container's CPU and memory fit GKE's allocatable, less room for DaemonSets", () => {
  test("the kubelet's capacity is RAM less the kernel's share: a3-highgpu-8g's 1,872 GiB (1,916,928 MiB) keeps 29,952 (RAM/64) + 16 + 64 (swiotlb) + 248 (COS correction cap) = 30,280 MiB", () => {
    expect(memoryCapacityMiB(1872, "COS_CONTAINERD", reservations)).toBe(1_916_928 - 30_280);
    // Ubuntu keeps 4 MiB more (gce_reserved.go ubuntuSpecificOffset).
    expect(memoryCapacityMiB(1872, "UBUNTU_CONTAINERD", reservations)).toBe(1_916_928 - 30_284);
  });

  test("a3-highgpu-8g: GKE's tiers take 43.61 GiB of the 1,842.43 GiB capacity (9.32 below 128 GiB + 2 % of the rest), leaving 1,841,892 MiB allocatable, not the 1,869,519 MiB the nominal RAM gave", () => {
    const a = allocatable({ vcpu: 208, memoryGB: 1872 }, "COS_CONTAINERD", reservations);
    expect(a.memoryMiB).toBeCloseTo(1_886_648 - (9.32 + 0.02 * (1_886_648 / 1024 - 128)) * 1024 - 100, 6);
    expect(Math.floor(a.memoryMiB)).toBe(1_841_892);
    expect(vllmContainerSize({ vcpu: 208, memoryGB: 1872 }, "COS_CONTAINERD", reservations)).toEqual({
      cpuMillicores: 208_000 - 590 - 1_000,
      memoryMiB: 1_841_892 - 2_048,
    });
  });

  test("reproduces GKE's own e2-standard-4 example (3,920m and 13,498,416 Ki) within the 2 GiB DaemonSet allowance", () => {
    const a = allocatable({ vcpu: 4, memoryGB: 16 }, "COS_CONTAINERD", reservations);
    expect(a.cpuMillicores).toBeCloseTo(3_920, 6);
    // Documented: 13,498,416 Ki = 13,182 MiB; the formula gives 13,293 MiB, 111 MiB above, far inside the 2,048 MiB left for DaemonSets.
    expect(a.memoryMiB - 13_498_416 / 1024).toBeGreaterThan(0);
    expect(a.memoryMiB - 13_498_416 / 1024).toBeLessThan(reservations.daemonSetAllowance.memoryMiB);
  });

  test("reproduces the 486.9 GiB measured on an n2-highmem-64 (512 GiB) node from below, within 0.25 GiB (2i2c-org/infrastructure#2121)", () => {
    const gib = allocatable({ vcpu: 64, memoryGB: 512 }, "COS_CONTAINERD", reservations).memoryMiB / 1024;
    expect(486.9 - gib).toBeGreaterThan(0);
    expect(486.9 - gib).toBeLessThan(0.25);
  });

  test("Llama 3.3 70B on a3-highgpu-2g (52 vCPU, 468 GiB): requests equal limits, so the pod is Guaranteed and evicted last", () => {
    const { evaluation, inputs } = evaluateScenario(llama70b);
    const pod = vllmPodTemplate(vllmPlan(evaluation, inputs, DeploymentConfigSchema.parse({}), node("gpu")), "server");
    expect(podSpec(pod).containers[0]!.resources).toEqual({
      requests: { cpu: "50800m", memory: "452917Mi" },
      limits: { cpu: "50800m", memory: "452917Mi", "nvidia.com/gpu": "2" },
    });
  });

  test("a share above 1 in the reservation data names the file and the field", () => {
    const bad = { ...reservations, cpuTiers: [{ uptoCores: 1, share: 6 }] };
    expect(() => parseNodeReservations(bad, "gke-node-reservations.yaml")).toThrow(
      "gke-node-reservations.yaml: cpuTiers[0].share: 6 is not valid: Too big: expected number to be <=1",
    );
  });
});

describe("the GPU node's boot disk holds the weights when no local SSD does", () => {
  test.each([
    ["a2-highgpu-8g (no local SSD), Llama 3.3 70B in BF16 (141.1 GB)", 0, 141.1, 342],
    ["a3-highgpu-8g (6,000 GB local SSD), the same checkpoint", 6000, 141.1, 200],
  ])("%s: %i GB local SSD, %d GB of weights -> %i GB boot disk", (_what, localSsdGB, weightGB, diskGB) => {
    expect(gpuBootDiskGB(localSsdGB, weightGB)).toBe(diskGB);
  });
});

describe("schema validation catches a broken manifest", () => {
  test("a port given as a string fails the Deployment schema", () => {
    const { evaluation, inputs } = evaluateScenario(llama70b);
    const m = vllmManifests(vllmPlan(evaluation, inputs, DeploymentConfigSchema.parse({}), node("gpu")));
    const broken = structuredClone(m.workload.manifest) as any;
    broken.spec.template.spec.containers[0].ports[0].containerPort = "8000";
    expect(() => validateK8sObject("kubernetes:apps/v1:Deployment", broken)).toThrow(/containerPort must be integer/);
  });
});

test("Workload Identity principal of the metrics adapter's service account", () => {
  expect(workloadIdentityPrincipal("123", "p", "custom-metrics", "custom-metrics-stackdriver-adapter")).toBe(
    "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p.svc.id.goog/subject/ns/custom-metrics/sa/custom-metrics-stackdriver-adapter",
  );
});

test("the kubeconfig authenticates with gke-gcloud-auth-plugin, not a stored token", () => {
  const text = gkeKubeconfig({ name: "c", endpoint: "10.0.0.2", clusterCaCertificate: "Q0E=" });
  expect(text).toContain("server: https://10.0.0.2");
  expect(text).toContain("command: gke-gcloud-auth-plugin");
  expect(text).not.toContain("token:");
});

describe("the verdict line the program logs during preview", () => {
  test("names the verdict, then the summary sentence with the dollar figures", () => {
    const { evaluation } = evaluateScenario(llama70b);
    expect(verdictLine(evaluation)).toMatch(
      /^llm-breakeven \(verdict: self-host\): Self-host: Llama 3\.3 70B Instruct on 1 x a3-highgpu-2g \(spot\) costs \$[\d,]+ a month against \$[\d,]+ for gpt-4o, saving \$[\d,]+\. Break-even at /,
    );
  });
});
