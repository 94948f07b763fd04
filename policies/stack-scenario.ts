import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "../catalog/scenario-file";
import { ScenarioConfigSchema } from "./scenario-config";

/** A scenario as plain JSON, before the engine's schema reads it. */
export type ScenarioJson = Record<string, unknown>;

/** The scenario keys a pool's verdict takes from the stack (node and replicas come from the pool itself, with the stack's as fallback). */
export const STACK_SCENARIO_KEYS = [...Object.keys(ScenarioConfigSchema.shape), "node", "replicas"] as const;

/**
 * A config value as the program reads it: structured values arrive as JSON
 * text, a plain string as itself, and "" as unset (Pulumi.yaml declares an
 * optional string with `default: ""`, and the CLI writes that default into
 * every stack that does not set the key: pkg/workspace/config.go mergeConfig,
 * pulumi/pulumi@1b594989).
 */
function configValue(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The scenario keys of a stack's config, given a reader of
 * `llm-breakeven:<key>`. Pure, so tests need no environment.
 */
export function scenarioFromConfig(get: (key: string) => string | undefined): ScenarioJson {
  const out: ScenarioJson = {};
  for (const key of STACK_SCENARIO_KEYS) {
    const value = configValue(get(key));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The stack's scenario as the pack sees it: `new pulumi.Config("llm-breakeven")`
 * reads the `PULUMI_CONFIG` environment variable, which the Pulumi CLI sets
 * for the policy pack process to the stack's decrypted config, a JSON map of
 * "namespace:key" to string with structured values JSON-encoded
 * (pkg/resource/plugin/analyzer_plugin.go constructEnv and constructConfig,
 * pkg/engine/update.go `target.Config.Decrypt`, pulumi/pulumi@1b594989).
 * Read at each call, so a test can change the environment.
 */
export function readStackScenario(): ScenarioJson {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  return scenarioFromConfig((key) => config.get(key));
}
