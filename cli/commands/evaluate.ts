import { evaluate, type Evaluation } from "../../engine/evaluate";
import { inputsFromFile } from "../../catalog/inputs-from-file";
import type { LoadedScenario } from "../../catalog/scenario-file";
import { renderEvaluationMarkdown } from "../../reports/evaluation-markdown";
import { renderEvaluationTable } from "../../reports/evaluation-table";
import { toJson } from "../../reports/json";
import { formatOption } from "../args";
import { defineCommand, parseCommand } from "../command";
import { EXIT } from "../errors";

/** The positional argument of every command that reads a scenario. */
export const SCENARIO_ARGUMENT = {
  name: "scenario",
  description:
    "a scenario file (see examples/) or a Pulumi stack file such as Pulumi.dev.yaml, whose llm-breakeven: keys are read",
} as const;

/** The `--format` flag of the report commands. */
export const FORMAT_FLAG = {
  type: "string",
  value: "table|json|markdown",
  default: "table",
  description: "output format; json is the contract in the README",
} as const;

/** `breakeven evaluate`: its arguments, flags and examples (help and parser read this). */
export const EVALUATE_COMMAND = defineCommand({
  name: "evaluate",
  summary: "self-host or pay the API? The monthly costs, capacity and break-even of one scenario.",
  arguments: [SCENARIO_ARGUMENT],
  flags: { format: FORMAT_FLAG },
  examples: ["breakeven evaluate Pulumi.dev.yaml", "breakeven evaluate examples/scenario.yaml --format json"],
});

// Lives in catalog/ so that preview/ need not import the CLI; re-exported for the other commands.
export { inputsFromFile } from "../../catalog/inputs-from-file";

/** Loads a scenario or stack file and evaluates it against the catalogs. */
export function evaluateFile(file: string, today?: string): { loaded: LoadedScenario; evaluation: Evaluation } {
  const { loaded, inputs } = inputsFromFile(file, today);
  return { loaded, evaluation: evaluate(inputs) };
}

/** `breakeven evaluate`: exit 0 with a verdict, 2 on bad input. */
export function runEvaluate(argv: string[]): number {
  const { values, positionals } = parseCommand(EVALUATE_COMMAND, argv);
  const format = formatOption(values.format);
  const { evaluation } = evaluateFile(positionals[0] as string);
  const out =
    format === "json"
      ? toJson(evaluation)
      : format === "markdown"
        ? renderEvaluationMarkdown(evaluation)
        : renderEvaluationTable(evaluation);
  process.stdout.write(`${out}\n`);
  return EXIT.ok;
}
