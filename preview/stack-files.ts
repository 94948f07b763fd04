import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { parseWith, UserInputError } from "../catalog/errors";
import { readYaml } from "../catalog/read";

/** A stack's config as the Pulumi CLI hands it to a program: `ns:key` to a string (objects as JSON). */
export interface StackConfigValues {
  project: string;
  stack: string;
  file: string;
  config: Record<string, string>;
  /** Keys whose value is a secret (written `secure:` in the stack file, or filled in by the harness). */
  secretKeys: string[];
}

const ConfigDeclSchema = z
  .object({
    type: z.string().optional(),
    default: z.unknown().optional(),
    value: z.unknown().optional(),
    secret: z.boolean().optional(),
    description: z.string().optional(),
    items: z.unknown().optional(),
  })
  .loose();
const ProjectFileSchema = z
  .object({
    name: z.string().min(1),
    runtime: z.union([
      z.string(),
      z.object({ name: z.string(), options: z.record(z.string(), z.unknown()).optional() }).loose(),
    ]),
    main: z.string().optional(),
    config: z.record(z.string(), z.union([ConfigDeclSchema, z.string(), z.number(), z.boolean()])).default({}),
  })
  .loose();
/** The parts of `Pulumi.yaml` the harness reads. */
export type PulumiProjectFile = z.infer<typeof ProjectFileSchema>;
const StackFileSchema = z.object({ config: z.record(z.string(), z.unknown()).nullish() }).loose();
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** Stacks with a `Pulumi.<stack>.yaml` in a project folder. */
export function stackNames(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** A `secure:` value cannot be decrypted offline; the harness passes this in its place, still as a secret. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-preview-placeholder";

/** Reads and checks `Pulumi.yaml` in `root`. */
export function readProjectFile(root: string): PulumiProjectFile & { file: string } {
  const file = path.join(root, "Pulumi.yaml");
  if (!fs.existsSync(file))
    throw new UserInputError(
      "command line",
      "--cwd",
      `${JSON.stringify(root)} has no Pulumi.yaml; expected a Pulumi project folder`,
    );
  return { ...parseWith(ProjectFileSchema, readYaml(file), file), file };
}

/** A value as the CLI stores it for the program: strings as they are, numbers and booleans as text, objects as JSON. */
function asConfigString(value: unknown): string {
  return typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : JSON.stringify(value);
}

/** `ValidateConfigValue` (sdk/go/common/workspace/project.go) for the types a project may declare. */
function matchesType(type: string, value: unknown): boolean {
  if (type === "string") return typeof value === "string";
  if (type === "integer")
    return (
      (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value))
    );
  if (type === "boolean") return typeof value === "boolean" || value === "true" || value === "false";
  if (type === "object") return value !== null && typeof value === "object" && !Array.isArray(value);
  return type !== "array" || Array.isArray(value);
}

/**
 * Checks each key `Pulumi.yaml` declares in the project's namespace against
 * the stack, as `pulumi preview` does before the program runs
 * (pkg/workspace/config.go mergeConfig and validateStackConfigValue,
 * pulumi/pulumi@1b594989): a `secret: true` key set in plain text is refused
 * ("must be encrypted as it's secret"), a typed value must match its type, a
 * `default` is written in where the stack has none, and a key with neither
 * is required. One deviation: a secret key the stack lacks gets the offline
 * placeholder, since no passphrase exists here to set it with.
 */
function applyProjectConfig(
  project: PulumiProjectFile,
  stack: string,
  file: string,
  config: Record<string, string>,
  raw: Record<string, unknown>,
  secretKeys: string[],
): void {
  const missing: string[] = [];
  for (const [key, declared] of Object.entries(project.config)) {
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    if (!full.startsWith(`${project.name}:`) || typeof declared !== "object") continue;
    const rawKey = Object.keys(raw).find((k) => k === full || `${project.name}:${k}` === full);
    if (rawKey !== undefined) {
      const value = raw[rawKey];
      const secure = secretKeys.includes(full);
      if (declared.secret && !secure) {
        throw new UserInputError(
          file,
          `config.${rawKey}`,
          `Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret (Pulumi.yaml declares it secret: true); set it with \`pulumi config set --secret ${key}\``,
        );
      }
      if (declared.type !== undefined && !secure && !matchesType(declared.type, value)) {
        throw new UserInputError(
          file,
          `config.${rawKey}`,
          `Stack '${stack}' with configuration key '${key}' must be of type '${declared.type}'`,
        );
      }
      continue;
    }
    const supplied = declared.default ?? declared.value;
    if (supplied !== undefined) config[full] = asConfigString(supplied);
    else if (declared.secret) {
      config[full] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(full);
    } else missing.push(key);
  }
  if (missing.length) {
    throw new UserInputError(
      file,
      "config",
      `Stack '${stack}' is missing configuration ${missing.length > 1 ? "values" : "value"} ${missing
        .sort()
        .map((k) => `'${k}'`)
        .join(", ")} (Pulumi.yaml declares them without a default)`,
    );
  }
}

/**
 * Reads a project's `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the CLI
 * passes them to the program: structured values as JSON text, `secure:`
 * values as secrets (a placeholder, since the passphrase is not available
 * offline), the project's declared defaults written in and its rules checked.
 */
export function readStackConfig(stack: string, root: string): StackConfigValues {
  if (!STACK_NAME.test(stack))
    throw new UserInputError(
      "command line",
      "--stack",
      `${JSON.stringify(stack)} is not a stack name (letters, digits, _ . -)`,
    );
  const project = readProjectFile(root);
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new UserInputError(
      "command line",
      "--stack",
      `no stack ${JSON.stringify(stack)}: ${path.basename(file)} not found in ${root}; valid: ${stackNames(root).join(", ") || "(none)"}`,
    );
  }
  const raw = parseWith(StackFileSchema, readYaml(file) ?? {}, file).config ?? {};
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    if (value !== null && typeof value === "object" && "secure" in value) {
      config[fullKey] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(fullKey);
    } else {
      config[fullKey] = asConfigString(value);
    }
  }
  applyProjectConfig(project, stack, file, config, raw, secretKeys);
  return { project: project.name, stack, file, config, secretKeys };
}
