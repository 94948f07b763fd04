import * as path from "node:path";
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
  /** "stack" when read from a Pulumi.<stack>.yaml's `config:`. */
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
 * Parses scenario text: a scenario YAML, or a `Pulumi.<stack>.yaml` (anything
 * with a top-level `config:` block), whose `llm-breakeven:` keys are read.
 */
export function parseScenario(text: string, file: string): LoadedScenario {
  const raw = parseYaml(text, file);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new UserInputError(file, "", "must be a YAML mapping of scenario keys (model, node, workload, api, ...)");
  }
  const isStack = "config" in raw && path.basename(file).startsWith("Pulumi.");
  if (isStack) {
    const config = (raw as { config: unknown }).config;
    if (config === null || typeof config !== "object")
      throw new UserInputError(file, "config", "must be a mapping of stack config keys");
    const { data, infra } = scenarioFromStackConfig(config as Record<string, unknown>, file);
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
