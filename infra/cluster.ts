import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "./config-schema";
import { gkeKubeconfig } from "./kubeconfig";
import { createStackNetwork, SECONDARY_RANGE_NAMES, type StackNetwork } from "./network";
import type { StackNames } from "./network-plan";
import { createNodeServiceAccount, type NodeServiceAccount } from "./node-service-account";

/** Arguments of {@link GkeCluster}. */
export interface GkeClusterArgs {
  cluster: ClusterConfig;
  project: string;
  /** Region of the regional cluster. */
  region: string;
  /** The stack's resource names (prefixed by the stack). */
  names: StackNames;
  /** Roles of the stack's node service account. */
  nodeRoles: readonly string[];
  /** Control-plane-to-node ports to open for add-on webhooks. */
  webhookPorts: number[];
  /** Enable Managed Service for Prometheus (the autoscaler's metric source). */
  managedPrometheus: boolean;
}

/** OAuth scope of node service accounts; IAM, not scopes, limits what they may do. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * A GKE Standard cluster for GPU serving, in the stack's own subnetwork:
 * Workload Identity, private nodes behind the stack's Cloud NAT, a
 * control-plane endpoint open only to `cluster.authorizedNetworks`, a
 * per-stack node service account, a small system pool (which also makes GKE
 * taint GPU nodes), a release channel, and a maintenance exclusion that
 * keeps GKE from upgrading nodes under the pinned driver. Thin over the
 * create* steps below, as pulumi-eks's components are.
 */
export class GkeCluster extends pulumi.ComponentResource {
  /** The cluster. */
  readonly cluster: gcp.container.Cluster;
  /** The system (non-GPU) pool. */
  readonly systemPool: gcp.container.NodePool;
  /** The stack's network resources. */
  readonly network: StackNetwork;
  /** The node service account every pool runs as. */
  readonly nodeServiceAccount: NodeServiceAccount;
  /** A Kubernetes provider for the cluster. */
  readonly provider: k8s.Provider;
  /** Kubeconfig using gke-gcloud-auth-plugin. */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llm-breakeven:infra:GkeCluster", name, {}, opts);
    const { project, region, names } = args;
    this.network = createStackNetwork(
      { project, region, cluster: args.cluster, names, webhookPorts: args.webhookPorts },
      this,
    );
    this.nodeServiceAccount = createNodeServiceAccount(project, names.nodeServiceAccountId, args.nodeRoles, this);
    this.cluster = createCluster(name, args, this.network, this.nodeServiceAccount, this);
    this.systemPool = createSystemPool(name, args, this.cluster, this.nodeServiceAccount, this);
    this.kubeconfig = clusterKubeconfig(this.cluster);
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig },
      { parent: this, dependsOn: [this.systemPool] },
    );
    this.registerOutputs({ clusterName: this.cluster.name, endpoint: this.cluster.endpoint });
  }
}

/** The maintenance policy: a daily window and the exclusion that holds node versions under the driver pin. */
function maintenancePolicy(c: ClusterConfig): gcp.types.input.container.ClusterMaintenancePolicy {
  return {
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
  };
}

/** The cluster itself, VPC-native on the stack's subnetwork and its secondary ranges. */
export function createCluster(
  name: string,
  args: GkeClusterArgs,
  net: StackNetwork,
  sa: NodeServiceAccount,
  parent: pulumi.Resource,
): gcp.container.Cluster {
  const { cluster: c, project, region, names } = args;
  return new gcp.container.Cluster(
    name,
    {
      name: names.cluster,
      project,
      location: region,
      network: net.network,
      subnetwork: net.subnetwork.name,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: {
        clusterSecondaryRangeName: SECONDARY_RANGE_NAMES.pods,
        servicesSecondaryRangeName: SECONDARY_RANGE_NAMES.services,
      },
      // The default pool cannot be shaped; a dedicated system pool replaces it. It still runs as the stack's account while it exists.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig: { serviceAccount: sa.account.email, oauthScopes: [CLOUD_PLATFORM_SCOPE] },
      deletionProtection: c.deletionProtection,
      workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
      privateClusterConfig: c.privateNodes
        ? { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: c.masterIpv4CidrBlock }
        : undefined,
      // Closed to the world by default: only the listed networks (and the VPC itself) reach the endpoint.
      masterAuthorizedNetworksConfig: { cidrBlocks: c.authorizedNetworks, gcpPublicCidrsAccessEnabled: false },
      releaseChannel: { channel: c.releaseChannel },
      maintenancePolicy: maintenancePolicy(c),
      monitoringConfig: args.managedPrometheus
        ? { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: true } }
        : undefined,
    },
    { parent, dependsOn: [...sa.grants, ...(net.nat ? [net.nat] : [])] },
  );
}

/** The small non-GPU pool for system pods and controllers (LeaderWorkerSet, the metrics adapter). */
export function createSystemPool(
  name: string,
  args: GkeClusterArgs,
  cluster: gcp.container.Cluster,
  sa: NodeServiceAccount,
  parent: pulumi.Resource,
): gcp.container.NodePool {
  const c = args.cluster;
  return new gcp.container.NodePool(
    `${name}-system`,
    {
      name: "system",
      project: args.project,
      cluster: cluster.name,
      location: args.region,
      nodeCount: c.systemNodeCount,
      version: c.nodeVersion,
      // Node upgrades are held by the cluster's maintenance exclusion; repairs stay on.
      management: { autoRepair: true, autoUpgrade: true },
      nodeConfig: {
        machineType: c.systemMachineType,
        serviceAccount: sa.account.email,
        oauthScopes: [CLOUD_PLATFORM_SCOPE],
        // The webhook firewall targets this tag: the LeaderWorkerSet controller runs here.
        tags: [args.names.nodeTag],
        workloadMetadataConfig: { mode: "GKE_METADATA" },
      },
    },
    { parent },
  );
}

/** The cluster's kubeconfig, authenticating with gke-gcloud-auth-plugin. */
function clusterKubeconfig(cluster: gcp.container.Cluster): pulumi.Output<string> {
  return pulumi
    .all([cluster.name, cluster.endpoint, cluster.masterAuth])
    .apply(([clusterName, endpoint, auth]) =>
      gkeKubeconfig({ name: clusterName, endpoint, clusterCaCertificate: auth.clusterCaCertificate ?? "" }),
    );
}
