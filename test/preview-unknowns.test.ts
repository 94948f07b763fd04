import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { NODE_POOL_LABELS } from "../catalog/resource-contract";
import { PolicyPackProcess, type AnalyzeResult, type PolicyInfo } from "../preview/analyzer";
import { collectResources, type CollectedResource } from "../preview/collect";
import { UNKNOWN } from "../preview/run";
import { packEnvironment } from "../preview/run";
import { reconcilePolicyPackConfig } from "../preview/policy-config";
import { scenario } from "./policies-fixture";

/**
 * A hand-built program driven the way the engine drives a FIRST preview
 * (pulumi/pulumi@1b594989): Analyze gets each resource's inputs
 * (step_generator.go analyzeAll), AnalyzeStack the outputs
 * (step_generator.go AnalyzeResources: "Unlike Analyze, AnalyzeStack is
 * called on the final outputs of each resource"): a new bridged resource's
 * planned state, with its unset Optional+Computed attributes unknown, and
 * empty outputs for a Kubernetes resource whose provider is configured from
 * the cluster being created (provider_plugin.go Create: "hand back an empty
 * property map").
 */
function program() {
  const cluster = new gcp.container.Cluster("gke", { location: "us-central1", initialNodeCount: 1 });
  new gcp.container.NodePool("gpu", {
    cluster: cluster.name,
    location: "us-central1",
    autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 1 },
    nodeConfig: {
      machineType: "a3-highgpu-1g",
      guestAccelerators: [
        {
          type: "nvidia-h100-80gb",
          count: 1,
          gpuDriverInstallationConfig: { gpuDriverVersion: "INSTALLATION_DISABLED" },
        },
      ],
      labels: {
        [NODE_POOL_LABELS.model]: "llama-3.1-8b-instruct",
        [NODE_POOL_LABELS.replicasMin]: "1",
        [NODE_POOL_LABELS.replicasMax]: "1",
      },
    },
  });
  // A pool whose machine type comes from a resource that does not exist yet.
  new gcp.container.NodePool("late", {
    cluster: cluster.name,
    nodeConfig: {
      machineType: cluster.id.apply(() => "a3-highgpu-1g"),
      guestAccelerators: [{ type: "nvidia-h100-80gb", count: 1 }],
    },
  });
  const provider = new k8s.Provider("gke-k8s", { kubeconfig: cluster.endpoint.apply((e) => `server: https://${e}`) });
  new k8s.apps.v1.DaemonSet(
    "driver-installer",
    {
      metadata: { namespace: "kube-system" },
      spec: {
        selector: { matchLabels: { a: "b" } },
        template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "pause", image: "pause" }] } },
      },
    },
    { provider, customTimeouts: { create: "45m" } },
  );
}

const stackConfig = {
  project: "llm-breakeven",
  stack: "test",
  file: "test",
  config: Object.fromEntries(Object.entries(scenario()).map(([k, v]) => [`llm-breakeven:${k}`, JSON.stringify(v)])),
  secretKeys: [],
};
let resources: CollectedResource[];
let pack: PolicyPackProcess;
let info: { policies: PolicyInfo[] };
let analyzed: Map<string, AnalyzeResult>;
let stackResult: AnalyzeResult;
const byName = (name: string) => resources.find((r) => r.name === name)!;

beforeAll(async () => {
  // One pack process for the whole file.
  const starting = PolicyPackProcess.start(path.join(__dirname, "..", "dist", "policies"), {
    env: packEnvironment(stackConfig),
  });
  resources = (await collectResources(stackConfig, program)).resources;
  pack = await starting;
  info = await pack.info();
  await pack.configure(reconcilePolicyPackConfig(info.policies, new Map()));
  await pack.configureStack({ ...stackConfig, organization: "organization", dryRun: true });
  const descriptions = new Map(info.policies.map((p) => [p.name, p.description]));
  analyzed = new Map();
  for (const r of resources) analyzed.set(r.name, await pack.analyze(r, descriptions));
  stackResult = await pack.analyzeStack(resources, descriptions);
}, 60_000);
afterAll(() => pack?.stop());

describe("the first preview of a new stack, as the engine drives the pack", () => {
  test("an input computed from an uncreated resource is sent as Pulumi's unknown sentinel", () => {
    expect((byName("late").inputs.nodeConfig as { machineType: string }).machineType).toBe(UNKNOWN);
    expect(byName("late").dependencies).toEqual([byName("gke").urn]);
  });

  test("a new node pool's outputs are its planned state: nodeCount, initialNodeCount and version unknown, what the program set known", () => {
    const outputs = byName("gpu").outputs;
    expect([outputs.nodeCount, outputs.initialNodeCount, outputs.version]).toEqual([UNKNOWN, UNKNOWN, UNKNOWN]);
    expect((outputs.nodeConfig as { machineType: string }).machineType).toBe("a3-highgpu-1g");
    expect(outputs.location).toBe("us-central1");
  });

  test("the cluster's endpoint is unknown, so the Kubernetes provider's config is, so the DaemonSet's outputs are empty", () => {
    expect(byName("gke").outputs.endpoint).toBe(UNKNOWN);
    expect(byName("gke-k8s").inputs.kubeconfig).toBe(UNKNOWN);
    expect(byName("driver-installer").outputs).toEqual({});
    expect(byName("driver-installer").inputs).not.toEqual({});
  });

  test("the options travel beside the inputs: custom timeouts and the provider", () => {
    expect(byName("driver-installer").options.customTimeouts).toEqual({ create: "45m", update: "", delete: "" });
    expect(byName("driver-installer").options.provider).toMatch(/pulumi:providers:kubernetes::gke-k8s::/);
  });

  test("Analyze on the pool's inputs blocks it with the dollar figures, reading the scenario from PULUMI_CONFIG", () => {
    const gate = analyzed.get("gpu")!.diagnostics.filter((d) => d.policyName === "llm-cost-verdict");
    expect(gate).toEqual([
      {
        policyName: "llm-cost-verdict",
        message: expect.stringMatching(
          /^Self-hosting Llama 3\.1 8B Instruct on 1 x a3-highgpu-1g \(on-demand\) costs \$13,790 a month against \$360 for gemini-3-pro-preview; break-even needs 29 % utilization/,
        ),
        urn: byName("gpu").urn,
        enforcementLevel: "mandatory",
      },
    ]);
  });

  test("Analyze on a pool whose machine type is unknown says it could not decide, as an advisory", () => {
    expect(analyzed.get("late")!.diagnostics.filter((d) => d.policyName === "llm-cost-verdict")).toEqual([
      {
        policyName: "llm-cost-verdict",
        message:
          "can't run policy 'llm-cost-verdict' from policy pack 'llm-breakeven@v0.1.0' during preview: string value at .nodeConfig.machineType can't be known during preview",
        // @pulumi/policy 1.21 server.js reports the unknown without the resource's URN.
        urn: undefined,
        enforcementLevel: "advisory",
      },
    ]);
  });

  test("AnalyzeStack on those outputs never blocks falsely: what is unknown is reported as unknown, as an advisory", () => {
    expect(stackResult.diagnostics.filter((d) => d.enforcementLevel === "mandatory")).toEqual([]);
    const pinned = stackResult.diagnostics.filter((d) => d.policyName === "pinned-serving-versions");
    expect(pinned.map((d) => [d.enforcementLevel, d.message])).toEqual([
      [
        "advisory",
        "can't run policy 'pinned-serving-versions' from policy pack 'llm-breakeven@v0.1.0' during preview: string value at .nodeConfig.machineType can't be known during preview",
      ],
    ]);
  });
});
