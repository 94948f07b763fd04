import { ScenarioSchema, SCENARIO_KEYS, type Scenario } from "../engine/scenario";
import { parseWith, showValue, UserInputError } from "./errors";
import type { UsageProfile } from "../engine/fleet-evaluate";
import { INPUT_LIMITS, parseYaml, readText } from "./read";
import { fillWorkloadFromUsage } from "./usage/from-usage";

/** The stack config namespace of this project. */
export const CONFIG_NAMESPACE = "llm-breakeven";

/** `llm-breakeven:` keys that belong to the Pulumi program, not the engine (the last two are secrets). */
export const INFRA_CONFIG_KEYS = ["cluster", "deployment", "huggingFaceToken", "vllmApiKey"] as const;

/** A scenario and where it came from. */
export interface LoadedScenario {
  scenario: Scenario;
  file: string;
  /** "stack" when read from a Pulumi stack file's `config:` (told by content, not by name). */
  kind: "scenario" | "stack";
  /** `llm-breakeven:` in stack files, so messages name the config key. */
  fieldPrefix: string;
  /** The raw infra keys of a stack file (cluster, deployment), for the Pulumi program. */
  infraConfig: Record<string, unknown>;
  /** The hourly profile, when the workload came from usage exports (workload.fromUsage). */
  usage?: UsageProfile | undefined;
}

/**
 * Picks the scenario out of a Pulumi stack file's `config:` block: every
 * `llm-breakeven:<key>` value, namespace stripped. Other namespaces
 * (`gcp:project`) belong to providers and are left alone; an unknown
 * `llm-breakeven:` key is a typo and an error.
 */
export function scenarioFromStackConfig(
  config: Record<string, unknown>,
  file: string,
): { data: Record<string, unknown>; infra: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  const infra: Record<string, unknown> = {};
  const valid = [...SCENARIO_KEYS, ...INFRA_CONFIG_KEYS] as string[];
  for (const [fullKey, value] of Object.entries(config)) {
    const [ns, key, ...rest] = fullKey.split(":");
    if (ns !== CONFIG_NAMESPACE || key === undefined || rest.length) continue;
    // "" is unset: Pulumi.yaml declares an optional string with `default: ""`, which the CLI writes into
    // every stack that lacks the key (pkg/workspace/config.go mergeConfig, pulumi/pulumi@1b594989).
    if (value === "") continue;
    if ((INFRA_CONFIG_KEYS as readonly string[]).includes(key)) infra[key] = value;
    else if ((SCENARIO_KEYS as string[]).includes(key)) data[key] = value;
    else
      throw new UserInputError(
        file,
        `config.${fullKey}`,
        `unknown key ${showValue(key)}; valid ${CONFIG_NAMESPACE}: keys are ${valid.join(", ")}`,
      );
  }
  return { data, infra };
}

/**
 * True when `key` has the form Pulumi accepts in a stack file's `config:`:
 * `<namespace>:<name>`, or the older `<namespace>:config:<name>`
 * (pulumi/pulumi sdk/go/common/resource/config/key.go ParseKey, at 1b594989;
 * a stack file's keys are unmarshalled through it).
 */
export function isStackConfigKey(key: string): boolean {
  const parts = key.split(":");
  return parts.every((p) => p !== "") && (parts.length === 2 || (parts.length === 3 && parts[1] === "config"));
}

/**
 * The stack config of a parsed file, or undefined when the file is a
 * scenario: told by content, not by name (a renamed `Pulumi.dev.yaml` is
 * still a stack file). A scenario has no `config` key, so a top-level
 * `config:` must be a mapping of `<namespace>:<name>` keys, as Pulumi reads it.
 */
export function stackConfigOf(raw: object, file: string): Record<string, unknown> | undefined {
  if (!("config" in raw)) return undefined;
  const config = (raw as { config: unknown }).config;
  if (config === null || typeof config !== "object" || Array.isArray(config))
    throw new UserInputError(file, "config", "must be a mapping of stack config keys (<namespace>:<name>: value)");
  for (const key of Object.keys(config)) {
    if (!isStackConfigKey(key))
      throw new UserInputError(
        file,
        `config.${key}`,
        `stack config keys have the form <namespace>:<name> (for example ${CONFIG_NAMESPACE}:${key}); a scenario file has no config: block`,
      );
  }
  return config as Record<string, unknown>;
}

/**
 * Parses scenario text: a scenario YAML, or a Pulumi stack file (anything
 * with a top-level `config:` mapping of `<namespace>:<name>` keys, whatever
 * the file is called), whose `llm-breakeven:` keys are read.
 */
export function parseScenario(text: string, file: string): LoadedScenario {
  const raw = parseYaml(text, file);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new UserInputError(file, "", "must be a YAML mapping of scenario keys (model, node, workload, api, ...)");
  }
  const config = stackConfigOf(raw, file);
  if (config) {
    const { data, infra } = scenarioFromStackConfig(config, file);
    const prefix = `config.${CONFIG_NAMESPACE}:`;
    const usage = fillWorkloadFromUsage(data, file, prefix);
    return {
      scenario: parseWith(ScenarioSchema, data, file, prefix),
      file,
      kind: "stack",
      fieldPrefix: prefix,
      infraConfig: infra,
      usage,
    };
  }
  const usage = fillWorkloadFromUsage(raw as Record<string, unknown>, file, "");
  return {
    scenario: parseWith(ScenarioSchema, raw, file),
    file,
    kind: "scenario",
    fieldPrefix: "",
    infraConfig: {},
    usage,
  };
}

/** Reads a scenario or stack file. */
export function loadScenarioFile(file: string): LoadedScenario {
  return parseScenario(readText(file, INPUT_LIMITS.maxYamlBytes), file);
}
