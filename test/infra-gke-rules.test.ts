import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { UserInputError } from "../catalog/errors";
import { checkDriverPin, installableDrivers, loadDriverTable } from "../catalog/gpu-drivers";
import { loadCatalog } from "../catalog/load";
import { loadZoneCatalog, zonesFor } from "../catalog/zones";
import { ScenarioSchema } from "../engine/scenario";
import { ClusterConfigSchema } from "../infra/config-schema";
import { runProgram } from "../infra/entry";
import { evaluateStack } from "../infra/evaluation";
import { allocatable, loadNodeReservations, vllmContainerSize } from "../infra/node-resources";
import { loadNodeRequirements, machineFamily, webhookPortsToOpen } from "../infra/node-requirements";
import { checkRangesDisjoint, overlaps, parseCidr, stackNames, stackRanges } from "../infra/network-plan";
import { resolvePlacement } from "../infra/placement";
import {
  awaitTimeoutMinutes,
  loadRolloutTiming,
  nodeProvisioningMinutes,
  rayInitTimeoutSeconds,
  scalingBehavior,
} from "../infra/rollout-timing";
import { gpuPoolName } from "../infra/gpu-node-pool";
import { resolveWeightsRevision } from "../infra/weights-revision";
import { createStack, stackAddons } from "../infra/program";
import {
  byType,
  mockBadStack,
  runStack,
  servingPodSpec,
  STACK_FILES,
  stackConfig,
  stackFileConfig,
  stackName,
} from "./infra-stack-harness";

const catalog = loadCatalog();
const zones = loadZoneCatalog();
const reservations = loadNodeReservations();
const requirements = loadNodeRequirements();
const timing = loadRolloutTiming();
const drivers = loadDriverTable();
const MACHINES = [...catalog.machineTypes.values()];

/** The scenario a stack file declares, as the program parses it. */
function scenarioOf(file: string) {
  const config = stackConfig(file);
  const raw = Object.entries(config)
    .filter(([k, v]) => k.startsWith("llm-breakeven:") && !/:(cluster|deployment)$/.test(k) && v !== "")
    .map(([k, v]) => [k.slice("llm-breakeven:".length), v.startsWith("{") ? JSON.parse(v) : v]);
  return ScenarioSchema.parse(Object.fromEntries(raw));
}
const clusterOf = (file: string) => ClusterConfigSchema.parse(stackFileConfig(file)["llm-breakeven:cluster"]);

describe("memory: every catalog machine's vLLM container fits its real allocatable", () => {
  test.each(MACHINES.map((m) => [m.id, m] as const))("%s, on COS and on Ubuntu", (_id, machine) => {
    for (const os of ["COS_CONTAINERD", "UBUNTU_CONTAINERD"] as const) {
      const a = allocatable(machine, os, reservations);
      const size = vllmContainerSize(machine, os, reservations);
      expect(size.memoryMiB).toBeGreaterThan(0);
      // Room for the node's DaemonSets stays free, and the request never reaches the allocatable.
      expect(a.memoryMiB - size.memoryMiB).toBeGreaterThanOrEqual(reservations.daemonSetAllowance.memoryMiB);
      expect(a.cpuMillicores - size.cpuMillicores).toBeGreaterThanOrEqual(
        reservations.daemonSetAllowance.cpuMillicores,
      );
      // Allocatable is below the nominal RAM by more than the kernel's RAM/64.
      expect(machine.memoryGB * 1024 - a.memoryMiB).toBeGreaterThan((machine.memoryGB * 1024) / 64);
    }
  });
});

