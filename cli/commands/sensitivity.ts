import { sensitivity } from "../../engine/sensitivity";
import { UserInputError } from "../../catalog/errors";
import { toJson } from "../../reports/json";
import { renderSensitivityMarkdown, renderSensitivityTable } from "../../reports/sensitivity";
import { formatOption, parseCommandLine } from "../args";
import { EXIT } from "../errors";
import { inputsFromFile } from "./evaluate";

/** Usage of `breakeven sensitivity`. */
export const SENSITIVITY_USAGE = "breakeven sensitivity <scenario.yaml | Pulumi.<stack>.yaml> [--format table|json|markdown]";

/** `breakeven sensitivity`: the verdict and savings with each input moved ±10/25 %, and where it flips. */
export function runSensitivity(argv: string[]): number {
  const { values, positionals } = parseCommandLine(argv, { format: { type: "string" } });
  const format = formatOption(values.format);
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UserInputError("command line", "", `expected one scenario file; usage: ${SENSITIVITY_USAGE}`);
  const result = sensitivity(inputsFromFile(file).inputs);
  const out = format === "json" ? toJson(result) : format === "markdown" ? renderSensitivityMarkdown(result) : renderSensitivityTable(result);
  process.stdout.write(`${out}\n`);
  return EXIT.ok;
}
