import { sensitivity } from "../../engine/sensitivity";
import { toJson } from "../../reports/json";
import { renderSensitivityMarkdown, renderSensitivityTable } from "../../reports/sensitivity";
import { formatOption } from "../args";
import { defineCommand, parseCommand } from "../command";
import { EXIT } from "../errors";
import { FORMAT_FLAG, inputsFromFile, SCENARIO_ARGUMENT } from "./evaluate";

/** `breakeven sensitivity`: its arguments, flags and examples (help and parser read this). */
export const SENSITIVITY_COMMAND = defineCommand({
  name: "sensitivity",
  summary:
    "how robust is the verdict? Savings with each input moved by 10 % and 25 % either way, and where the verdict flips.",
  arguments: [SCENARIO_ARGUMENT],
  flags: { format: FORMAT_FLAG },
  examples: ["breakeven sensitivity Pulumi.dev.yaml", "breakeven sensitivity examples/scenario.yaml --format markdown"],
});

/** `breakeven sensitivity`: the verdict and savings with each input moved ±10/25 %, and where it flips. */
export function runSensitivity(argv: string[]): number {
  const { values, positionals } = parseCommand(SENSITIVITY_COMMAND, argv);
  const format = formatOption(values.format);
  const result = sensitivity(inputsFromFile(positionals[0] as string).inputs);
  const out =
    format === "json"
      ? toJson(result)
      : format === "markdown"
        ? renderSensitivityMarkdown(result)
        : renderSensitivityTable(result);
  process.stdout.write(`${out}\n`);
  return EXIT.ok;
}