describe("zones: every catalog machine type has sourced zones, and every stack's pool stays inside them", () => {
  test.each(MACHINES.map((m) => m.id))("%s is offered in at least one zone of the zone catalog", (id) => {
    expect(zones.rows.some((r) => r.machine_type === id)).toBe(true);
  });
  test("in us-central1 a2-ultragpu-2g exists in -a and -c only, a3-highgpu-8g in -a, -b and -c", () => {
    expect(zonesFor(zones, "a2-ultragpu-2g", "us-central1")).toEqual(["us-central1-a", "us-central1-c"]);
    expect(zonesFor(zones, "a3-highgpu-8g", "us-central1")).toEqual([
      "us-central1-a",
      "us-central1-b",
      "us-central1-c",
    ]);
  });
  test("without cluster.zones the pool takes every zone of the region that offers the machine", () => {
    const p = resolvePlacement(
      { machineType: "a2-ultragpu-2g", nodeRegion: "us-central1" },
      zones,
      "s",
      "llm-breakeven:",
    );
    expect(p).toEqual({ region: "us-central1", zones: ["us-central1-a", "us-central1-c"] });
  });
  test.each([
    [
      "a zone without the machine",
      { zones: ["us-central1-b"] },
      'stack config: llm-breakeven:cluster.zones[0]: "us-central1-b" does not offer a2-ultragpu-2g (GKE would refuse the pool); valid in us-central1: us-central1-a, us-central1-c',
    ],
    [
      "a zone of another region",
      { zones: ["europe-west4-a"] },
      'stack config: llm-breakeven:cluster.zones[0]: "europe-west4-a" is not in llm-breakeven:node.region "us-central1"; valid: us-central1-a, us-central1-c',
    ],
    [
      "gcp:region against node.region",
      { gcpRegion: "europe-west4" },
      'stack config: llm-breakeven:node.region: "us-central1" disagrees with gcp:region "europe-west4"',
    ],
    [
      "cluster.region against node.region",
      { clusterRegion: "us-east4" },
      'stack config: llm-breakeven:cluster.region: "us-east4" disagrees with llm-breakeven:node.region "us-central1"',
    ],
  ])("%s is refused, naming both fields", (_what, extra, message) => {
    expect(() =>
      resolvePlacement(
        { machineType: "a2-ultragpu-2g", nodeRegion: "us-central1", ...extra },
        zones,
        "stack config",
        "llm-breakeven:",
      ),
    ).toThrow(message);
  });
  test("a region without the machine lists the regions that have it", () => {
    expect(() =>
      resolvePlacement({ machineType: "a3-ultragpu-8g", nodeRegion: "us-central2" }, zones, "s", ""),
    ).toThrow(
      "s: node.region: no zone of us-central2 offers a3-ultragpu-8g (catalog/data/gpu-machine-zones.csv); regions that do: asia-south1, asia-south2, europe-west1, europe-west4, us-central1, us-east4, us-east5, us-south1, us-west1",
    );
  });
});

describe("drivers: a pin GKE can install, new enough for the image's CUDA", () => {
  test("vLLM 0.15.0's image is CUDA 12.9, which needs 575.51.03: on COS only 575.57.08 of the table qualifies; on Ubuntu none does", () => {
    expect(installableDrivers(drivers, "COS_CONTAINERD", "0.15.0")).toEqual(["575.57.08"]);
    expect(installableDrivers(drivers, "UBUNTU_CONTAINERD", "0.15.0")).toEqual([]);
  });
  test.each([...catalog.models.values()].map((m) => [m.id, m] as const))(
    "%s pins a driver GKE installs on COS and its image's CUDA runs on",
    (_id, m) => {
      expect(() =>
        checkDriverPin(
          drivers,
          { version: m.serving.nvidiaDriverVersion, nodeImage: "COS_CONTAINERD", vllmVersion: m.serving.vllmVersion },
          "s",
          "f",
        ),
      ).not.toThrow();
    },
  );
  test("580.126.09, the reference run's driver on a plain VM, is refused on COS with the nearest valid version", () => {
    expect(() =>
      checkDriverPin(
        drivers,
        { version: "580.126.09", nodeImage: "COS_CONTAINERD", vllmVersion: "0.15.0" },
        "stack config",
        "llm-breakeven:cluster.gpuDriverVersion",
      ),
    ).toThrow(
      'stack config: llm-breakeven:cluster.gpuDriverVersion: "580.126.09" is not a driver GKE installs on COS_CONTAINERD (catalog/data/gke-gpu-drivers.yaml); valid, nearest first: 575.57.08',
    );
  });
  test("a driver GKE offers but older than CUDA 12.9 needs is refused too", () => {
    expect(() =>
      checkDriverPin(drivers, { version: "570.133.20", nodeImage: "COS_CONTAINERD", vllmVersion: "0.15.0" }, "s", "f"),
    ).toThrow(
      's: f: "570.133.20" is older than 575.51.03, the minimum driver of CUDA 12.9 in vLLM 0.15.0\'s image; valid, nearest first: 575.57.08',
    );
  });
});

