import { z } from "zod";
import { IMAGE_BY_DIGEST } from "../engine/model-config";

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

const ipv4Cidr = (prefix: string, example: string) =>
  z.string().regex(new RegExp(`^\\d{1,3}(\\.\\d{1,3}){3}/${prefix}$`), `an IPv4 range such as ${example}`);
const anyCidr = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/([0-9]|[12]\d|3[0-2])$/, "an IPv4 range such as 203.0.113.0/24");

/** A network allowed to reach the control-plane endpoint. */
export const AuthorizedNetworkSchema = z
  .object({ cidrBlock: anyCidr, displayName: z.string().min(1).max(100) })
  .strict();

/** `llm-breakeven:cluster`: the GKE cluster. */
export const ClusterConfigSchema = z
  .object({
    /** Cluster name. Defaults to `llm-breakeven-<stack>`, so two stacks in one project never share a name. */
    name: z
      .string()
      .regex(
        /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
        "lower-case letters, digits and dashes, at most 40 characters, starting with a letter",
      )
      .optional(),
    /** Region of the (regional) cluster. Defaults to `gcp:region`, else `llm-breakeven:node.region`; all three must agree. */
    region: z.string().min(1).optional(),
    /** Zones the GPU pool may use; each must offer the machine type (catalog/data/gpu-machine-zones.csv). Defaults to every zone of the region that does. */
    zones: z.array(z.string().min(1)).min(1).optional(),
    /** Existing VPC network to put the stack's own subnetwork in. Defaults to a new VPC named `<stack>-vpc`. */
    network: z.string().min(1).optional(),
    /** Primary range of the stack's subnetwork (nodes). Defaults to `10.10.0.0/20`. */
    subnetworkCidr: ipv4Cidr("(1[6-9]|2[0-4])", "10.10.0.0/20").default("10.10.0.0/20"),
    /** Secondary range for Pods. Defaults to `10.16.0.0/14`. */
    podsCidr: ipv4Cidr("(1[0-9]|2[0-2])", "10.16.0.0/14").default("10.16.0.0/14"),
    /** Secondary range for Services. Defaults to `10.20.0.0/20`. */
    servicesCidr: ipv4Cidr("(1[6-9]|2[0-4])", "10.20.0.0/20").default("10.20.0.0/20"),
    /** Nodes without public IPs (egress through the stack's Cloud NAT). Defaults to true. */
    privateNodes: z.boolean().default(true),
    /** Control-plane range of a private cluster; must not overlap the stack's other ranges. Defaults to `172.16.0.0/28`. */
    masterIpv4CidrBlock: ipv4Cidr("28", "172.16.0.0/28").default("172.16.0.0/28"),
    /** Networks allowed to reach the control-plane endpoint (your deployer's address). Defaults to none: closed to the world, reachable from the VPC only. */
    authorizedNetworks: z.array(AuthorizedNetworkSchema).default([]),
    /** GKE release channel. Defaults to `STABLE`. */
    releaseChannel: ReleaseChannelSchema.default("STABLE"),
    /** GKE version of the node pools, e.g. `1.33.5-gke.1201000`. Defaults to the release channel's default. */
    nodeVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+-gke\.\d+$/, "a GKE version such as 1.33.5-gke.1201000")
      .optional(),
    /** Start of the daily maintenance window, `HH:MM` GMT. Defaults to `03:00`. */
    maintenanceWindowStartTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM such as 03:00")
      .default("03:00"),
    maintenanceExclusion: MaintenanceExclusionSchema,
    /** Machine type of the system (non-GPU) pool. Defaults to `e2-standard-4`. */
    systemMachineType: z.string().min(1).default("e2-standard-4"),
    /** Nodes per zone in the system pool. Defaults to 1. */
    systemNodeCount: z.number().int().positive().default(1),
    /** Node image of the GPU pool; picks the COS or Ubuntu driver installer. Defaults to `COS_CONTAINERD`. */
    gpuNodeImage: GpuNodeImageSchema.default("COS_CONTAINERD"),
    /** Exact NVIDIA driver for the GPU pool; must be in catalog/data/gke-gpu-drivers.yaml for the node image. Defaults to the model's `serving.nvidiaDriverVersion`. */
    gpuDriverVersion: z
      .string()
      .regex(/^\d{3}\.\d{2,3}(\.\d{2})?$/, "an NVIDIA driver version such as 570.124.06")
      .optional(),
    /** Refuse `pulumi destroy` of the cluster. Defaults to false (GPU stacks are often torn down). */
    deletionProtection: z.boolean().default(false),
  })
  .strict();
/** Validated `llm-breakeven:cluster`. */
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;

/** An image by digest, as `model-configs/*.yaml` pins `serving.vllmImage`. */
const DigestImageSchema = z
  .string()
  .regex(
    IMAGE_BY_DIGEST,
    "an image pinned by digest, e.g. us-docker.pkg.dev/p/r/vllm-nccl:0.15.0-nccl2.29.3@sha256:<64 hex>",
  );

/** `llm-breakeven:deployment`: the vLLM deployment. */
export const DeploymentConfigSchema = z
  .object({
    /** Kubernetes namespace of the deployment. Defaults to `llm`. */
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label")
      .default("llm"),
    /** Name of the Deployment (or LeaderWorkerSet), Service and friends. Defaults to `vllm`. */
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label")
      .default("vllm"),
    /** Expose the Service on an internal passthrough load balancer (VPC only). Defaults to false (ClusterIP). */
    internalLoadBalancer: z.boolean().default(false),
    /** Scale on `vllm:num_requests_waiting` through Managed Prometheus and the custom-metrics adapter. Defaults to true. */
    autoscaling: z.boolean().default(true),
    /** Average waiting requests per replica the autoscaler holds. Defaults to 10. */
    targetRequestsWaiting: z.number().int().positive().default(10),
    /** Hugging Face commit of the weights (40 hex), replacing the model config's revision; required when that is a branch such as `main`. */
    weightsRevision: z
      .string()
      .regex(/^[0-9a-f]{40}$/, "a 40-character Hugging Face commit id")
      .optional(),
    /** Serving image by digest that replaces the model's `serving.vllmImage`, e.g. the NCCL-pinned image built from images/vllm-nccl. Defaults to the model's image. */
    servingImage: DigestImageSchema.optional(),
  })
  .strict();
/** Validated `llm-breakeven:deployment`. */
export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;
