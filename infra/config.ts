import * as pulumi from "@pulumi/pulumi";
import { parseWith } from "../catalog/errors";
import { CONFIG_NAMESPACE, scenarioFromStackConfig } from "../catalog/scenario-file";
import { SCENARIO_KEYS, ScenarioSchema, type Scenario } from "../engine/scenario";
import { z } from "zod";
import { UserInputError } from "../catalog/errors";
import { loadZoneCatalog } from "../catalog/zones";
import {
  ClusterConfigSchema,
  DeploymentConfigSchema,
  type ClusterConfig,
  type DeploymentConfig,
} from "./config-schema";
import { checkRangesDisjoint, stackNames, type StackNames } from "./network-plan";
import { resolvePlacement } from "./placement";

/** How errors name where a bad value came from: the stack config, key by key. */
export const STACK_CONFIG_FILE = "stack config";
/** Prefix of field paths in messages, so an error names the full key (`llm-breakeven:node.machineType`). */
export const FIELD_PREFIX = `${CONFIG_NAMESPACE}:`;

/** Secret config keys the program requires (`pulumi config set --secret ...`). */
export const SECRET_CONFIG_KEYS = {
  /** Hugging Face token for the model download (gated models need one). */
  huggingFaceToken: "huggingFaceToken",
  /** API key clients must send to vLLM (`Authorization: Bearer ...`). */
  vllmApiKey: "vllmApiKey",
} as const;

const InfraConfigSchema = z.object({ cluster: ClusterConfigSchema, deployment: DeploymentConfigSchema });

/** Every config value the program reads, validated. */
export interface StackConfig {
  /** The engine's scenario (`llm-breakeven:model`, `:node`, `:workload`, ...). */
  scenario: Scenario;
  cluster: ClusterConfig;
  deployment: DeploymentConfig;
  /** `gcp:project`. */
  project: string;
  /** The region `gcp:region`, `node.region` and `cluster.region` agree on. */
  region: string;
  /** Zones of the GPU pool, each offering the machine type. */
  zones: string[];
  /** The stack's GCP resource names, prefixed by the stack. */
  names: StackNames;
  huggingFaceToken: pulumi.Output<string>;
  vllmApiKey: pulumi.Output<string>;
}

/**
 * Reads and validates all stack config. The scenario keys are gathered into
 * one object and validated by the engine's schema, so a bad value fails
 * with the key, the value and what is valid, exactly as the CLI reports it.
 */
export function readStackConfig(): StackConfig {
  // A misspelt `llm-breakeven:` key is an error, not a silently ignored setting.
  scenarioFromStackConfig(pulumi.runtime.allConfig(), STACK_CONFIG_FILE);
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const raw: Record<string, unknown> = {};
  for (const key of SCENARIO_KEYS) {
    const value = readValue(config, key);
    if (value !== undefined) raw[key] = value;
  }
  const scenario = parseWith(ScenarioSchema, raw, STACK_CONFIG_FILE, FIELD_PREFIX);
  // Wrapped in their key so messages read `llm-breakeven:cluster.maintenanceExclusion`.
  const { cluster, deployment } = parseWith(
    InfraConfigSchema,
    { cluster: readValue(config, "cluster") ?? {}, deployment: readValue(config, "deployment") ?? {} },
    STACK_CONFIG_FILE,
    FIELD_PREFIX,
  );
  checkRangesDisjoint(cluster, STACK_CONFIG_FILE, FIELD_PREFIX);
  const gcp = new pulumi.Config("gcp");
  const placement = resolvePlacement(
    {
      machineType: scenario.node.machineType,
      nodeRegion: scenario.node.region,
      gcpRegion: gcp.get("region"),
      clusterRegion: cluster.region,
      zones: cluster.zones,
    },
    loadZoneCatalog(),
    STACK_CONFIG_FILE,
    FIELD_PREFIX,
  );
  return {
    scenario,
    cluster,
    deployment,
    project: requireValue(
      gcp.get("project"),
      "gcp:project",
      "the GCP project to deploy into: `pulumi config set gcp:project YOUR_PROJECT`",
    ),
    region: placement.region,
    zones: placement.zones,
    names: stackNames(pulumi.getStack(), cluster),
    huggingFaceToken: requireSecret(config, SECRET_CONFIG_KEYS.huggingFaceToken),
    vllmApiKey: requireSecret(config, SECRET_CONFIG_KEYS.vllmApiKey),
  };
}

/** A required plain value, or a one-line UserInputError naming the key and how to set it. */
function requireValue(value: string | undefined, key: string, what: string): string {
  if (value === undefined || value === "") throw new UserInputError(STACK_CONFIG_FILE, key, `is required: ${what}`);
  return value;
}

/** A required secret, or a one-line UserInputError saying how to set it as a secret. */
function requireSecret(config: pulumi.Config, key: string): pulumi.Output<string> {
  const value = config.getSecret(key);
  if (value === undefined) {
    throw new UserInputError(
      STACK_CONFIG_FILE,
      `${FIELD_PREFIX}${key}`,
      `is required: \`pulumi config set --secret ${FIELD_PREFIX}${key} ...\``,
    );
  }
  return value;
}

/**
 * A structured value as an object; a plain string (`llm-breakeven:model: kimi-k2.5`)
 * as itself; an empty string as unset, since that is how Pulumi.yaml declares
 * an optional string (`default: ""`) without making it required.
 */
function readValue(config: pulumi.Config, key: string): unknown {
  const text = config.get(key);
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