describe("network: no two stacks collide in one project", () => {
  const all = STACK_FILES.map((f) => ({
    file: f,
    names: stackNames(stackName(f), clusterOf(f)),
    ranges: stackRanges(clusterOf(f), f, ""),
  }));
  test("every GCP name a stack creates is its own (cluster, network, subnetwork, router, NAT, firewall, service account)", () => {
    for (const key of [
      "cluster",
      "network",
      "subnetwork",
      "router",
      "nat",
      "webhookFirewall",
      "nodeServiceAccountId",
    ] as const) {
      const names = all.map((s) => s.names[key]);
      expect(new Set(names).size, key).toBe(names.length);
    }
  });
  test("no range of one stack overlaps a range of another, so any two could even share a VPC", () => {
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        for (const a of all[i]!.ranges)
          for (const b of all[j]!.ranges)
            expect(overlaps(a.range, b.range), `${all[i]!.file} ${a.field} / ${all[j]!.file} ${b.field}`).toBe(false);
      }
    }
  });
  test("a control-plane range inside the stack's own subnetwork is refused, naming both fields", () => {
    const c = ClusterConfigSchema.parse({
      maintenanceExclusion: { startTime: "2026-12-01T00:00:00Z" },
      masterIpv4CidrBlock: "10.10.0.16/28",
    });
    expect(() => checkRangesDisjoint(c, "stack config", "llm-breakeven:")).toThrow(
      "stack config: llm-breakeven:cluster.masterIpv4CidrBlock: 10.10.0.16/28 overlaps llm-breakeven:cluster.subnetworkCidr 10.10.0.0/20",
    );
  });
  test("a range with host bits set says where it should start", () => {
    expect(() => parseCidr("10.10.0.5/20", "s", "f")).toThrow(
      's: f: "10.10.0.5/20" has host bits set; the range starts at 10.10.0.0/20',
    );
  });
});

describe("webhooks and node requirements", () => {
  test("LeaderWorkerSet's webhook port 9443 needs a firewall rule; the metrics adapter's 443 does not", () => {
    expect(webhookPortsToOpen(requirements, stackAddons(true, 2))).toEqual([9443]);
    expect(webhookPortsToOpen(requirements, stackAddons(true, 1))).toEqual([]);
  });
  test.each(MACHINES.map((m) => m.id))("%s has a boot disk type and a gVNIC rule", (id) => {
    const family = machineFamily(requirements, id, "s", "node.machineType");
    expect(family.bootDiskTypes.length).toBeGreaterThan(0);
    if (id.startsWith("a3-")) expect(family.gvnic).toBe(true);
    if (id.startsWith("a3-ultragpu")) expect(family.bootDiskTypes).toEqual(["hyperdisk-balanced"]);
  });
});

