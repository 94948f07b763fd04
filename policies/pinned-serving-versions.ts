import type { StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { loadCatalog, type Catalog } from "../catalog/load";
import { IMAGE_BY_DIGEST } from "../engine/model-config";
import { parsePolicyConfig, policyConfigSchema } from "./config-schema";
import { report, type Findings, type Violation } from "./findings";
import {
  awaitsClusterMessage,
  poolLabel,
  readGpuPools,
  readPodTemplates,
  servingPodTemplates,
  unbuiltKubernetesResources,
  RESOURCE_TYPES,
  type ContainerView,
  type GpuPool,
  type ResourceView,
} from "./resources";
import { PINNED_SERVING_VERSIONS } from "./names";

/** Config of `pinned-serving-versions`. */
export const PinnedServingVersionsConfigSchema = z
  .object({
    /** Require the driver and NCCL versions the model's config in model-configs/ pins (a combination known to work). Defaults to true. */
    requireModelPins: z
      .boolean()
      .default(true)
      .describe(
        "Require the NVIDIA driver and NCCL versions pinned in the model's model-configs/ file. Defaults to true.",
      ),
  })
  .strict();
/** Parsed config of `pinned-serving-versions`. */
export type PinnedServingVersionsConfig = z.infer<typeof PinnedServingVersionsConfigSchema>;

const EXACT_DRIVER = /^\d+\.\d+(\.\d+)?$/;
const EXACT_RELEASE = /^\d+\.\d+\.\d+$/;
/** `nvidia-nccl-cu12==2.29.3`, `nccl==2.29.3`, or `nccl==$want` with `want="2.29.3"` set in the same script. */
const NCCL_IN_TEXT = /nccl[\w-]*==(?:(\d+\.\d+\.\d+)|\$\{?(\w+)\}?)/i;

/** The driver version an installer container names: COS `--version=X` (an argument or inside its script), Ubuntu `NVIDIA_DRIVER_VERSION`; undefined when none. */
export function installerDriverVersion(c: ContainerView): string | undefined {
  for (const text of [...c.command, ...c.args]) {
    const m = /--version=(\S+)/.exec(text);
    if (m) return m[1];
  }
  return c.env.find((e) => e.name === "NVIDIA_DRIVER_VERSION")?.value;
}

function ncclInText(text: string): string | undefined {
  const m = NCCL_IN_TEXT.exec(text);
  if (!m) return undefined;
  if (m[1]) return m[1];
  // A start-up check compares with a shell variable: find where the script sets it.
  const assigned = new RegExp(`(?:^|[\\s;])${m[2]}=["']?(\\d+\\.\\d+\\.\\d+)["']?`).exec(text);
  return assigned?.[1];
}

function isDriverInstaller(c: ContainerView): boolean {
  return /nvidia.*(driver|installer)/i.test(`${c.name} ${c.image ?? ""}`);
}

/** The NCCL version a serving container pins: an `*NCCL*VERSION*` env value, or `nccl==X` in its command or args (the program's start-up check). */
export function pinnedNcclVersion(c: ContainerView): string | undefined {
  const fromEnv = c.env.find(
    (e) => /NCCL/i.test(e.name) && /VERSION/i.test(e.name) && e.value !== undefined && EXACT_RELEASE.test(e.value),
  );
  if (fromEnv) return fromEnv.value;
  for (const text of [...c.command, ...c.args]) {
    const version = ncclInText(text);
    if (version) return version;
  }
  return undefined;
}

/** The driver and NCCL versions model-configs/ pins for a model the stack serves. */
interface ModelPin {
  model: string;
  driver: string;
  nccl: string;
}

/**
 * Whether the serving stack is pinned exactly: GKE's driver installation
 * disabled on every GPU pool with the NVIDIA installer DaemonSet at an exact
 * version, the vLLM image by digest, and NCCL at an exact version.
 */
export function pinnedVersionFindings(
  resources: readonly ResourceView[],
  rawConfig: unknown,
  catalog: Catalog,
): Findings {
  const parsed = parsePolicyConfig(PinnedServingVersionsConfigSchema, rawConfig, PINNED_SERVING_VERSIONS);
  if ("invalid" in parsed) return parsed.invalid;
  const pools = readGpuPools(resources, (id) => catalog.machineTypes.has(id));
  if (pools.length === 0) return { violations: [], passNote: "The stack declares no GPU node pools." };
  const pins = parsed.config.requireModelPins ? servedModelPins(pools, catalog) : [];
  const violations = poolDriverViolations(pools);
  // What the cluster runs (installer, image, NCCL) is only known once the cluster exists.
  const unbuilt = unbuiltKubernetesResources(resources);
  if (unbuilt.length > 0) {
    violations.push({
      advisory: true,
      message: awaitsClusterMessage(
        unbuilt,
        "The driver installer's version, the serving image's digest and the NCCL pin",
      ),
    });
    return { violations };
  }
  violations.push(...driverInstallerViolations(resources, pools, pins), ...servingPinViolations(resources, pins));
  return { violations };
}

/** The pins of each model a GPU pool's label names, once per model; a model not in the catalog pins nothing. */
function servedModelPins(pools: readonly GpuPool[], catalog: Catalog): ModelPin[] {
  return [...new Set(pools.map((p) => poolLabel(p, "model")).filter((m): m is string => m !== undefined))]
    .map((id) => catalog.models.get(id))
    .filter((m) => m !== undefined)
    .map((m) => ({ model: m.displayName, driver: m.serving.nvidiaDriverVersion, nccl: m.serving.ncclVersion }));
}

/** A pool with no accelerator declared, or one whose GPU driver GKE installs (and moves with node upgrades). */
function poolDriverViolations(pools: readonly GpuPool[]): Violation[] {
  const violations: Violation[] = [];
  for (const pool of pools) {
    const urn = pool.resource.urn;
    if (pool.accelerators.length === 0) {
      violations.push({
        urn,
        message: `Node pool ${pool.resource.name} declares no guestAccelerators, so GKE installs its default GPU driver; declare the accelerator with gpuDriverInstallationConfig.gpuDriverVersion INSTALLATION_DISABLED.`,
      });
    }
    for (const a of pool.accelerators) {
      if (a.gpuDriverVersion === "INSTALLATION_DISABLED") continue;
      violations.push({
        urn,
        message: `Node pool ${pool.resource.name} lets GKE install the GPU driver (gpuDriverVersion ${a.gpuDriverVersion ?? "not set, so DEFAULT"}), which moves with node upgrades; set it to INSTALLATION_DISABLED and run the NVIDIA driver installer DaemonSet at an exact version.`,
      });
    }
  }
  return violations;
}

/** No driver installer DaemonSet, an installer at no exact version, or one at a version the model does not pin. */
function driverInstallerViolations(
  resources: readonly ResourceView[],
  pools: readonly GpuPool[],
  pins: readonly ModelPin[],
): Violation[] {
  const violations: Violation[] = [];
  const installers = readPodTemplates(resources)
    .filter((t) => t.workload.type === RESOURCE_TYPES.daemonSet)
    .flatMap((t) => [...t.initContainers, ...t.containers].filter(isDriverInstaller).map((c) => ({ t, c })));
  if (installers.length === 0) {
    violations.push({
      urn: pools[0]!.resource.urn,
      message:
        "No NVIDIA driver installer DaemonSet is declared: with GKE's installation disabled the GPU nodes come up without a driver; add the installer at an exact driver version.",
    });
  }
  for (const { t, c } of installers) {
    const version = installerDriverVersion(c);
    if (version === undefined || !EXACT_DRIVER.test(version)) {
      violations.push({
        urn: t.workload.urn,
        message: `The driver installer ${c.name} of DaemonSet ${t.workload.name} names no exact driver version (${version === undefined ? "none given" : `"${version}"`}); pass --version=<release> (COS) or NVIDIA_DRIVER_VERSION (Ubuntu), e.g. 580.126.09.`,
      });
      continue;
    }
    for (const pin of pins.filter((p) => p.driver !== version)) {
      violations.push({
        urn: t.workload.urn,
        message: `The driver installer of DaemonSet ${t.workload.name} installs driver ${version}, but ${pin.model} is pinned to ${pin.driver} in model-configs/.`,
      });
    }
  }
  return violations;
}

/** A GPU serving container whose image is not pinned by digest, or whose NCCL is unpinned or differs from the model's pin. */
function servingPinViolations(resources: readonly ResourceView[], pins: readonly ModelPin[]): Violation[] {
  const violations: Violation[] = [];
  for (const t of servingPodTemplates(resources)) {
    for (const c of t.containers.filter((c) => c.gpuLimit)) {
      const where = `Container ${c.name} of ${t.workload.name}`;
      if (!c.image || !IMAGE_BY_DIGEST.test(c.image)) {
        violations.push({
          urn: t.workload.urn,
          message: `${where} runs image ${c.image ?? "(none)"}, which is not pinned by digest; use <repository>@sha256:<digest> so every node runs the image that was tested.`,
        });
      }
      const nccl = pinnedNcclVersion(c);
      if (nccl === undefined) {
        violations.push({
          urn: t.workload.urn,
          message: `${where} does not pin NCCL: name the exact version (e.g. an NCCL_VERSION env value the start-up check compares with "vLLM is using nccl==...").`,
        });
        continue;
      }
      for (const pin of pins.filter((p) => p.nccl !== nccl)) {
        violations.push({
          urn: t.workload.urn,
          message: `${where} pins NCCL ${nccl}, but ${pin.model} is pinned to ${pin.nccl} in model-configs/.`,
        });
      }
    }
  }
  return violations;
}

/** `pinned-serving-versions`: blocks GPU serving stacks whose driver, image or NCCL can drift. */
export const pinnedServingVersions: StackValidationPolicy = {
  name: PINNED_SERVING_VERSIONS,
  description:
    "GPU serving must be pinned exactly: GKE driver installation disabled with the installer at an explicit version, the vLLM image by digest, NCCL pinned.",
  enforcementLevel: "mandatory",
  configSchema: policyConfigSchema(PinnedServingVersionsConfigSchema),
  validateStack: (args, reportViolation) =>
    report(pinnedVersionFindings(args.resources, args.getConfig(), loadCatalog()), args, reportViolation),
};
