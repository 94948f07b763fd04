import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { NODE_POOL_LABELS, SCENARIO_CONFIGMAP_KEY, SCENARIO_CONFIGMAP_NAME } from "../catalog/resource-contract";
import { PolicyPackProcess, type AnalyzeResult } from "../preview/analyzer";
import { collectResources, type CollectedResource } from "../preview/collect";
import { UNKNOWN } from "../preview/run";
import { scenario } from "./policies-fixture";

/**
 * A hand-built program whose GPU pool takes its machine type from a
 * resource that does not exist yet: during a preview the value is unknown.
 * The harness must send Pulumi's unknown sentinel, and the real pack must
 * answer "could not decide" (advisory), neither a pass nor a block.
 */
function program() {
  const cluster = new gcp.container.Cluster("gke", { location: "us-central1", initialNodeCount: 1 });
  new gcp.container.NodePool("gpu", {
    cluster: cluster.name,
    autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 1 },
    nodeConfig: {
      // cluster.id is unknown until the cluster is created.
      machineType: cluster.id.apply(() => "a3-highgpu-1g"),
      guestAccelerators: [{ type: "nvidia-h100-80gb", count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "INSTALLATION_DISABLED" } }],
      labels: { [NODE_POOL_LABELS.model]: "llama-3.1-8b-instruct" },
    },
  });
  new k8s.core.v1.ConfigMap("scenario", { metadata: { name: SCENARIO_CONFIGMAP_NAME }, data: { [SCENARIO_CONFIGMAP_KEY]: JSON.stringify(scenario()) } });
}

let resources: CollectedResource[];
let pack: PolicyPackProcess;
let stackResult: AnalyzeResult;

beforeAll(async () => {
  resources = (await collectResources({ project: "llm-breakeven", stack: "test", file: "test", config: {}, secretKeys: [] }, program)).resources;
  pack = await PolicyPackProcess.start(path.join(__dirname, "..", "dist", "policies"));
  const info = await pack.info();
  await pack.configure(info.policies, {});
  stackResult = await pack.analyzeStack(resources, new Map(info.policies.map((p) => [p.name, p.description])));
});
afterAll(() => pack?.stop());

describe("unknown values in the offline preview", () => {
  test("the harness sends an input computed from an uncreated resource as Pulumi's unknown sentinel", () => {
    const pool = resources.find((r) => r.name === "gpu")!;
    expect((pool.inputs.nodeConfig as { machineType: string }).machineType).toBe(UNKNOWN);
    expect(pool.dependencies).toEqual([resources.find((r) => r.name === "gke")!.urn]);
  });

  test("llm-cost-verdict says it could not decide, and why, as an advisory", () => {
    expect(stackResult.diagnostics.filter((d) => d.policyName === "llm-cost-verdict")).toEqual([
      {
        policyName: "llm-cost-verdict",
        message: "can't run policy 'llm-cost-verdict' from policy pack 'llm-breakeven@v0.1.0' during preview: string value at .nodeConfig.machineType can't be known during preview",
        urn: undefined,
        enforcementLevel: "advisory",
      },
    ]);
  });
});
