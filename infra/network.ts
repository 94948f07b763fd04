import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "./config-schema";
import type { StackNames } from "./network-plan";

/** Names of the secondary ranges the cluster's IP allocation policy refers to. */
export const SECONDARY_RANGE_NAMES = { pods: "pods", services: "services" } as const;

/** What the network step needs. */
export interface StackNetworkArgs {
  project: string;
  region: string;
  cluster: ClusterConfig;
  names: StackNames;
  /** Ports the control plane must reach on nodes beyond 443 and 10250 (add-on webhooks). */
  webhookPorts: number[];
}

/** The stack's network resources. */
export interface StackNetwork {
  /** The VPC's name (the stack's own, or the configured existing one). */
  network: pulumi.Output<string>;
  subnetwork: gcp.compute.Subnetwork;
  nat?: gcp.compute.RouterNat | undefined;
  webhookFirewall?: gcp.compute.Firewall | undefined;
}

/**
 * The stack's own subnetwork (in its own VPC unless `cluster.network` names
 * one), with secondary ranges for Pods and Services, Cloud NAT for that
 * subnetwork only (a second NAT on ALL_SUBNETWORKS_ALL_IP_RANGES in one
 * network is refused by GCP), and a firewall rule from the control plane to
 * the stack's nodes on the add-ons' webhook ports (GKE opens only 443 and
 * 10250 to private nodes; LeaderWorkerSet's webhook listens on 9443 and
 * fails closed).
 */
export function createStackNetwork(args: StackNetworkArgs, parent: pulumi.Resource): StackNetwork {
  const { project, region, cluster: c, names } = args;
  const opts = { parent };
  const network = c.network
    ? pulumi.output(c.network)
    : new gcp.compute.Network(names.network, { name: names.network, project, autoCreateSubnetworks: false }, opts).name;
  const subnetwork = new gcp.compute.Subnetwork(
    names.subnetwork,
    {
      name: names.subnetwork,
      project,
      region,
      network,
      ipCidrRange: c.subnetworkCidr,
      privateIpGoogleAccess: true,
      secondaryIpRanges: [
        { rangeName: SECONDARY_RANGE_NAMES.pods, ipCidrRange: c.podsCidr },
        { rangeName: SECONDARY_RANGE_NAMES.services, ipCidrRange: c.servicesCidr },
      ],
    },
    opts,
  );
  const out: StackNetwork = { network, subnetwork };
  if (c.privateNodes) out.nat = createNat(args, network, subnetwork, parent);
  if (c.privateNodes && args.webhookPorts.length > 0)
    out.webhookFirewall = createWebhookFirewall(args, network, parent);
  return out;
}

/** Cloud NAT for the stack's subnetwork alone: private nodes pull images and weights through it. */
function createNat(
  args: StackNetworkArgs,
  network: pulumi.Input<string>,
  subnetwork: gcp.compute.Subnetwork,
  parent: pulumi.Resource,
): gcp.compute.RouterNat {
  const { project, region, names } = args;
  const router = new gcp.compute.Router(names.router, { name: names.router, project, region, network }, { parent });
  return new gcp.compute.RouterNat(
    names.nat,
    {
      name: names.nat,
      project,
      region,
      router: router.name,
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
      subnetworks: [{ name: subnetwork.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
    },
    { parent },
  );
}

/** Ingress from the control-plane range to the stack's nodes on the webhook ports. */
function createWebhookFirewall(
  args: StackNetworkArgs,
  network: pulumi.Input<string>,
  parent: pulumi.Resource,
): gcp.compute.Firewall {
  const { project, cluster: c, names } = args;
  return new gcp.compute.Firewall(
    names.webhookFirewall,
    {
      name: names.webhookFirewall,
      project,
      network,
      direction: "INGRESS",
      sourceRanges: [c.masterIpv4CidrBlock],
      targetTags: [names.nodeTag],
      allows: [{ protocol: "tcp", ports: args.webhookPorts.map(String) }],
      description: "GKE control plane to add-on admission webhooks on the stack's private nodes",
    },
    { parent },
  );
}
