// A team's own program: a GKE cluster and a spot GPU node pool, nothing from llm-breakeven.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const zone = config.get("zone") ?? "us-central1-a";
const region = zone.slice(0, -2);

const cluster = new gcp.container.Cluster("team", {
  location: region,
  nodeLocations: [zone],
  removeDefaultNodePool: true,
  initialNodeCount: 1,
  deletionProtection: false,
});

const gpuPool = new gcp.container.NodePool("team-gpu", {
  cluster: cluster.name,
  location: region,
  nodeLocations: [zone],
  autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: config.getNumber("gpuMaxNodes") ?? 1, locationPolicy: "ANY" },
  nodeConfig: {
    machineType: config.require("gpuMachineType"),
    spot: true,
    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
  },
});

export const clusterName = cluster.name;
export const gpuPoolName = gpuPool.name;
