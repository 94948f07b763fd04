import * as fs from "node:fs";
import * as path from "node:path";
import { UserInputError } from "../../catalog/errors";
import { PREVIEW_CASES, type PreviewCase } from "../../preview/planned-state";
import { loadPolicyPackConfig } from "../../preview/policy-config";
import { runPreview } from "../../preview/run";
import { toJson } from "../../reports/json";
import { renderPreviewMarkdown } from "../../reports/preview-markdown";
import { renderPreviewTable } from "../../reports/preview-table";
import { formatOption } from "../args";
import { parseCommand } from "../command";
import { PREVIEW_COMMAND } from "./preview-spec";
import { EXIT } from "../errors";

function previewCaseOption(value: string | undefined): PreviewCase {
  if (value === undefined) return "new-stack";
  if ((PREVIEW_CASES as readonly string[]).includes(value)) return value as PreviewCase;
  throw new UserInputError(
    "command line",
    "--case",
    `${JSON.stringify(value)} is not valid; expected one of ${PREVIEW_CASES.join(", ")}`,
  );
}

/** `breakeven preview`: exit 0 when no mandatory policy fails, 1 when blocked (as `pulumi preview` with a failing policy), 2 on bad input. */
export async function runPreviewCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(PREVIEW_COMMAND, argv);
  if (!values.stack) throw new UserInputError("command line", "--stack", "is empty; give a stack name such as dev");
  const format = formatOption(values.format);
  const previewCase = previewCaseOption(values.case);
  const packDir = values["policy-pack"];
  if (packDir !== undefined && !fs.existsSync(path.join(packDir, "PulumiPolicy.yaml")))
    throw new UserInputError(
      "command line",
      "--policy-pack",
      `${JSON.stringify(packDir)} has no PulumiPolicy.yaml; expected a policy pack folder such as policies (the TypeScript pack), dist/policies (the compiled one, the default) or dist/policy-pack (the publishable one)`,
    );
  if (values.cwd !== undefined && !fs.existsSync(path.join(values.cwd, "Pulumi.yaml")))
    throw new UserInputError(
      "command line",
      "--cwd",
      `${JSON.stringify(values.cwd)} has no Pulumi.yaml; expected a Pulumi project folder`,
    );
  const result = await runPreview(values.stack, {
    cwd: values.cwd,
    previewCase,
    packDir: packDir ? path.resolve(packDir) : undefined,
    policyConfig: values["policy-pack-config"] ? loadPolicyPackConfig(values["policy-pack-config"]) : undefined,
  });
  const out =
    format === "json"
      ? toJson(result)
      : format === "markdown"
        ? renderPreviewMarkdown(result)
        : renderPreviewTable(result);
  process.stdout.write(`${out}\n`);
  return result.blocked ? EXIT.blocked : EXIT.ok;
}
