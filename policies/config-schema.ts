import type { PolicyConfigSchema } from "@pulumi/policy";
import { z } from "zod";
import type { Findings } from "./findings";

function withoutDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDefaults);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node))
    if (key !== "default" && key !== "$schema") out[key] = withoutDefaults(value);
  return out;
}

/**
 * A policy's `configSchema` (JSON schema draft 7, as the Pulumi CLI validates
 * policy config) from the zod schema the policy parses its config with, so
 * the type and the schema are written once. Defaults are left out of the JSON
 * schema on purpose: the CLI would write them into the config, and a scenario
 * default there would shadow the value the stack's own scenario carries; zod
 * applies them when the policy parses its config.
 */
export function policyConfigSchema(schema: z.ZodObject): PolicyConfigSchema {
  const json = withoutDefaults(z.toJSONSchema(schema, { target: "draft-7", io: "input" })) as {
    properties?: PolicyConfigSchema["properties"];
    required?: string[];
  };
  return { properties: json.properties ?? {}, ...(json.required?.length ? { required: json.required } : {}) };
}

/**
 * Parses a policy's config with its zod schema. A bad value comes back as
 * the policy's findings: one violation naming the key, so the preview
 * blocks with a sentence rather than a stack trace.
 */
export function parsePolicyConfig<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  policyName: string,
): { config: z.infer<S> } | { invalid: Findings } {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return { config: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "(config)";
  return {
    invalid: {
      violations: [
        { message: `The ${policyName} policy config is not valid: ${where}: ${issue?.message ?? "invalid"}.` },
      ],
    },
  };
}
