import Ajv from "ajv";
import { UserInputError } from "../catalog/errors";
import { readText } from "../catalog/read";
import type { EnforcementLevel } from "../reports/preview-result";

// How the Pulumi CLI reads, merges and checks `--policy-pack-config`, ported from
// pkg/resource/analyzer/config.go (pulumi/pulumi@1b5949891b3cefcb9974752b24a5ecef0acc86c8):
// parsePolicyPackConfig, extractEnforcementLevel, ReconcilePolicyPackConfig, applyConfig,
// validatePolicyPackConfig, convertSchema. Names follow the Go code.

/** apitype.EnforcementLevel.IsValid. */
const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

/** One policy's config as the CLI holds it (plugin.AnalyzerPolicyConfig). */
export interface AnalyzerPolicyConfig {
  enforcementLevel: EnforcementLevel | undefined;
  properties: Record<string, unknown> | undefined;
}

/** A policy as GetAnalyzerInfo describes it: its default level and its configSchema. */
export interface PolicyConfigInfo {
  name: string;
  enforcementLevel: EnforcementLevel;
  configSchema?: { properties: Record<string, unknown>; required: string[] } | undefined;
}

function isLevel(x: unknown): x is EnforcementLevel {
  return typeof x === "string" && (LEVELS as readonly string[]).includes(x);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/** `parsePolicyPackConfig`: the file's policies (`environments` stripped); a refused file throws the CLI's message. */
export function parsePolicyPackConfig(text: string, file: string): Map<string, AnalyzerPolicyConfig> {
  const result = new Map<string, AnalyzerPolicyConfig>();
  if (text.trim() === "") return result;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new UserInputError(file, "", `is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(config))
    throw new UserInputError(file, "", 'must be a JSON object of policy names (or "all") to a level or an object');
  const { environments, ...policies } = config;
  if (environments !== undefined && (!Array.isArray(environments) || environments.some((e) => typeof e !== "string"))) {
    throw new UserInputError(file, "environments", "must be an array of strings");
  }
  for (const [name, value] of Object.entries(policies)) {
    let level: EnforcementLevel | undefined;
    let properties: Record<string, unknown> | undefined;
    if (typeof value === "string") {
      if (!isLevel(value))
        throw new UserInputError(
          file,
          name,
          `parsing enforcement level: ${JSON.stringify(value)} is not a valid enforcement level; valid: ${LEVELS.join(", ")}`,
        );
      level = value;
    } else if (isObject(value)) {
      const { enforcementLevel, ...rest } = value;
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        throw new UserInputError(
          file,
          `${name}.enforcementLevel`,
          `${JSON.stringify(enforcementLevel)} is not a valid enforcement level; valid: ${LEVELS.join(", ")}`,
        );
      }
      level = enforcementLevel;
      if (Object.keys(rest).length > 0) properties = rest;
    } else {
      throw new UserInputError(file, name, `${JSON.stringify(value)} is not a valid value; must be a string or object`);
    }
    if (level === undefined && properties === undefined) continue;
    result.set(name, { enforcementLevel: level, properties });
  }
  return result;
}

/** Reads a `--policy-pack-config` file. */
export function loadPolicyPackConfig(file: string): Map<string, AnalyzerPolicyConfig> {
  return parsePolicyPackConfig(readText(file), file);
}

/**
 * `ReconcilePolicyPackConfig` with no initial config: every policy at its
 * default level with its schema's defaults, then the file applied (`all`
 * sets every policy's level first; a policy's own entry wins; an entry that
 * names no policy is kept, and so sent to the pack, which ignores it).
 */
export function reconcilePolicyPackConfig(
  policies: readonly PolicyConfigInfo[],
  given: Map<string, AnalyzerPolicyConfig>,
): Map<string, AnalyzerPolicyConfig> {
  const result = new Map<string, AnalyzerPolicyConfig>();
  for (const p of policies) {
    const defaults = Object.entries(p.configSchema?.properties ?? {}).filter(([, s]) => isObject(s) && "default" in s);
    result.set(p.name, {
      enforcementLevel: p.enforcementLevel,
      properties: defaults.length
        ? Object.fromEntries(defaults.map(([k, s]) => [k, (s as { default: unknown }).default]))
        : undefined,
    });
  }
  const all = given.get("all");
  if (all?.enforcementLevel)
    for (const [k, v] of result) result.set(k, { ...v, enforcementLevel: all.enforcementLevel });
  for (const [name, config] of given) {
    const current = result.get(name);
    const properties = config.properties
      ? { ...(current?.properties ?? {}), ...config.properties }
      : current?.properties;
    result.set(name, { enforcementLevel: config.enforcementLevel ?? current?.enforcementLevel, properties });
  }
  return result;
}

const ajv = new Ajv({ allErrors: true, strict: false });

/**
 * `validatePolicyPackConfig`: each policy's properties against
 * `{type: object, properties, required}` built from its configSchema
 * (`convertSchema`), as gojsonschema (draft 7) checks them; ajv speaks the
 * same draft. Returns the CLI's lines, "<policy>: <field>: <message>".
 */
export function validatePolicyPackConfig(
  policies: readonly PolicyConfigInfo[],
  config: Map<string, AnalyzerPolicyConfig>,
): string[] {
  const errors: string[] = [];
  for (const p of policies) {
    if (!p.configSchema) continue;
    const schema: Record<string, unknown> = { type: "object" };
    if (Object.keys(p.configSchema.properties).length) schema.properties = p.configSchema.properties;
    if (p.configSchema.required.length) schema.required = p.configSchema.required;
    const validate = ajv.compile(schema);
    if (validate(config.get(p.name)?.properties ?? {})) continue;
    for (const e of validate.errors ?? []) {
      const field = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : "(root)";
      errors.push(
        `${p.name}: ${field}: ${e.message ?? e.keyword}${e.params && "allowedValues" in e.params ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : ""}`,
      );
    }
  }
  return errors.sort();
}
