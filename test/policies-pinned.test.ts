import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { pinnedVersionFindings } from "../policies/pinned-serving-versions";
import {
  driverInstaller,
  gpuPool,
  pdb,
  pins,
  resource,
  scenarioConfigMap,
  stack,
  vllmDeployment,
} from "./policies-fixture";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(x: T): T };
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const catalog = loadCatalog();
const findings = (resources = stack(), config: Record<string, unknown> = {}) =>
  pinnedVersionFindings(resources, config, catalog).violations;
const poolUrn = gpuPool().urn;
const dsUrn = driverInstaller().urn;
const deployUrn = vllmDeployment().urn;
const with_ = (...changed: ReturnType<typeof gpuPool>[]) => {
  const byName = new Map(stack().map((r) => [r.type + r.name, r]));
  for (const r of changed) byName.set(r.type + r.name, r);
  return [...byName.values()];
};

describe("pinned-serving-versions", () => {
  test("passes a stack pinned like the program renders it", () => {
    expect(findings()).toEqual([]);
  });

  test.each([
    ["LATEST", "gpuDriverVersion LATEST"],
    ["DEFAULT", "gpuDriverVersion DEFAULT"],
    [undefined, "gpuDriverVersion not set, so DEFAULT"],
  ])("blocks a pool whose driver GKE installs (%s)", (driver, shown) => {
    expect(findings(with_(gpuPool({ driver })))).toEqual([
      {
        urn: poolUrn,
        message: `Node pool gpu lets GKE install the GPU driver (${shown}), which moves with node upgrades; set it to INSTALLATION_DISABLED and run the NVIDIA driver installer DaemonSet at an exact version.`,
      },
    ]);
  });

  test("on a new stack's first preview: the pool's planned outputs (nodeCount unknown) are checked, the empty Kubernetes outputs are an advisory", () => {
    const pool = gpuPool();
    const planned = {
      ...pool,
      props: unknownCheckingProxy({ ...pool.props, nodeCount: UNKNOWN, initialNodeCount: UNKNOWN, version: UNKNOWN }),
    };
    const emptyK8s = [
      resource("kubernetes:apps/v1:DaemonSet", "driver-installer", {}),
      resource("kubernetes:apps/v1:Deployment", "vllm", {}),
    ];
    expect(findings([planned, ...emptyK8s])).toEqual([
      {
        advisory: true,
        message:
          "The driver installer's version, the serving image's digest and the NCCL pin cannot be checked until the cluster exists: DaemonSet driver-installer, Deployment vllm have no outputs in this preview (their Kubernetes provider is configured from a cluster this update creates); the next preview checks them.",
      },
    ]);
  });

  test("blocks disabled installation without the installer DaemonSet", () => {
    expect(findings([gpuPool(), scenarioConfigMap(), vllmDeployment(), pdb()])).toEqual([
      {
        urn: poolUrn,
        message:
          "No NVIDIA driver installer DaemonSet is declared: with GKE's installation disabled the GPU nodes come up without a driver; add the installer at an exact driver version.",
      },
    ]);
  });

  test("blocks an installer at a moving version", () => {
    expect(findings(with_(driverInstaller("latest")))).toEqual([
      {
        urn: dsUrn,
        message:
          'The driver installer nvidia-driver-installer of DaemonSet driver-installer names no exact driver version ("latest"); pass --version=<release> (COS) or NVIDIA_DRIVER_VERSION (Ubuntu), e.g. 580.126.09.',
      },
    ]);
  });

  test("blocks an installer at another release than the model's pin, unless the pin is not required", () => {
    expect(findings(with_(driverInstaller("570.86.15")))).toEqual([
      {
        urn: dsUrn,
        message: `The driver installer of DaemonSet driver-installer installs driver 570.86.15, but Llama 3.1 8B Instruct is pinned to ${pins().nvidiaDriverVersion} in model-configs/.`,
      },
    ]);
    expect(findings(with_(driverInstaller("570.86.15")), { requireModelPins: false })).toEqual([]);
  });

  test("blocks an image by tag", () => {
    expect(findings(with_(vllmDeployment({ image: "vllm/vllm-openai:v0.15.0" })))).toEqual([
      {
        urn: deployUrn,
        message:
          "Container vllm of vllm runs image vllm/vllm-openai:v0.15.0, which is not pinned by digest; use <repository>@sha256:<digest> so every node runs the image that was tested.",
      },
    ]);
  });

  test("blocks a serving container that does not pin NCCL", () => {
    expect(findings(with_(vllmDeployment({ nccl: undefined })))).toEqual([
      {
        urn: deployUrn,
        message:
          'Container vllm of vllm does not pin NCCL: name the exact version (e.g. an NCCL_VERSION env value the start-up check compares with "vLLM is using nccl==...").',
      },
    ]);
  });

  test("blocks NCCL at another release than the model's pin", () => {
    expect(findings(with_(vllmDeployment({ nccl: "2.21.5" })))).toEqual([
      {
        urn: deployUrn,
        message: `Container vllm of vllm pins NCCL 2.21.5, but Llama 3.1 8B Instruct is pinned to ${pins().ncclVersion} in model-configs/.`,
      },
    ]);
  });
});