describe.each(STACK_FILES)("%s under mocks, checked against GKE's and Pulumi's rules", (file) => {
  const scenario = scenarioOf(file);
  const { evaluation, inputs } = evaluateStack(scenario);
  // Run on first use, so one stack's program runs at a time (the mocks and the config are process-wide).
  let cached: ReturnType<typeof runStack> | undefined;
  const stackRun = () => (cached ??= runStack(file));

  test("the GPU pool's zones all offer the machine; it runs as the stack's service account with its roles, gVNIC and the family's boot disk", async () => {
    const { resources } = await stackRun();
    const pool = byType(resources, "gcp:container/nodePool:NodePool").find((p) => p.inputs.name !== "system")!;
    const offered = zonesFor(zones, scenario.node.machineType, scenario.node.region);
    expect(pool.inputs.nodeLocations.length).toBeGreaterThan(0);
    for (const z of pool.inputs.nodeLocations) expect(offered).toContain(z);
    const family = machineFamily(requirements, scenario.node.machineType, file, "");
    expect(pool.inputs.nodeConfig.diskType).toBe(family.bootDiskTypes[0]);
    expect(pool.inputs.nodeConfig.gvnic).toEqual({ enabled: family.gvnic });
    const account = byType(resources, "gcp:serviceaccount/account:Account");
    expect(account.map((a) => a.inputs.accountId)).toEqual([
      stackNames(stackName(file), clusterOf(file)).nodeServiceAccountId,
    ]);
    const roles = byType(resources, "gcp:projects/iAMMember:IAMMember").map((m) => m.inputs.role);
    for (const role of requirements.nodeServiceAccount.roles) expect(roles).toContain(role);
    // Every pool names the account; none falls back to the default compute service account.
    for (const p of byType(resources, "gcp:container/nodePool:NodePool"))
      expect(p.inputs.nodeConfig.serviceAccount).toBeDefined();
  });

  test("the container's memory request is within the node's real allocatable", async () => {
    const { resources } = await stackRun();
    const spec = servingPodSpec(resources);
    const requestMiB = parseInt(spec.containers[0].resources.requests.memory, 10);
    const os = clusterOf(file).gpuNodeImage;
    expect(requestMiB).toBeLessThanOrEqual(
      allocatable(inputs.machine, os, reservations).memoryMiB - reservations.daemonSetAllowance.memoryMiB,
    );
  });

  test("pulumi-kubernetes waits for the workload and its Service longer than node provisioning plus the cold start, and the workload waits for the GPU pool", async () => {
    const { resources } = await stackRun();
    const spot = scenario.node.pricing === "spot";
    const needed = nodeProvisioningMinutes(timing, spot) + evaluation.selfHost.coldStartMinutes;
    const minutes = awaitTimeoutMinutes(timing, evaluation.selfHost.coldStartMinutes, spot);
    expect(minutes).toBeGreaterThan(needed);
    expect(minutes).toBeGreaterThan(timing.pulumiKubernetesAwait.defaultMinutes);
    const service = byType(resources, "kubernetes:core/v1:Service")[0]!;
    expect(service.customTimeouts).toMatchObject({ create: `${minutes}m`, update: `${minutes}m` });
    const pool = byType(resources, "gcp:container/nodePool:NodePool").find((p) => p.inputs.name !== "system")!;
    const workload = resources.find(
      (r) =>
        r.type === "kubernetes:apps/v1:Deployment" ||
        r.type === "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
    )!;
    expect(workload.dependencies).toContain(pool.urn);
    if (workload.type === "kubernetes:apps/v1:Deployment")
      expect(workload.customTimeouts).toMatchObject({ create: `${minutes}m` });
  });

  test("private nodes get the webhook firewall when LeaderWorkerSet is installed, from the control-plane range to the stack's node tag", async () => {
    const { resources } = await stackRun();
    const firewalls = byType(resources, "gcp:compute/firewall:Firewall");
    const names = stackNames(stackName(file), clusterOf(file));
    if (scenario.node.nodesPerReplica > 1) {
      expect(firewalls).toHaveLength(1);
      expect(firewalls[0]!.inputs).toMatchObject({
        sourceRanges: [clusterOf(file).masterIpv4CidrBlock],
        targetTags: [names.nodeTag],
        allows: [{ protocol: "tcp", ports: ["9443"] }],
      });
      for (const p of byType(resources, "gcp:container/nodePool:NodePool"))
        expect(p.inputs.nodeConfig.tags).toContain(names.nodeTag);
    } else expect(firewalls).toHaveLength(0);
  });

  test("NAT covers the stack's own subnetwork only, and the control plane is closed to the world", async () => {
    const { resources } = await stackRun();
    const nat = byType(resources, "gcp:compute/routerNat:RouterNat")[0]!;
    expect(nat.inputs.sourceSubnetworkIpRangesToNat).toBe("LIST_OF_SUBNETWORKS");
    const cluster = byType(resources, "gcp:container/cluster:Cluster")[0]!;
    expect(cluster.inputs.masterAuthorizedNetworksConfig).toMatchObject({ gcpPublicCidrsAccessEnabled: false });
    expect(cluster.inputs.ipAllocationPolicy).toEqual({
      clusterSecondaryRangeName: "pods",
      servicesSecondaryRangeName: "services",
    });
  });
});

describe("config mistakes reach `pulumi up` as one line", () => {
  const base = "Pulumi.llama70b-h100.yaml";
  const failWith = async (overrides: Record<string, unknown>) => {
    await mockBadStack(base, overrides);
    try {
      runProgram(createStack);
    } catch (err) {
      return err;
    }
    return undefined;
  };
  test("a stack without gcp:project is a RunError (printed without a stack trace) naming the key", async () => {
    const err = await failWith({ "gcp:project": undefined });
    expect(pulumi.RunError.isInstance(err)).toBe(true);
    expect((err as Error).message).toBe(
      "stack config: gcp:project: is required: the GCP project to deploy into: `pulumi config set gcp:project YOUR_PROJECT`",
    );
  });
  test("a bad region in the stack config names llm-breakeven:node.region, as a bad machine names llm-breakeven:node.machineType", async () => {
    const node = { machineType: "a3-highgpu-2g", region: "mars-north1", pricing: "spot" };
    const err = await failWith({ "llm-breakeven:node": node, "gcp:region": "mars-north1" });
    expect((err as Error).message).toMatch(/^stack config: llm-breakeven:node\.region: /);
  });
  test("gcp:region against node.region fails the program with both names", async () => {
    const err = await failWith({ "gcp:region": "europe-west4" });
    expect((err as Error).message).toMatch(
      /^stack config: llm-breakeven:node\.region: "us-central1" disagrees with gcp:region "europe-west4"/,
    );
  });
  test("a bug keeps its stack: only user errors become RunErrors", () => {
    expect(() =>
      runProgram(() => {
        throw new TypeError("boom");
      }),
    ).toThrow(TypeError);
    expect(() =>
      runProgram(() => {
        throw new UserInputError("f", "k", "bad");
      }),
    ).toThrow(pulumi.RunError);
  });
});

