import type * as k8s from "@pulumi/kubernetes";
import type { GpuNodeImage } from "./config-schema";

/**
 * The NVIDIA driver installer DaemonSet at an exact driver version, after
 * GoogleCloudPlatform/container-engine-accelerators (commit 992db812,
 * 2026-06-11): `nvidia-driver-installer/cos/daemonset-preloaded.yaml` (COS:
 * `cos-gpu-installer install --version=<version>`) and
 * `nvidia-driver-installer/ubuntu/daemonset-preloaded-R570.yaml` (Ubuntu:
 * `NVIDIA_DRIVER_VERSION`). GKE's own `gpuDriverVersion` only offers DEFAULT
 * and LATEST, which move with GKE upgrades; the pool sets
 * INSTALLATION_DISABLED and this DaemonSet installs the pinned release.
 *
 * Differences from upstream, on purpose: scoped to one node pool (so two
 * pools can pin two drivers), and COS drops the `partition-gpus` init
 * container, which only applies MIG partitions this project never requests.
 */

/** Installer images GKE preloads on GPU nodes (`imagePullPolicy: Never` on COS), and the pause image, as upstream pins them. */
export const INSTALLER_IMAGES = {
  cos: "cos-nvidia-installer:fixed",
  ubuntu: "gke-nvidia-installer:fixed",
  pause: "gke.gcr.io/pause:3.8@sha256:880e63f94b145e46f1b1082bb71b85e21f16b99b180b9996407d61240ceb9830",
} as const;

/** Where the driver lands on the host; the GPU device plugin mounts it into containers at /usr/local/nvidia. */
const NVIDIA_INSTALL_DIR_HOST = "/home/kubernetes/bin/nvidia";

/** What the installer needs to know. */
export interface DriverInstallerArgs {
  /** Exact NVIDIA driver release, e.g. `580.126.09` (a model config's `serving.nvidiaDriverVersion`). */
  driverVersion: string;
  nodeImage: GpuNodeImage;
  /** The GKE node pool whose nodes get this driver. */
  nodePoolName: string;
  /** DaemonSet name. Defaults to `nvidia-driver-installer-<pool>`. */
  name?: string;
}

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type DaemonSet = k8s.types.input.apps.v1.DaemonSet;

function affinity(nodePoolName: string): k8s.types.input.core.v1.Affinity {
  const common = [
    { key: "cloud.google.com/gke-accelerator", operator: "Exists" },
    { key: "cloud.google.com/gke-nodepool", operator: "In", values: [nodePoolName] },
  ];
  // Upstream selects nodes without a GKE-managed driver: no driver-version label, or the label set to "disabled".
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [...common, { key: "cloud.google.com/gke-gpu-driver-version", operator: "DoesNotExist" }],
          },
          {
            matchExpressions: [
              ...common,
              { key: "cloud.google.com/gke-gpu-driver-version", operator: "In", values: ["disabled"] },
            ],
          },
        ],
      },
    },
  };
}

/** The COS installer init container: installs the exact release unless a driver is already loaded. */
function cosInstaller(version: string): { container: Container; volumes: Volume[] } {
  return {
    volumes: [
      { name: "dev", hostPath: { path: "/dev" } },
      { name: "vulkan-icd-mount", hostPath: { path: `${NVIDIA_INSTALL_DIR_HOST}/vulkan/icd.d` } },
      { name: "nvidia-install-dir-host", hostPath: { path: NVIDIA_INSTALL_DIR_HOST } },
      { name: "root-mount", hostPath: { path: "/" } },
      { name: "cos-tools", hostPath: { path: "/var/lib/cos-tools" } },
    ],
    container: {
      image: INSTALLER_IMAGES.cos,
      imagePullPolicy: "Never",
      name: "nvidia-driver-installer",
      resources: { requests: { cpu: "150m" } },
      securityContext: { privileged: true },
      env: [
        { name: "NVIDIA_INSTALL_DIR_HOST", value: NVIDIA_INSTALL_DIR_HOST },
        { name: "NVIDIA_INSTALL_DIR_CONTAINER", value: "/usr/local/nvidia" },
        { name: "VULKAN_ICD_DIR_HOST", value: `${NVIDIA_INSTALL_DIR_HOST}/vulkan/icd.d` },
        { name: "VULKAN_ICD_DIR_CONTAINER", value: "/etc/vulkan/icd.d" },
        { name: "ROOT_MOUNT_DIR", value: "/root" },
        { name: "COS_TOOLS_DIR_HOST", value: "/var/lib/cos-tools" },
        { name: "COS_TOOLS_DIR_CONTAINER", value: "/build/cos-tools" },
      ],
      volumeMounts: [
        { name: "nvidia-install-dir-host", mountPath: "/usr/local/nvidia" },
        { name: "vulkan-icd-mount", mountPath: "/etc/vulkan/icd.d" },
        { name: "dev", mountPath: "/dev" },
        { name: "root-mount", mountPath: "/root" },
        { name: "cos-tools", mountPath: "/build/cos-tools" },
      ],
      command: ["bash", "-c", cosInstallScript(version)],
    },
  };
}

