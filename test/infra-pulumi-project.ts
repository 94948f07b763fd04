import Ajv2020 from "ajv/dist/2020";
import projectSchema from "./fixtures/pulumi/project.json";

/**
 * What the Pulumi CLI checks in `Pulumi.yaml` and does with its `config:`
 * block, ported from pulumi/pulumi at 1b594989 (see
 * test/fixtures/pulumi/README.md): the JSON schema it embeds, the rules of
 * `Project.Validate` the schema cannot express, and the required-key check
 * and default merge of `mergeConfig`. Names follow the Go code.
 */

/** One `config:` declaration (`ProjectConfigType` in project.go). */
export interface ProjectConfigType {
  type?: string;
  description?: string;
  items?: { type: string; items?: unknown };
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}

/** The parts of a parsed `Pulumi.yaml` these rules read. */
export interface PulumiProject {
  name: string;
  config?: Record<string, ProjectConfigType>;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
const validateSchema = ajv.compile(projectSchema);

/** Errors of Pulumi's JSON schema for the project file, as `path: message` lines; empty when valid. */
export function schemaErrors(project: unknown): string[] {
  if (validateSchema(project)) return [];
  return (validateSchema.errors ?? []).map((e) => `#${e.instancePath}: ${e.message ?? e.keyword}`);
}

/** `configKeyIsNamespacedByProject`: a bare key, or one in the project's namespace. */
export function isProjectKey(projectName: string, key: string): boolean {
  return !key.includes(":") || key.startsWith(`${projectName}:`);
}

/** `ValidateConfigValue`: does a value (as the CLI decodes it) match a declared type? */
export function validateConfigValue(type: string, items: ProjectConfigType["items"], value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (
        (typeof value === "number" && Number.isInteger(value)) ||
        (typeof value === "string" && /^[+-]?\d+$/.test(value))
      );
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return (
        Array.isArray(value) &&
        items !== undefined &&
        value.every((v) => validateConfigValue(items.type, items.items as ProjectConfigType["items"], v))
      );
  }
}

/** `Project.Validate`: the config rules beyond the JSON schema; empty when valid. */
export function projectErrors(project: PulumiProject): string[] {
  const errors: string[] = [];
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    if (decl.default !== undefined && decl.value !== undefined)
      errors.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    if (isProjectKey(project.name, key)) {
      if (decl.type === "array" && decl.items === undefined)
        errors.push(
          `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`,
        );
      if (
        decl.type !== undefined &&
        decl.default !== undefined &&
        !validateConfigValue(decl.type, decl.items, decl.default)
      ) {
        errors.push(
          `The default value specified for configuration key '${key}' is not of the expected type '${decl.type}'`,
        );
      }
    } else {
      if (decl.type !== undefined)
        errors.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
      if (decl.default !== undefined)
        errors.push(
          `Configuration key '${key}' is not namespaced by the project and should not define a default value`,
        );
      if (decl.value === undefined)
        errors.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
    }
  }
  return errors;
}

/** Fully qualified key, as `parseConfigKey` makes it. */
function qualified(projectName: string, key: string): string {
  return key.includes(":") ? key : `${projectName}:${key}`;
}

/**
 * `mergeConfig`: the stack's config with the project's defaults and values
 * written in where the stack has none, plus the declared keys of the
 * project's namespace the stack lacks and nothing supplies (the CLI refuses
 * to run with any).
 */
export function mergeProjectConfig(
  project: PulumiProject,
  stack: Record<string, unknown>,
): { config: Record<string, unknown>; missing: string[] } {
  const config = { ...stack };
  const missing: string[] = [];
  for (const [key, decl] of Object.entries(project.config ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const full = qualified(project.name, key);
    if (full in config) continue;
    const supplied = decl.default ?? decl.value;
    if (supplied !== undefined) config[full] = supplied;
    else if (full.startsWith(`${project.name}:`)) missing.push(key);
  }
  return { config, missing };
}

/** `validateStackConfigValue`: a typed key's stack value must match its type, a secret key must be encrypted. */
export function stackValueErrors(
  project: PulumiProject,
  stack: Record<string, unknown>,
  encryptedKeys: string[],
): string[] {
  const errors: string[] = [];
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const full = qualified(project.name, key);
    if (decl.type === undefined || !(full in stack)) continue;
    if (decl.secret && !encryptedKeys.includes(full))
      errors.push(`configuration key '${key}' must be encrypted as it's secret`);
    if (!validateConfigValue(decl.type, decl.items, stack[full]))
      errors.push(`configuration key '${key}' must be of type '${decl.type}'`);
  }
  return errors;
}