describe("cold starts that finish, and autoscaling that knows them", () => {
  const { evaluation, inputs } = evaluateStack(scenarioOf("Pulumi.llama405b-a100.yaml"));
  const cold = evaluation.selfHost.coldStartMinutes;

  test("the HPA adds one replica per cold start after a 2-minute burst, and removes one only after a whole cold start of low load", () => {
    const b = scalingBehavior(timing, cold);
    const coldSeconds = Math.ceil(cold * 60);
    expect(b.scaleUp).toEqual({
      stabilizationWindowSeconds: 120,
      podsPerPeriod: 1,
      periodSeconds: Math.min(1800, coldSeconds),
    });
    expect(b.scaleDown).toEqual({
      stabilizationWindowSeconds: Math.min(3600, coldSeconds),
      podsPerPeriod: 1,
      periodSeconds: Math.min(1800, coldSeconds),
    });
  });
  test("a 45-minute cold start is capped at the API's 30-minute policy period and stays inside its one-hour window", () => {
    expect(scalingBehavior(timing, 45).scaleUp.periodSeconds).toBe(1800);
    expect(scalingBehavior(timing, 90).scaleDown.stabilizationWindowSeconds).toBe(3600);
  });
  test("a Ray group waits for its workers as long as pulumi up waits, not the script's 300 s", () => {
    expect(rayInitTimeoutSeconds(timing, cold, true)).toBe(awaitTimeoutMinutes(timing, cold, true) * 60);
    expect(rayInitTimeoutSeconds(timing, cold, true)).toBeGreaterThan(300);
  });
  test("a branch revision warns in a preview and is refused by `pulumi up`, naming the model config and the key that fixes it", () => {
    expect(inputs.variant.revision).toBe("main");
    expect(resolveWeightsRevision(inputs, undefined, true)).toBe("main");
    expect(() => resolveWeightsRevision(inputs, undefined, false)).toThrow(
      'stack config: llm-breakeven:deployment.weightsRevision: is required: model-configs/llama-3.1-405b-instruct.yaml weights[0].revision is "main", a branch of meta-llama/Llama-3.1-405B-Instruct, not a commit; set llm-breakeven:deployment.weightsRevision to the 40-character commit id to deploy',
    );
    expect(resolveWeightsRevision(inputs, "0123456789abcdef0123456789abcdef01234567", false)).toBe(
      "0123456789abcdef0123456789abcdef01234567",
    );
  });
  test("a new driver pin renames the GPU pool, so GKE replaces its nodes and the pods follow (the installer skips a node whose driver is loaded)", () => {
    expect(gpuPoolName("a3-highgpu-8g", "575.57.08")).toBe("gpu-a3-highgpu-8g-d575-57-08");
    expect(gpuPoolName("a3-highgpu-8g", "580.126.09")).not.toBe(gpuPoolName("a3-highgpu-8g", "575.57.08"));
  });
});

describe.each(STACK_FILES)("%s renders the cold-start rules into its objects", (file) => {
  test("weights cached on an emptyDir sized from the checkpoint, HF_HOME pointing at it; the HPA carries its behaviour", async () => {
    const { resources } = await runStack(file);
    const spec = servingPodSpec(resources);
    const cache = spec.volumes.find((v: any) => v.name === "hf-cache");
    expect(cache.emptyDir.sizeLimit).toMatch(/^\d+Gi$/);
    expect(spec.containers[0].env).toContainEqual({ name: "HF_HOME", value: "/root/.cache/huggingface" });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: "hf-cache", mountPath: "/root/.cache/huggingface" });
    const hpa = byType(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")[0];
    if (hpa)
      expect(hpa.inputs.spec.behavior.scaleUp.policies).toEqual([expect.objectContaining({ type: "Pods", value: 1 })]);
  });
});
