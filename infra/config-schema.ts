import { z } from "zod";

/**
 * The Pulumi program's own stack config: the `llm-breakeven:cluster` and
 * `llm-breakeven:deployment` keys (the engine's scenario keys are validated
 * by `engine/scenario.ts`). Defaults are named in each description and
 * repeated in `Pulumi.yaml`'s `config:` section.
 */

/** Node OS images a GKE GPU pool runs; each has its own NVIDIA driver installer. */
export const GpuNodeImageSchema = z.enum(["COS_CONTAINERD", "UBUNTU_CONTAINERD"]);
/** A GKE node image type, e.g. `"COS_CONTAINERD"`. */
export type GpuNodeImage = z.infer<typeof GpuNodeImageSchema>;

/** GKE release channels. */
export const ReleaseChannelSchema = z.enum(["RAPID", "REGULAR", "STABLE", "EXTENDED"]);

const rfc3339 = z.iso.datetime({ offset: true, message: "an RFC 3339 time such as 2026-12-01T00:00:00Z" });

/**
 * The maintenance exclusion that holds node versions. GKE-managed upgrades
 * would replace the node image (and kernel) under a pinned driver; scope
 * NO_MINOR_OR_NODE_UPGRADES stops that while still allowing control-plane
 * patches.
 */
export const MaintenanceExclusionSchema = z
  .object({
    /** When the hold starts (RFC 3339). Required: GKE needs a fixed start, and a fixed value keeps previews free of diffs. */
    startTime: rfc3339,
    /** When the hold ends (RFC 3339). Defaults to holding until the cluster version's end of support. */
    endTime: rfc3339.optional(),
  })
  .strict();

/** `llm-breakeven:cluster`: the GKE cluster. */
export const ClusterConfigSchema = z
  .object({
    /** Cluster name. Defaults to `llm-breakeven`. */
    name: z.string().regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, "lower-case letters, digits and dashes, at most 40 characters, starting with a letter").default("llm-breakeven"),
    /** Region of the (regional) cluster. Defaults to `gcp:region`, else `llm-breakeven:node.region`. */
    region: z.string().min(1).optional(),
    /** Zones the GPU pool may use (GPU machine types exist only in some zones). Defaults to every zone of the region GKE picks. */
    zones: z.array(z.string().min(1)).min(1).optional(),
    /** VPC network. Defaults to `default`. */
    network: z.string().min(1).default("default"),
    /** Subnetwork. Defaults to the network's subnet in the region. */
    subnetwork: z.string().min(1).optional(),
    /** Nodes without public IPs (egress through Cloud NAT). Defaults to true. */
    privateNodes: z.boolean().default(true),
    /** Control-plane range of a private cluster. Defaults to `172.16.0.0/28`. */
    masterIpv4CidrBlock: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/28$/, "an IPv4 /28 such as 172.16.0.0/28").default("172.16.0.0/28"),
    /** GKE release channel. Defaults to `STABLE`. */
    releaseChannel: ReleaseChannelSchema.default("STABLE"),
    /** Start of the daily maintenance window, `HH:MM` GMT. Defaults to `03:00`. */
    maintenanceWindowStartTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM such as 03:00").default("03:00"),
    maintenanceExclusion: MaintenanceExclusionSchema,
    /** Machine type of the system (non-GPU) pool. Defaults to `e2-standard-4`. */
    systemMachineType: z.string().min(1).default("e2-standard-4"),
    /** Nodes per zone in the system pool. Defaults to 1. */
    systemNodeCount: z.number().int().positive().default(1),
    /** Node image of the GPU pool; picks the COS or Ubuntu driver installer. Defaults to `COS_CONTAINERD`. */
    gpuNodeImage: GpuNodeImageSchema.default("COS_CONTAINERD"),
    /** Refuse `pulumi destroy` of the cluster. Defaults to false (GPU stacks are often torn down). */
    deletionProtection: z.boolean().default(false),
  })
  .strict();
/** Validated `llm-breakeven:cluster`. */
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;

/** An image by digest, as `model-configs/*.yaml` pins `serving.vllmImage`. */
const DigestImageSchema = z.string().regex(/^[\w.\-/:]+@sha256:[0-9a-f]{64}$/, "an image pinned by digest, e.g. us-docker.pkg.dev/p/r/vllm-nccl:0.15.0-nccl2.29.3@sha256:<64 hex>");

/** `llm-breakeven:deployment`: the vLLM deployment. */
export const DeploymentConfigSchema = z
  .object({
    /** Kubernetes namespace of the deployment. Defaults to `llm`. */
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label").default("llm"),
    /** Name of the Deployment (or LeaderWorkerSet), Service and friends. Defaults to `vllm`. */
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label").default("vllm"),
    /** Expose the Service on an internal passthrough load balancer (VPC only). Defaults to false (ClusterIP). */
    internalLoadBalancer: z.boolean().default(false),
    /** Scale on `vllm:num_requests_waiting` through Managed Prometheus and the custom-metrics adapter. Defaults to true. */
    autoscaling: z.boolean().default(true),
    /** Average waiting requests per replica the autoscaler holds. Defaults to 10. */
    targetRequestsWaiting: z.number().int().positive().default(10),
    /** Serving image by digest that replaces the model's `serving.vllmImage`, e.g. the NCCL-pinned image built from images/vllm-nccl. Defaults to the model's image. */
    servingImage: DigestImageSchema.optional(),
  })
  .strict();
/** Validated `llm-breakeven:deployment`. */
export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;
