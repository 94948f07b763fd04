import { POLICY_NAMES } from "../../policies/names";
import { PREVIEW_CASES } from "../../preview/planned-state";
import { defineCommand } from "../command";
import { FORMAT_FLAG } from "./evaluate";

/*
 * The preview command's table, apart from its runner (./preview.ts): the
 * runner loads the policy pack and Pulumi's runtime, which no other command
 * and no `--help` needs.
 */

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