/** Upstream's script with `--version=<exact>` instead of `latest`/`default`. */
export function cosInstallScript(version: string): string {
  return [
    'echo "Checking for existing GPU driver modules"',
    "if lsmod | grep nvidia; then",
    '  echo "GPU driver is already installed, skipping installation"',
    "  exit 0",
    "fi",
    `echo "Installing NVIDIA driver ${version}"`,
    `/cos-gpu-installer install --version=${version} || exit 1`,
    `chmod 755 /root${NVIDIA_INSTALL_DIR_HOST}`,
    "",
  ].join("\n");
}

/** The Ubuntu installer init container: the version travels as NVIDIA_DRIVER_VERSION. */
function ubuntuInstaller(version: string): { container: Container; volumes: Volume[] } {
  return {
    volumes: [
      { name: "dev", hostPath: { path: "/dev" } },
      { name: "boot", hostPath: { path: "/boot" } },
      { name: "root-mount", hostPath: { path: "/" } },
    ],
    container: {
      image: INSTALLER_IMAGES.ubuntu,
      name: "nvidia-driver-installer",
      resources: { requests: { cpu: "150m" } },
      securityContext: { privileged: true },
      volumeMounts: [
        { name: "boot", mountPath: "/boot" },
        { name: "dev", mountPath: "/dev" },
        { name: "root-mount", mountPath: "/root" },
      ],
      env: [{ name: "NVIDIA_DRIVER_VERSION", value: version }],
    },
  };
}

/** The installer DaemonSet (apps/v1) for one node pool, as a plain Kubernetes object. */
export function driverInstallerManifest(args: DriverInstallerArgs): DaemonSet {
  const { driverVersion, nodeImage, nodePoolName } = args;
  const name = args.name ?? `nvidia-driver-installer-${nodePoolName}`;
  const labels = { "k8s-app": name, "llm-breakeven.dev/nvidia-driver-version": driverVersion };
  const installer = installerFor(nodeImage, driverVersion);
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: "kube-system", labels },
    spec: {
      selector: { matchLabels: { "k8s-app": name } },
      updateStrategy: { type: "RollingUpdate" },
      template: {
        metadata: { labels: { name, ...labels } },
        spec: {
          priorityClassName: "system-node-critical",
          affinity: affinity(nodePoolName),
          tolerations: [{ operator: "Exists" }],
          ...(nodeImage === "COS_CONTAINERD" ? { hostNetwork: true, hostPID: true } : {}),
          volumes: installer.volumes,
          initContainers: [installer.container],
          containers: [{ image: INSTALLER_IMAGES.pause, name: "pause" }],
        },
      },
    },
  };
}

function installerFor(nodeImage: GpuNodeImage, version: string): { container: Container; volumes: Volume[] } {
  switch (nodeImage) {
    case "COS_CONTAINERD":
      return cosInstaller(version);
    case "UBUNTU_CONTAINERD":
      return ubuntuInstaller(version);
    default: {
      const never: never = nodeImage;
      throw new Error(`no driver installer for node image ${String(never)}`);
    }
  }
}
