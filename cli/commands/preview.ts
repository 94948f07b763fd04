import * as fs from "node:fs";
import * as path from "node:path";
import { UserInputError } from "../../catalog/errors";
import { PREVIEW_CASES, type PreviewCase } from "../../preview/planned-state";
import { loadPolicyPackConfig } from "../../preview/policy-config";
import { runPreview } from "../../preview/run";
import { POLICY_NAMES } from "../../policies/registry";
import { toJson } from "../../reports/json";
import { renderPreviewMarkdown } from "../../reports/preview-markdown";
import { renderPreviewTable } from "../../reports/preview-table";
import { formatOption } from "../args";
import { defineCommand, parseCommand } from "../command";
import { FORMAT_FLAG } from "./evaluate";
import { EXIT } from "../errors";

/** `breakeven preview`: its arguments, flags and examples (help and parser read this). */
export const PREVIEW_COMMAND = defineCommand({
  name: "preview",
  summary: `an offline \`pulumi preview\` of a stack driven through the policy pack as the engine drives it (${POLICY_NAMES.join(", ")}): the resources it would create and each policy's verdict; exit 1 when a mandatory policy blocks it.`,
  arguments: [],
  flags: {
    stack: { type: "string", value: "name", required: true, description: "the stack whose Pulumi.<name>.yaml is read" },
    cwd: {
      type: "string",
      value: "dir",
      default: "llm-breakeven's own project",
      description: "the Pulumi Node.js project (a folder with Pulumi.yaml) whose program runs under mocks",
    },
    case: {
      type: "string",
      value: PREVIEW_CASES.join("|"),
      default: "new-stack",
      description:
        "new-stack: the first preview (outputs planned, Kubernetes resources of a new cluster empty); update: every resource exists unchanged (outputs = stored state)",
    },
    format: FORMAT_FLAG,
    "policy-pack": {
      type: "string",
      value: "dir",
      default: "dist/policies (the compiled pack)",
      description: "the policy pack folder (one with PulumiPolicy.yaml), e.g. dist/policy-pack",
    },
    "policy-pack-config": {
      type: "string",
      value: "file.json",
      default: "each policy's own enforcement level",
      description: "the file `pulumi preview --policy-pack-config` takes, checked as the CLI checks it",
    },
  },
  examples: [
    "breakeven preview --stack dev",
    "breakeven preview --stack dev --case update --format json",
    "breakeven preview --cwd examples/foreign-stack --stack api-wins",
    "breakeven preview --stack llama70b-h100 --format markdown --policy-pack-config policy-config.json",
  ],
});

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
