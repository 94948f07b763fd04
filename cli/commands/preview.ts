import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { parseWith, UserInputError } from "../../catalog/errors";
import { readText } from "../../catalog/read";
import type { PolicyPackConfig } from "../../preview/analyzer";
import { runPreview } from "../../preview/run";
import { toJson } from "../../reports/json";
import { renderPreviewMarkdown } from "../../reports/preview-markdown";
import { renderPreviewTable } from "../../reports/preview-table";
import { LLM_COST_VERDICT, LlmCostVerdictConfigSchema } from "../../policies/llm-cost-verdict";
import { MODEL_FITS_GPU, ModelFitsGpuConfigSchema } from "../../policies/model-fits-gpu";
import { PINNED_SERVING_VERSIONS, PinnedServingVersionsConfigSchema } from "../../policies/pinned-serving-versions";
import { SPOT_GPU_SAFETY, SpotGpuSafetyConfigSchema } from "../../policies/spot-gpu-safety";
import { formatOption } from "../args";
import { defineCommand, parseCommand } from "../command";
import { FORMAT_FLAG } from "./evaluate";
import { EXIT } from "../errors";

/** `breakeven preview`: its arguments, flags and examples (help and parser read this). */
export const PREVIEW_COMMAND = defineCommand({
  name: "preview",
  summary: "an offline `pulumi preview` of a stack with the policy pack: the resources it would create and each policy's verdict; exit 1 when a mandatory policy blocks it.",
  arguments: [],
  flags: {
    stack: { type: "string", value: "name", required: true, description: "the stack whose Pulumi.<name>.yaml is read" },
    format: FORMAT_FLAG,
    "policy-pack": { type: "string", value: "dir", default: "dist/policies (the compiled pack)", description: "the policy pack folder (one with PulumiPolicy.yaml)" },
    "policy-pack-config": { type: "string", value: "file.json", default: "each policy's own enforcement level", description: "the file `pulumi preview --policy-pack-config` takes" },
  },
  examples: ["breakeven preview --stack dev", "breakeven preview --stack llama70b-h100 --format markdown --policy-pack-config policy-config.json"],
});

const LevelSchema = z.enum(["advisory", "mandatory", "disabled", "remediate"]);
/** `--policy-pack-config`: the file `pulumi preview --policy-pack-config` takes. */
const PolicyPackConfigSchema = z.record(z.string(), z.union([LevelSchema, z.object({ enforcementLevel: LevelSchema.optional() }).loose()]));

function readPolicyConfig(file: string): PolicyPackConfig {
  let data: unknown;
  try {
    data = JSON.parse(readText(file));
  } catch (err) {
    if (err instanceof UserInputError) throw err;
    throw new UserInputError(file, "", `is not valid JSON: ${(err as Error).message}`);
  }
  const config = parseWith(PolicyPackConfigSchema, data, file) as PolicyPackConfig;
  checkPolicyConfig(config, file);
  return config;
}

/** Each policy's config schema, the one its `configSchema` is generated from. */
const POLICY_CONFIG_SCHEMAS: Record<string, z.ZodType> = {
  [LLM_COST_VERDICT]: LlmCostVerdictConfigSchema,
  [MODEL_FITS_GPU]: ModelFitsGpuConfigSchema,
  [PINNED_SERVING_VERSIONS]: PinnedServingVersionsConfigSchema,
  [SPOT_GPU_SAFETY]: SpotGpuSafetyConfigSchema,
};

/**
 * Checks the config before the preview runs, as the Pulumi CLI checks it
 * against each policy's `configSchema`: a misspelt policy name would
 * otherwise be ignored, and a bad value would surface as a violation.
 */
function checkPolicyConfig(config: PolicyPackConfig, file: string): void {
  for (const [policy, given] of Object.entries(config)) {
    const schema = POLICY_CONFIG_SCHEMAS[policy];
    if (!schema) throw new UserInputError(file, policy, `unknown policy; valid: ${Object.keys(POLICY_CONFIG_SCHEMAS).join(", ")}`);
    if (typeof given === "string") continue;
    const { enforcementLevel, ...properties } = given;
    void enforcementLevel;
    parseWith(schema, properties, file, policy);
  }
}

/** `breakeven preview`: exit 0 when no mandatory policy fails, 1 when blocked, 2 on bad input. */
export async function runPreviewCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(PREVIEW_COMMAND, argv);
  if (!values.stack) throw new UserInputError("command line", "--stack", "is empty; give a stack name such as dev");
  const format = formatOption(values.format);
  const packDir = values["policy-pack"];
  if (packDir !== undefined && !fs.existsSync(path.join(packDir, "PulumiPolicy.yaml")))
    throw new UserInputError("command line", "--policy-pack", `${JSON.stringify(packDir)} has no PulumiPolicy.yaml; expected a policy pack folder such as policies (the TypeScript pack) or dist/policies (the compiled one, the default)`);
  const result = await runPreview(values.stack, {
    packDir: values["policy-pack"] ? path.resolve(values["policy-pack"]) : undefined,
    policyConfig: values["policy-pack-config"] ? readPolicyConfig(values["policy-pack-config"]) : undefined,
  });
  const out = format === "json" ? toJson(result) : format === "markdown" ? renderPreviewMarkdown(result) : renderPreviewTable(result);
  process.stdout.write(`${out}\n`);
  return result.blocked ? EXIT.blocked : EXIT.ok;
}
