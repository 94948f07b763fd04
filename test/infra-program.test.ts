import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, test, vi } from "vitest";
import { NODE_POOL_LABELS, SCENARIO_CONFIGMAP_KEY, SCENARIO_CONFIGMAP_NAME } from "../catalog/resource-contract";
import { loadCatalog } from "../catalog/load";
import { evaluateStack } from "../infra/evaluation";
import { createStack } from "../infra/program";
import { vllmArgs } from "../infra/vllm-args";
import { INFRA_CONFIG_KEYS } from "../catalog/scenario-file";
import { SCENARIO_KEYS, ScenarioSchema } from "../engine/scenario";
import { validateK8sObject } from "./infra-k8s-validate";
import { mergeProjectConfig, projectErrors, schemaErrors, stackValueErrors } from "./infra-pulumi-project";
import {
  API_KEY,
  HF_TOKEN,
  PROJECT,
  mockBadStack,
  runStack,
  SECRETS,
  STACK_FILES,
  stackConfig,
  stackFileConfig,
  type Registered as Recorded,
} from "./infra-stack-harness";

const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

const byType = (rs: Recorded[], type: string) => rs.filter((r) => r.type === type);
const one = (rs: Recorded[], type: string) => {
  const found = byType(rs, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const unwrap = (v: any) => (v && v[SECRET_SIG.key] === SECRET_SIG.value ? v.value : v);

afterEach(() => vi.restoreAllMocks());

describe.each(STACK_FILES)("the program under mocks for %s", (file) => {
  const scenario = ScenarioSchema.parse(
    Object.fromEntries(
      Object.entries(stackConfig(file))
        .filter(([k, v]) => k.startsWith("llm-breakeven:") && !/:(cluster|deployment)$/.test(k) && v !== "")
        .map(([k, v]) => [k.slice(14), v.startsWith("{") ? JSON.parse(v) : v]),
    ),
  );
  // Evaluated lazily so that a stack the engine rejects fails its own tests, not the whole file.
  let cached: ReturnType<typeof evaluateStack> | undefined;
  const engine = () => (cached ??= evaluateStack(scenario));
  const model = loadCatalog().models.get(scenario.model)!;

  test("declares a GPU node pool with the catalog's accelerator, spot, a driver pin and the cost labels", async () => {
    const { inputs } = engine();
    const { resources } = await runStack(file);
    const pool = byType(resources, "gcp:container/nodePool:NodePool").find((p) => p.inputs.name !== "system")!;
    const cfg = pool.inputs.nodeConfig;
    expect(cfg.machineType).toBe(scenario.node.machineType);
    expect(cfg.spot).toBe(scenario.node.pricing === "spot");
    expect(cfg.guestAccelerators).toEqual([
      {
        type: inputs.gpu.gkeAccelerator,
        count: inputs.machine.gpuCount,
        gpuDriverInstallationConfig: { gpuDriverVersion: "INSTALLATION_DISABLED" },
      },
    ]);
    expect(cfg.taints).toEqual([{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }]);
    expect(pool.inputs.autoscaling).toMatchObject({
      totalMinNodeCount: 0,
      locationPolicy: scenario.node.pricing === "spot" ? "ANY" : "BALANCED",
    });
    expect(cfg.labels[NODE_POOL_LABELS.model]).toBe(scenario.model);
    expect(cfg.labels[NODE_POOL_LABELS.pricing]).toBe(scenario.node.pricing);
    expect(cfg.labels[NODE_POOL_LABELS.nodesPerReplica]).toBe(String(scenario.node.nodesPerReplica));
  });

  test("installs the NVIDIA driver at the stack's pin (cluster.gpuDriverVersion, else the model's), and the cluster holds node versions", async () => {
    const { resources } = await runStack(file);
    const ds = one(resources, "kubernetes:apps/v1:DaemonSet");
    const installer = ds.inputs.spec.template.spec.initContainers[0];
    const cluster0 = (stackFileConfig(file)["llm-breakeven:cluster"] ?? {}) as { gpuDriverVersion?: string };
    const pinned = cluster0.gpuDriverVersion ?? model.serving.nvidiaDriverVersion;
    const text = JSON.stringify(installer);
    expect(
      text.includes(`--version=${pinned}`) ||
        installer.env.some((e: any) => e.name === "NVIDIA_DRIVER_VERSION" && e.value === pinned),
    ).toBe(true);
    const cluster = one(resources, "gcp:container/cluster:Cluster");
    expect(cluster.inputs.maintenancePolicy.maintenanceExclusions[0].exclusionOptions.scope).toBe(
      "NO_MINOR_OR_NODE_UPGRADES",
    );
    expect(cluster.inputs.workloadIdentityConfig.workloadPool).toBe("my-gcp-project.svc.id.goog");
    expect(cluster.inputs.removeDefaultNodePool).toBe(true);
  });

  test("runs vLLM by digest with the engine's arguments, probes, shm, grace period and tolerations", async () => {
    const { inputs, evaluation } = engine();
    const { resources } = await runStack(file);
    const multiNode = scenario.node.nodesPerReplica > 1;
    const workload = multiNode
      ? one(resources, "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")
      : one(resources, "kubernetes:apps/v1:Deployment");
    const template = multiNode
      ? workload.inputs.spec.leaderWorkerTemplate.leaderTemplate
      : workload.inputs.spec.template;
    // With an autoscaler the HPA owns spec.replicas and holds the engine's count as its floor.
    const hpa = resources.find((r) => r.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
    if (hpa)
      expect([workload.inputs.spec.replicas, hpa.inputs.spec.minReplicas]).toEqual([
        undefined,
        evaluation.selfHost.replicas,
      ]);
    else expect(workload.inputs.spec.replicas).toBe(evaluation.selfHost.replicas);
    const pod = template.spec;
    const c = pod.containers[0];
    expect(c.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(c.image).toBe(model.serving.vllmImage);
    expect(c.args).toEqual(vllmArgs(evaluation, model));
    expect(c.args).toEqual(
      expect.arrayContaining([
        "--tensor-parallel-size",
        String(evaluation.parallel.tensorParallel),
        "--max-model-len",
        String(evaluation.serving.maxModelLen),
      ]),
    );
    expect(c.command.join(" ")).toContain(`want="${model.serving.ncclVersion}"`);
    expect(c.env).toContainEqual({ name: "LD_LIBRARY_PATH", value: "/usr/local/nvidia/lib64" });
    expect(c.resources.limits).toEqual({ ...c.resources.requests, "nvidia.com/gpu": String(inputs.machine.gpuCount) });
    expect(parseInt(c.resources.requests.cpu, 10)).toBeLessThan(inputs.machine.vcpu * 1000);
    expect(c.startupProbe.httpGet.path).toBe("/health");
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(
      evaluation.selfHost.coldStartMinutes * 60,
    );
    expect(c.readinessProbe.httpGet.path).toBe("/health");
    expect(c.livenessProbe.httpGet.path).toBe("/health");
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.volumes).toContainEqual({ name: "dshm", emptyDir: { medium: "Memory" } });
    expect(pod.terminationGracePeriodSeconds).toBe(15);
    expect(pod.nodeSelector["cloud.google.com/gke-accelerator"]).toBe(inputs.gpu.gkeAccelerator);
    expect(pod.tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Equal",
      value: "present",
      effect: "NoSchedule",
    });
    if (scenario.node.pricing === "spot") expect(pod.nodeSelector["cloud.google.com/gke-spot"]).toBe("true");
  });

  test("keeps the Hugging Face token and the API key secret", async () => {
    const { resources, outputs } = await runStack(file);
    const secret = one(resources, "kubernetes:core/v1:Secret");
    expect(secret.inputs.stringData[SECRET_SIG.key]).toBe(SECRET_SIG.value);
    expect(unwrap(secret.inputs.stringData)).toEqual({ HF_TOKEN, VLLM_API_KEY: API_KEY });
    const plainText =
      JSON.stringify(resources.filter((r) => r !== secret).map((r) => r.inputs)) + JSON.stringify(outputs);
    expect(plainText).not.toContain(HF_TOKEN);
    expect(plainText).not.toContain(API_KEY);
  });

  test("records the scenario in the ConfigMap the policy pack reads", async () => {
    const { resources } = await runStack(file);
    const cm = one(resources, "kubernetes:core/v1:ConfigMap");
    expect(cm.inputs.metadata.name).toBe(SCENARIO_CONFIGMAP_NAME);
    expect(ScenarioSchema.parse(JSON.parse(cm.inputs.data[SCENARIO_CONFIGMAP_KEY]))).toEqual(scenario);
  });

  test("every rendered Kubernetes object passes the Kubernetes schema", async () => {
    const { resources } = await runStack(file);
    const k8sObjects = resources.filter(
      (r) =>
        r.type.startsWith("kubernetes:") &&
        r.type !== "kubernetes:yaml/v2:ConfigFile" &&
        r.type !== "pulumi:providers:kubernetes",
    );
    expect(k8sObjects.length).toBeGreaterThan(5);
    for (const r of k8sObjects)
      expect(() => validateK8sObject(r.type, unwrapDeep(r.inputs)), `${r.type} ${r.name}`).not.toThrow();
  });

  test("exports the engine's verdict and logs it in one line", async () => {
    const info = vi.spyOn(pulumi.log, "info").mockResolvedValue();
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    const { evaluation } = engine();
    const { outputs } = await runStack(file);
    expect(outputs.verdict).toBe(evaluation.verdict);
    expect((outputs.selfHostMonthlyUsd as { total: number }).total).toBeCloseTo(
      evaluation.selfHost.monthlyUsd.total,
      1,
    );
    expect(outputs.apiMonthlyUsd).toBeCloseTo(evaluation.api.monthlyUsd, 1);
    const logged = (evaluation.verdict === "self-host" ? info : warn).mock.calls.map((c) => String(c[0]));
    expect(logged.filter((l) => l.startsWith(`llm-breakeven (verdict: ${evaluation.verdict}): `))).toHaveLength(1);
  });
});

function unwrapDeep(v: any): any {
  v = unwrap(v);
  if (Array.isArray(v)) return v.map(unwrapDeep);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapDeep(x)]));
  return v;
}

