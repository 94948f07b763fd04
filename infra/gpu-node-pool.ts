import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GpuNodeImage } from "./config-schema";
import { driverInstallerManifest } from "./driver-installer";

/** Size of one GCP local SSD partition, GB (https://cloud.google.com/compute/docs/disks/local-ssd). */
export const LOCAL_SSD_PARTITION_GB = 375;
/** Boot disk of a GPU node: the vLLM image (about 10 GB) several times over, plus the OS. */
export const GPU_BOOT_DISK_GB = 200;

/**
 * Boot disk of a GPU node. Without local SSD the container's writable layer,
 * and so the Hugging Face cache, is on the boot disk, and every node of a
 * replica downloads the whole checkpoint: the disk grows by the weights, or
 * the kubelet evicts the pod on disk pressure halfway through the download.
 */
export function gpuBootDiskGB(localSsdGB: number, weightGB: number): number {
  return localSsdGB > 0 ? GPU_BOOT_DISK_GB : GPU_BOOT_DISK_GB + Math.ceil(weightGB);
}

/** Arguments of {@link GpuNodePool}. */
export interface GpuNodePoolArgs {
  project: string;
  cluster: pulumi.Input<string>;
  /** Cluster location (region). */
  location: string;
  /** Zones the pool may use; each offers the machine type (infra/placement.ts). */
  zones: string[];
  /** Node pool name (also the `cloud.google.com/gke-nodepool` label pods select). */
  poolName: string;
  machineType: string;
  /** GKE accelerator type, e.g. `nvidia-h100-80gb`. */
  gkeAccelerator: string;
  gpusPerNode: number;
  /** Local SSD bundled with the machine, GB; backs ephemeral storage (weights cache) when present. */
  localSsdGB: number;
  /** Size of the checkpoint each node downloads, GB. */
  weightGB: number;
  spot: boolean;
  /** Most nodes the autoscaler may add across all zones. */
  totalMaxNodeCount: number;
  /** Exact NVIDIA driver release for the installer (checked against catalog/data/gke-gpu-drivers.yaml). */
  driverVersion: string;
  nodeImage: GpuNodeImage;
  /** GKE version of the nodes; undefined: the release channel's default. */
  nodeVersion?: string | undefined;
  /** Boot disk type the machine family accepts (A3 Ultra boots from Hyperdisk only). */
  bootDiskType: string;
  /** gVNIC, which A3 machines require. */
  gvnic: boolean;
  /** Email of the stack's node service account. */
  serviceAccountEmail: pulumi.Input<string>;
  /** Network tags of the nodes (the webhook firewall's target). */
  tags: string[];
  /** Cost facts for the policy pack (NODE_POOL_LABELS). */
  labels: Record<string, string>;
  /** Provider of the cluster, for the installer DaemonSet. */
  k8sProvider: k8s.Provider;
}

/**
 * The GPU pool's name: the machine type and the pinned driver. The installer
 * skips a node whose driver is already loaded, so a new pin could never
 * reach existing nodes; with the driver in the name, a change of pin
 * replaces the pool (the name is immutable in GKE), new nodes install the
 * new driver, and the pods, which select the pool by name, move with it.
 */
export function gpuPoolName(machineType: string, driverVersion: string): string {
  return `gpu-${machineType}-d${driverVersion.replace(/\./g, "-")}`.slice(0, 40).replace(/-+$/, "");
}

/**
 * A spot (or on-demand) GPU node pool whose driver is pinned: GKE's own
 * driver install is disabled and the installer DaemonSet installs the exact
 * release. It scales from zero in the zones that offer the machine; for
 * spot, `locationPolicy: ANY` takes whichever zone has capacity.
 */
export class GpuNodePool extends pulumi.ComponentResource {
  /** The GKE node pool. */
  readonly nodePool: gcp.container.NodePool;
  /** The pinned driver installer. */
  readonly driverInstaller: k8s.apps.v1.DaemonSet;

  constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-breakeven:infra:GpuNodePool", name, {}, opts);
    const localSsdCount = Math.floor(args.localSsdGB / LOCAL_SSD_PARTITION_GB);
    this.nodePool = new gcp.container.NodePool(
      name,
      {
        name: args.poolName,
        project: args.project,
        cluster: args.cluster,
        location: args.location,
        nodeLocations: args.zones,
        version: args.nodeVersion,
        autoscaling: {
          totalMinNodeCount: 0,
          totalMaxNodeCount: args.totalMaxNodeCount,
          locationPolicy: args.spot ? "ANY" : "BALANCED",
        },
        // Node upgrades are held by the cluster's maintenance exclusion; repairs stay on.
        management: { autoRepair: true, autoUpgrade: true },
        nodeConfig: {
          machineType: args.machineType,
          spot: args.spot,
          imageType: args.nodeImage,
          diskType: args.bootDiskType,
          diskSizeGb: gpuBootDiskGB(args.localSsdGB, args.weightGB),
          gvnic: { enabled: args.gvnic },
          serviceAccount: args.serviceAccountEmail,
          tags: args.tags,
          ephemeralStorageLocalSsdConfig: localSsdCount > 0 ? { localSsdCount } : undefined,
          guestAccelerators: [
            {
              type: args.gkeAccelerator,
              count: args.gpusPerNode,
              gpuDriverInstallationConfig: { gpuDriverVersion: "INSTALLATION_DISABLED" },
            },
          ],
          labels: args.labels,
          taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
          oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
          workloadMetadataConfig: { mode: "GKE_METADATA" },
        },
      },
      { parent: this },
    );
    const manifest = driverInstallerManifest({
      driverVersion: args.driverVersion,
      nodeImage: args.nodeImage,
      nodePoolName: args.poolName,
    });
    this.driverInstaller = new k8s.apps.v1.DaemonSet(`${name}-driver-installer`, manifest, {
      parent: this,
      provider: args.k8sProvider,
    });
    this.registerOutputs({ nodePoolName: this.nodePool.name });
  }
}
