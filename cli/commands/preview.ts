import * as path from "node:path";
import { z } from "zod";
import { parseWith, UserInputError } from "../../catalog/errors";
import { readText } from "../../catalog/read";
import type { PolicyPackConfig } from "../../preview/analyzer";
import { runPreview } from "../../preview/run";
import { toJson } from "../../reports/json";
import { renderPreviewMarkdown } from "../../reports/preview-markdown";
import { renderPreviewTable } from "../../reports/preview-table";
import { formatOption, parseCommandLine } from "../args";
import { EXIT } from "../errors";

/** Usage of `breakeven preview`. */
export const PREVIEW_USAGE =
  "breakeven preview --stack <name> [--format table|json|markdown] [--policy-pack <dir>] [--policy-pack-config <file.json>]";

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
  return parseWith(PolicyPackConfigSchema, data, file) as PolicyPackConfig;
}

/** `breakeven preview`: exit 0 when no mandatory policy fails, 1 when blocked, 2 on bad input. */
export async function runPreviewCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    { stack: { type: "string" }, format: { type: "string" }, "policy-pack": { type: "string" }, "policy-pack-config": { type: "string" } },
    false,
  );
  void positionals;
  if (!values.stack) throw new UserInputError("command line", "--stack", `is required; usage: ${PREVIEW_USAGE}`);
  const format = formatOption(values.format);
  const result = await runPreview(values.stack, {
    packDir: values["policy-pack"] ? path.resolve(values["policy-pack"]) : undefined,
    policyConfig: values["policy-pack-config"] ? readPolicyConfig(values["policy-pack-config"]) : undefined,
  });
  const out = format === "json" ? toJson(result) : format === "markdown" ? renderPreviewMarkdown(result) : renderPreviewTable(result);
  process.stdout.write(`${out}\n`);
  return result.blocked ? EXIT.blocked : EXIT.ok;
}
