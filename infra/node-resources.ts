import { z } from "zod";
import { parseWith } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
import { readYaml } from "../catalog/read";

/**
 * CPU and memory of the vLLM container, sized from the GPU machine: GKE's
 * allocatable (the kubelet's capacity, RAM less the kernel's share, less
 * GKE's reservations and the eviction threshold) less an allowance for the
 * node's DaemonSets. Requests equal limits, so the
 * pod is in the Guaranteed QoS class and the last the kubelet evicts under
 * memory pressure; the CPU limit is nearly the whole node, so it does not
 * throttle. The `/dev/shm` Memory volume counts against the memory limit.
 */

const share = z.number().finite().min(0).max(1);
const MemoryTierSchema = z.object({ uptoGiB: z.number().positive().optional(), share }).strict();
const CpuTierSchema = z.object({ uptoCores: z.number().positive().optional(), share }).strict();

const mib = z.number().nonnegative();
/** What the Linux kernel keeps out of the kubelet's capacity (cluster-autoscaler gce_reserved.go). */
const KernelReservedSchema = z
  .object({
    ratio: z.number().positive(),
    fixedMiB: mib,
    swiotlbMiB: mib,
    swiotlbAboveGiB: z.number().nonnegative(),
    lowMemoryOffsetMiB: mib,
    lowMemoryUpToGiB: z.number().nonnegative(),
    correctionRatio: z.number().nonnegative(),
    correctionMaxMiB: mib,
    ubuntuOffsetMiB: mib,
    source: z.string().min(1),
  })
  .strict();

/** `infra/data/gke-node-reservations.yaml`. */
export const NodeReservationsSchema = z
  .object({
    version: z.literal(1),
    asOf: z.string(),
    kernelReserved: KernelReservedSchema,
    source: z.string().url(),
    /** Share of each slice of memory GKE reserves; the slice ends at `uptoGiB` (the last tier has none). */
    memoryTiers: z.array(MemoryTierSchema).min(1),
    evictionThresholdMiB: z.number().nonnegative(),
    /** Share of each slice of CPU GKE reserves; the slice ends at `uptoCores`. */
    cpuTiers: z.array(CpuTierSchema).min(1),
    /** Room left for the node's DaemonSets. */
    daemonSetAllowance: z
      .object({ cpuMillicores: z.number().nonnegative(), memoryMiB: z.number().nonnegative() })
      .strict(),
  })
  .strict();
/** GKE's node reservations and the DaemonSet allowance. */
export type NodeReservations = z.infer<typeof NodeReservationsSchema>;

/** The data file, relative to the project root. */
export const NODE_RESERVATIONS_FILE = ["infra", "data", "gke-node-reservations.yaml"] as const;

/** Validates parsed reservation data; a bad field names the file. */
export function parseNodeReservations(data: unknown, file: string): NodeReservations {
  return parseWith(NodeReservationsSchema, data, file);
}

/** Reads `infra/data/gke-node-reservations.yaml`. */
export function loadNodeReservations(): NodeReservations {
  const file = fromRoot(...NODE_RESERVATIONS_FILE);
  return parseNodeReservations(readYaml(file), file);
}

/** What tiered shares reserve out of `capacity`: each share applies to the slice from the previous bound to its own. */
function tiered(capacity: number, tiers: { bound: number | undefined; share: number }[]): number {
  let reserved = 0;
  let from = 0;
  for (const { bound, share: s } of tiers) {
    const to = Math.min(capacity, bound ?? capacity);
    reserved += Math.max(0, to - from) * s;
    from = bound ?? capacity;
  }
  return reserved;
}

/** A machine as the catalog describes it (memory in GB as GCP writes it, which is GiB). */
export interface MachineShape {
  vcpu: number;
  memoryGB: number;
}

/** The node's OS family, which changes the kernel's reservation (Ubuntu keeps 4 MiB more). */
export type NodeOs = "COS_CONTAINERD" | "UBUNTU_CONTAINERD";

/**
 * The kubelet's memory capacity, MiB: RAM less what the kernel keeps, as
 * the cluster autoscaler computes it (`CalculateKernelReserved`). GKE's
 * tiers and eviction threshold come off this, not off the nominal RAM:
 * sizing from the nominal RAM asks about 27 GiB too much on a 1,872 GiB node.
 */
export function memoryCapacityMiB(memoryGB: number, os: NodeOs, r: NodeReservations): number {
  const k = r.kernelReserved;
  const ramMiB = memoryGB * 1024;
  let reserved = Math.floor(ramMiB / k.ratio) + k.fixedMiB;
  if (memoryGB > k.swiotlbAboveGiB) reserved += k.swiotlbMiB;
  if (memoryGB <= k.lowMemoryUpToGiB) reserved += k.lowMemoryOffsetMiB;
  reserved += Math.min(k.correctionRatio * ramMiB, k.correctionMaxMiB);
  if (os === "UBUNTU_CONTAINERD") reserved += k.ubuntuOffsetMiB;
  return ramMiB - reserved;
}

/** GKE's allocatable CPU (millicores) and memory (MiB) of a node of this machine type. */
export function allocatable(
  machine: MachineShape,
  os: NodeOs,
  r: NodeReservations,
): { cpuMillicores: number; memoryMiB: number } {
  const reservedCores = tiered(
    machine.vcpu,
    r.cpuTiers.map((t) => ({ bound: t.uptoCores, share: t.share })),
  );
  const capacityMiB = memoryCapacityMiB(machine.memoryGB, os, r);
  const reservedGiB = tiered(
    capacityMiB / 1024,
    r.memoryTiers.map((t) => ({ bound: t.uptoGiB, share: t.share })),
  );
  return {
    cpuMillicores: machine.vcpu * 1000 - reservedCores * 1000,
    memoryMiB: capacityMiB - reservedGiB * 1024 - r.evictionThresholdMiB,
  };
}

/** CPU (millicores) and memory (MiB) the vLLM container requests and is limited to, rounded down. */
export interface ContainerSize {
  cpuMillicores: number;
  memoryMiB: number;
}

/** The vLLM container's size: allocatable less the DaemonSet allowance. */
export function vllmContainerSize(machine: MachineShape, os: NodeOs, r: NodeReservations): ContainerSize {
  const a = allocatable(machine, os, r);
  // Rounded to a millionth first, so 11,900 computed as 11,899.9999 stays 11,900.
  const down = (x: number) => Math.floor(Math.round(x * 1e6) / 1e6);
  return {
    cpuMillicores: down(a.cpuMillicores - r.daemonSetAllowance.cpuMillicores),
    memoryMiB: down(a.memoryMiB - r.daemonSetAllowance.memoryMiB),
  };
}
