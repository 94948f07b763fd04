import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { parseWith, UserInputError } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
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

const ProjectFileSchema = z.object({ name: z.string().min(1), runtime: z.unknown(), main: z.string().optional() }).loose();
const StackFileSchema = z.object({ config: z.record(z.string(), z.unknown()).default({}) }).loose();
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** Stacks with a `Pulumi.<stack>.yaml` in the project root. */
export function stackNames(root = fromRoot()): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** A `secure:` value cannot be decrypted offline; the harness passes this in its place, still as a secret. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-preview-placeholder";

/**
 * Reads `Pulumi.yaml` (the project name) and `Pulumi.<stack>.yaml` (its
 * config), the way the CLI would pass them to the program: structured
 * values as JSON text, `secure:` values as secrets (a placeholder, since
 * the passphrase is not available offline), and the `requiredSecrets` the
 * program needs filled in with the placeholder when the file has none.
 */
export function readStackConfig(stack: string, requiredSecrets: string[] = [], root = fromRoot()): StackConfigValues {
  if (!STACK_NAME.test(stack)) throw new UserInputError("command line", "--stack", `${JSON.stringify(stack)} is not a stack name (letters, digits, _ . -)`);
  const projectFile = path.join(root, "Pulumi.yaml");
  const project = parseWith(ProjectFileSchema, readYaml(projectFile), projectFile).name;
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  let raw: unknown;
  try {
    raw = readYaml(file);
  } catch (err) {
    if (err instanceof UserInputError && err.message.endsWith("file not found")) {
      throw new UserInputError("command line", "--stack", `no stack ${JSON.stringify(stack)}: ${path.basename(file)} not found; valid: ${stackNames(root).join(", ")}`);
    }
    throw err;
  }
  const stackFile = parseWith(StackFileSchema, raw ?? {}, file);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(stackFile.config)) {
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    if (value !== null && typeof value === "object" && "secure" in value) {
      config[fullKey] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(fullKey);
    } else {
      config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  for (const key of requiredSecrets) {
    if (config[key] === undefined) {
      config[key] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(key);
    }
  }
  return { project, stack, file, config, secretKeys };
}
