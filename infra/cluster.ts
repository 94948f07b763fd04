import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "./config-schema";
import { gkeKubeconfig } from "./kubeconfig";

/** Arguments of {@link GkeCluster}. */
export interface GkeClusterArgs {
  cluster: ClusterConfig;
  project: string;
  /** Region of the regional cluster. */
  region: string;
  /** Enable Managed Service for Prometheus (the autoscaler's metric source). */
  managedPrometheus: boolean;
}

/** OAuth scope of node service accounts; IAM, not scopes, limits what they may do. */
const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * A GKE Standard cluster for GPU serving: Workload Identity, a small system
 * node pool (which also makes GKE taint GPU nodes), private nodes with Cloud
 * NAT for image and weight downloads, a release channel, and a maintenance
 * exclusion that keeps GKE from upgrading nodes under the pinned driver.
 */
export class GkeCluster extends pulumi.ComponentResource {
  /** The cluster. */
  readonly cluster: gcp.container.Cluster;
  /** The system (non-GPU) pool. */
  readonly systemPool: gcp.container.NodePool;
  /** A Kubernetes provider for the cluster. */
  readonly provider: k8s.Provider;
  /** Kubeconfig using gke-gcloud-auth-plugin. */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-breakeven:infra:GkeCluster", name, {}, opts);
    const { cluster: c, project, region } = args;

    if (c.privateNodes) {
      // Private nodes have no external IP: Docker Hub images and Hugging Face weights come through Cloud NAT.
      const router = new gcp.compute.Router(`${name}-router`, { project, region, network: c.network }, { parent: this });
      new gcp.compute.RouterNat(
        `${name}-nat`,
        {
          project,
          region,
          router: router.name,
          natIpAllocateOption: "AUTO_ONLY",
          sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
        },
        { parent: this },
      );
    }

    this.cluster = new gcp.container.Cluster(
      name,
      {
        name: c.name,
        project,
        location: region,
        network: c.network,
        subnetwork: c.subnetwork,
        networkingMode: "VPC_NATIVE",
        ipAllocationPolicy: {},
        // The default pool cannot be shaped; a dedicated system pool replaces it.
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        deletionProtection: c.deletionProtection,
        workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
        privateClusterConfig: c.privateNodes
          ? { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: c.masterIpv4CidrBlock }
          : undefined,
        releaseChannel: { channel: c.releaseChannel },
        maintenancePolicy: {
          dailyMaintenanceWindow: { startTime: c.maintenanceWindowStartTime },
          maintenanceExclusions: [
            {
              exclusionName: "hold-node-versions-for-pinned-gpu-driver",
              startTime: c.maintenanceExclusion.startTime,
              endTime: c.maintenanceExclusion.endTime,
              exclusionOptions: {
                scope: "NO_MINOR_OR_NODE_UPGRADES",
                endTimeBehavior: c.maintenanceExclusion.endTime === undefined ? "UNTIL_END_OF_SUPPORT" : undefined,
              },
            },
          ],
        },
        monitoringConfig: args.managedPrometheus ? { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: true } } : undefined,
      },
      { parent: this },
    );

    this.systemPool = new gcp.container.NodePool(
      `${name}-system`,
      {
        name: "system",
        project,
        cluster: this.cluster.name,
        location: region,
        nodeCount: c.systemNodeCount,
        // Node upgrades are held by the cluster's maintenance exclusion; repairs stay on.
        management: { autoRepair: true, autoUpgrade: true },
        nodeConfig: {
          machineType: c.systemMachineType,
          oauthScopes: [CLOUD_PLATFORM_SCOPE],
          workloadMetadataConfig: { mode: "GKE_METADATA" },
        },
      },
      { parent: this },
    );

    this.kubeconfig = pulumi
      .all([this.cluster.name, this.cluster.endpoint, this.cluster.masterAuth])
      .apply(([clusterName, endpoint, auth]) => gkeKubeconfig({ name: clusterName, endpoint, clusterCaCertificate: auth.clusterCaCertificate ?? "" }));
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, { parent: this, dependsOn: [this.systemPool] });
    this.registerOutputs({ clusterName: this.cluster.name, endpoint: this.cluster.endpoint });
  }
}