describe("bad stack config fails with a message naming the key", () => {
  const base = "Pulumi.llama70b-h100.yaml";
  test.each([
    ["a misspelt key", { "llm-breakeven:workloads": "{}" }, /llm-breakeven:workloads.*unknown key/],
    [
      "an unknown model",
      { "llm-breakeven:model": "gpt-5-open" },
      /stack config: llm-breakeven:model: unknown model .*"gpt-5-open"/,
    ],
    [
      "a machine type that cannot hold the model",
      {
        "llm-breakeven:weightDtype": "bf16",
        "llm-breakeven:node": { machineType: "a3-highgpu-1g", region: "us-central1", pricing: "spot" },
      },
      /stack config: llm-breakeven:node\.machineType: "a3-highgpu-1g" cannot hold Llama 3\.3 70B Instruct \(bf16\)/,
    ],
    [
      "a bad cluster field",
      { "llm-breakeven:cluster": { maintenanceExclusion: { startTime: "next week" } } },
      /llm-breakeven:cluster\.maintenanceExclusion\.startTime: "next week" is not valid/,
    ],
    [
      "a serving image not pinned by digest",
      { "llm-breakeven:deployment": { servingImage: "vllm/vllm-openai:latest" } },
      /llm-breakeven:deployment\.servingImage: "vllm\/vllm-openai:latest" is not valid/,
    ],
  ])("%s", async (_what, overrides, message) => {
    await mockBadStack(base, overrides);
    expect(() => createStack()).toThrow(message);
  });
});

