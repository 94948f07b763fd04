import { z } from "zod";
import { parseWith } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
import { readYaml } from "../catalog/read";

/** Pulumi's unknown sentinel: what the engine sends for a value not known during a preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Which preview the harness plays: the first preview of a new stack, or a preview of a stack whose resources exist unchanged. */
export type PreviewCase = "new-stack" | "update";
/** Both cases, the default first. */
export const PREVIEW_CASES: readonly PreviewCase[] = ["new-stack", "update"];

const TypeSchema = z
  .object({ source: z.string().min(1), computed: z.array(z.string()), optionalComputed: z.array(z.string()) })
  .strict();
const FileSchema = z.object({ version: z.literal(1), types: z.record(z.string(), TypeSchema) }).strict();
/** The computed attributes of one bridged resource type, with their source. */
export type ComputedAttributes = z.infer<typeof TypeSchema>;

let cached: Map<string, ComputedAttributes> | undefined;

/** preview/data/planned-state-unknowns.yaml: per bridged type, the attributes a create preview leaves unknown. */
export function loadPlannedStateUnknowns(
  file = fromRoot("preview", "data", "planned-state-unknowns.yaml"),
): Map<string, ComputedAttributes> {
  if (cached && file === fromRoot("preview", "data", "planned-state-unknowns.yaml")) return cached;
  const parsed = parseWith(FileSchema, readYaml(file), file);
  return (cached = new Map(Object.entries(parsed.types)));
}

/**
 * A new resource's outputs in a preview, as a Terraform-bridged provider
 * plans them: the inputs, with every Computed attribute and every
 * Optional+Computed attribute the program left unset unknown. Types the data
 * file does not list keep their inputs.
 */
export function plannedState(
  type: string,
  inputs: Record<string, unknown>,
  table = loadPlannedStateUnknowns(),
): Record<string, unknown> {
  const attrs = table.get(type);
  if (!attrs) return { ...inputs };
  const out: Record<string, unknown> = structuredClone(inputs);
  for (const key of attrs.computed) out[key] = UNKNOWN;
  for (const key of attrs.optionalComputed) markUnsetUnknown(out, key.split("."));
  return out;
}

/** Sets the attribute at `path` to unknown where it is unset and its parent block exists. */
function markUnsetUnknown(obj: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    if (obj[head] === undefined) obj[head] = UNKNOWN;
    return;
  }
  const child = obj[head];
  if (child !== null && typeof child === "object" && !Array.isArray(child))
    markUnsetUnknown(child as Record<string, unknown>, rest);
}

/**
 * An existing resource's outputs as stored state: the inputs, with each
 * Computed attribute set to a marker string, since offline there is no cloud
 * to have computed it. Known, as every stored value is.
 */
export function storedState(
  type: string,
  inputs: Record<string, unknown>,
  table = loadPlannedStateUnknowns(),
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...inputs };
  for (const key of table.get(type)?.computed ?? []) if (out[key] === undefined) out[key] = `stored-${key}`;
  return out;
}

/** Whether a value holds Pulumi's unknown sentinel anywhere. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}
