import { z } from "zod";
import { parseWith, UserInputError } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
import { readYaml } from "../catalog/read";

/**
 * What GKE requires of a GPU pool by machine family (boot disk type, gVNIC),
 * the roles of the stack's node service account, and the ports add-on
 * webhooks listen on (`infra/data/gke-node-requirements.yaml`, sourced).
 */

const FamilySchema = z
  .object({ prefix: z.string().min(1), bootDiskTypes: z.array(z.string().min(1)).min(1), gvnic: z.boolean() })
  .strict();
const WebhookSchema = z
  .object({
    addon: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    failurePolicy: z.enum(["Fail", "Ignore", "none"]),
    source: z.string().min(1),
  })
  .strict();

/** `infra/data/gke-node-requirements.yaml`. */
export const NodeRequirementsSchema = z
  .object({
    version: z.literal(1),
    asOf: z.string(),
    machineFamilies: z.array(FamilySchema).min(1),
    machineFamiliesSource: z.string().min(1),
    nodeServiceAccount: z
      .object({ roles: z.array(z.string().regex(/^roles\//)).min(1), source: z.string().min(1) })
      .strict(),
    addonWebhooks: z.array(WebhookSchema),
    controlPlaneDefaultPorts: z.array(z.number().int()).min(1),
    controlPlaneDefaultPortsSource: z.string().min(1),
  })
  .strict();
/** Validated node requirements. */
export type NodeRequirements = z.infer<typeof NodeRequirementsSchema>;
/** One machine family's rules. */
export type MachineFamily = z.infer<typeof FamilySchema>;

/** Reads `infra/data/gke-node-requirements.yaml`. */
export function loadNodeRequirements(): NodeRequirements {
  const file = fromRoot("infra", "data", "gke-node-requirements.yaml");
  return parseWith(NodeRequirementsSchema, readYaml(file), file);
}

/** The family rules of a machine type (longest matching prefix); a machine outside every family is an error naming the field. */
export function machineFamily(r: NodeRequirements, machineType: string, file: string, field: string): MachineFamily {
  const matches = r.machineFamilies
    .filter((f) => machineType.startsWith(f.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const family = matches[0];
  if (!family) {
    throw new UserInputError(
      file,
      field,
      `${JSON.stringify(machineType)} has no GKE node rules in infra/data/gke-node-requirements.yaml; known families: ${r.machineFamilies.map((f) => f.prefix).join(", ")}`,
    );
  }
  return family;
}

/**
 * Ports the control plane must reach on nodes for these add-ons beyond the
 * ones GKE opens by default; each needs a firewall rule on private nodes.
 */
export function webhookPortsToOpen(r: NodeRequirements, addons: readonly string[]): number[] {
  const ports = r.addonWebhooks
    .filter((w) => addons.includes(w.addon) && !r.controlPlaneDefaultPorts.includes(w.port))
    .map((w) => w.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}