describe("Pulumi.yaml, checked as the Pulumi CLI checks it", () => {
  test("names the project, the TypeScript runtime and infra/ as the program", () => {
    expect(PROJECT.name).toBe("llm-breakeven");
    expect(PROJECT.runtime).toEqual({ name: "nodejs", options: { typescript: true } });
    expect(PROJECT.main).toBe("infra/");
  });

  test("passes Pulumi's project JSON schema and its Go config rules", () => {
    expect(schemaErrors(PROJECT)).toEqual([]);
    expect(projectErrors(PROJECT)).toEqual([]);
  });

  test.each([
    [
      "a type Pulumi does not know",
      { "llm-breakeven:model": { type: "map" } },
      schemaErrors,
      /config\/llm-breakeven:model\/type: must be equal to one of the allowed values/,
    ],
    [
      "a misspelt attribute",
      { "llm-breakeven:model": { type: "string", descripton: "x" } },
      schemaErrors,
      /must NOT have additional properties/,
    ],
    [
      "a type on another namespace's key",
      { "gcp:project": { type: "string" } },
      projectErrors,
      /'gcp:project' is not namespaced by the project and should not define a type/,
    ],
    [
      "an object default on a string key",
      { "llm-breakeven:model": { type: "string", default: {} } },
      projectErrors,
      /default value specified for configuration key 'llm-breakeven:model' is not of the expected type 'string'/,
    ],
  ])("would reject %s", (_what, config, check, message) => {
    expect(check({ ...PROJECT, config: { ...PROJECT.config, ...config } }).join("\n")).toMatch(message);
  });

  test("declares every key the program reads and no other, each with a type and a description; the two credentials are secret", () => {
    const readable = [...SCENARIO_KEYS, ...INFRA_CONFIG_KEYS].map((k) => `llm-breakeven:${k}`);
    expect(Object.keys(PROJECT.config).sort()).toEqual(readable.sort());
    for (const [key, decl] of Object.entries(PROJECT.config)) {
      expect(decl.type, key).toMatch(/^(string|object)$/);
      expect(decl.description.length, key).toBeGreaterThan(20);
    }
    expect(
      Object.entries(PROJECT.config)
        .filter(([, d]) => d.secret)
        .map(([k]) => k),
    ).toEqual(Object.keys(SECRETS));
  });

  test("requires exactly the keys without a default: model, node, workload, api, cluster and the two secrets", () => {
    expect(mergeProjectConfig(PROJECT, {}).missing.map((k) => k.slice("llm-breakeven:".length))).toEqual([
      "api",
      "cluster",
      "huggingFaceToken",
      "model",
      "node",
      "vllmApiKey",
      "workload",
    ]);
  });

  test("an optional object's default {} gives the same scenario as leaving the key out", () => {
    const optional = ["replicas", "throughput", "ops", "serving"];
    const required = Object.fromEntries(
      Object.entries(stackFileConfig("Pulumi.llama70b-h100.yaml"))
        .filter(
          ([k]) =>
            k.startsWith("llm-breakeven:") &&
            [...SCENARIO_KEYS].includes(k.slice(14) as never) &&
            !optional.includes(k.slice(14)),
        )
        .map(([k, v]) => [k.slice(14), v]),
    );
    for (const key of optional) expect(PROJECT.config[`llm-breakeven:${key}`]!.default, key).toEqual({});
    expect(ScenarioSchema.parse({ ...required, ...Object.fromEntries(optional.map((k) => [k, {}])) })).toEqual(
      ScenarioSchema.parse(required),
    );
  });

  test.each(STACK_FILES)("%s sets every required key but the secrets, each of its declared type", (file) => {
    const { config, missing } = mergeProjectConfig(PROJECT, stackFileConfig(file));
    expect(missing).toEqual(Object.keys(SECRETS));
    const withSecrets = { ...config, ...SECRETS };
    expect(stackValueErrors(PROJECT, withSecrets, Object.keys(SECRETS))).toEqual([]);
    expect(stackValueErrors(PROJECT, withSecrets, [])).toEqual(
      Object.keys(SECRETS).map((k) => `configuration key '${k}' must be encrypted as it's secret`),
    );
  });
});
