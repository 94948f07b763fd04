import { workloadFromFiles } from "../../catalog/usage/workload";
import { renderWorkloadJson, renderWorkloadTable, renderWorkloadYaml } from "../../reports/workload";
import { formatOption } from "../args";
import { defineCommand, parseCommand } from "../command";
import { EXIT } from "../errors";

/** `breakeven workload`: its flags and examples (help and parser read this). */
export const WORKLOAD_COMMAND = defineCommand({
  name: "workload",
  summary:
    "the workload your usage exports show: monthly tokens, request sizes, cache and batch shares, the hour-of-week profile.",
  arguments: [],
  flags: {
    from: {
      type: "string",
      value: "file",
      multiple: true,
      required: true,
      description:
        "a usage export: OpenAI usage completions, Anthropic messages usage report, LiteLLM spend logs, Langfuse observations, Helicone export, OTLP/JSON GenAI spans or the plain CSV; repeat for several",
    },
    models: {
      type: "string",
      value: "ID,...",
      default: "every model in the files",
      description: "keep only these models (the ones the stack would replace)",
    },
    format: {
      type: "string",
      value: "table|json|yaml",
      default: "table",
      description: "json is the contract in the README; yaml prints the workload: block of a scenario",
    },
  },
  examples: [
    "breakeven workload --from usage-openai.json",
    "breakeven workload --from usage-openai.json --from usage-anthropic.json --models gpt-4o-2024-08-06 --format yaml",
  ],
});

/** `breakeven workload`: exit 0 with the workload, 2 on a bad file or flag. */
export function runWorkload(argv: string[]): number {
  const { values } = parseCommand(WORKLOAD_COMMAND, argv);
  const format = formatOption(values.format, ["table", "json", "yaml"]);
  const models = (values.models ?? "")
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  const report = workloadFromFiles(values.from ?? [], models);
  const out =
    format === "json"
      ? renderWorkloadJson(report)
      : (format as string) === "yaml"
        ? renderWorkloadYaml(report)
        : renderWorkloadTable(report);
  process.stdout.write(`${out}\n`);
  return EXIT.ok;
}
