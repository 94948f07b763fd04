import { z } from "zod";
import { parseWith } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
import { readYaml } from "../catalog/read";

/**
 * CPU and memory of the vLLM container, sized from the GPU machine: GKE's
 * allocatable (capacity less its reservations and the eviction threshold)
 * less an allowance for the node's DaemonSets. Requests equal limits, so the
 * pod is in the Guaranteed QoS class and the last the kubelet evicts under
 * memory pressure; the CPU limit is nearly the whole node, so it does not
 * throttle. The `/dev/shm` Memory volume counts against the memory limit.
 */

const share = z.number().finite().min(0).max(1);
const MemoryTierSchema = z.object({ uptoGiB: z.number().positive().optional(), share }).strict();
const CpuTierSchema = z.object({ uptoCores: z.number().positive().optional(), share }).strict();

/** `infra/data/gke-node-reservations.yaml`. */
export const NodeReservationsSchema = z
  .object({
    version: z.literal(1),
    asOf: z.string(),
    source: z.string().url(),
    /** Share of each slice of memory GKE reserves; the slice ends at `uptoGiB` (the last tier has none). */
    memoryTiers: z.array(MemoryTierSchema).min(1),
    evictionThresholdMiB: z.number().nonnegative(),
    /** Share of each slice of CPU GKE reserves; the slice ends at `uptoCores`. */
    cpuTiers: z.array(CpuTierSchema).min(1),
    /** Room left for the node's DaemonSets. */
    daemonSetAllowance: z.object({ cpuMillicores: z.number().nonnegative(), memoryMiB: z.number().nonnegative() }).strict(),
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

/** GKE's allocatable CPU (millicores) and memory (MiB) of a node of this machine type. */
export function allocatable(machine: MachineShape, r: NodeReservations): { cpuMillicores: number; memoryMiB: number } {
  const reservedCores = tiered(machine.vcpu, r.cpuTiers.map((t) => ({ bound: t.uptoCores, share: t.share })));
  const reservedGiB = tiered(machine.memoryGB, r.memoryTiers.map((t) => ({ bound: t.uptoGiB, share: t.share })));
  return {
    cpuMillicores: machine.vcpu * 1000 - reservedCores * 1000,
    memoryMiB: machine.memoryGB * 1024 - reservedGiB * 1024 - r.evictionThresholdMiB,
  };
}

/** CPU (millicores) and memory (MiB) the vLLM container requests and is limited to, rounded down. */
export interface ContainerSize {
  cpuMillicores: number;
  memoryMiB: number;
}

/** The vLLM container's size: allocatable less the DaemonSet allowance. */
export function vllmContainerSize(machine: MachineShape, r: NodeReservations): ContainerSize {
  const a = allocatable(machine, r);
  // Rounded to a millionth first, so 11,900 computed as 11,899.9999 stays 11,900.
  const down = (x: number) => Math.floor(Math.round(x * 1e6) / 1e6);
  return {
    cpuMillicores: down(a.cpuMillicores - r.daemonSetAllowance.cpuMillicores),
    memoryMiB: down(a.memoryMiB - r.daemonSetAllowance.memoryMiB),
  };
}
