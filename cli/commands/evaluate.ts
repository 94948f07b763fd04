import * as path from "node:path";
import { evaluate, type Evaluation, type EvaluationInputs } from "../../engine/evaluate";
import { UserInputError } from "../../catalog/errors";
import { loadCatalog } from "../../catalog/load";
import { resolveInputs } from "../../catalog/resolve";
import { loadScenarioFile, type LoadedScenario } from "../../catalog/scenario-file";
import { renderEvaluationMarkdown } from "../../reports/evaluation-markdown";
import { renderEvaluationTable } from "../../reports/evaluation-table";
import { toJson } from "../../reports/json";
import { formatOption, parseCommandLine } from "../args";
import { EXIT } from "../errors";

/** Usage of `breakeven evaluate`. */
export const EVALUATE_USAGE = "breakeven evaluate <scenario.yaml | Pulumi.<stack>.yaml> [--format table|json|markdown]";

/** Loads a scenario or stack file and resolves it against the catalogs into the engine's inputs. */
export function inputsFromFile(file: string, today?: string): { loaded: LoadedScenario; inputs: EvaluationInputs } {
  const loaded = loadScenarioFile(file);
  const catalog = loadCatalog();
  const inputs = resolveInputs(
    loaded.scenario,
    catalog,
    {
      file,
      fieldPrefix: loaded.fieldPrefix,
      benchmarkDir: path.dirname(file),
    },
    today,
  );
  return { loaded, inputs };
}

/** Loads a scenario or stack file and evaluates it against the catalogs. */
export function evaluateFile(file: string, today?: string): { loaded: LoadedScenario; evaluation: Evaluation } {
  const { loaded, inputs } = inputsFromFile(file, today);
  return { loaded, evaluation: evaluate(inputs) };
}

/** `breakeven evaluate`: exit 0 with a verdict, 2 on bad input. */
export function runEvaluate(argv: string[]): number {
  const { values, positionals } = parseCommandLine(argv, { format: { type: "string" } });
  const format = formatOption(values.format);
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UserInputError("command line", "", `expected one scenario file; usage: ${EVALUATE_USAGE}`);
  const { evaluation } = evaluateFile(file);
  const out = format === "json" ? toJson(evaluation) : format === "markdown" ? renderEvaluationMarkdown(evaluation) : renderEvaluationTable(evaluation);
  process.stdout.write(`${out}\n`);
  return EXIT.ok;
}
