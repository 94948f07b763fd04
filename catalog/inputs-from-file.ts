import * as path from "node:path";
import type { EvaluationInputs } from "../engine/evaluate";
import { loadCatalog } from "./load";
import { resolveInputs } from "./resolve";
import { loadScenarioFile, type LoadedScenario } from "./scenario-file";

/** Loads a scenario or stack file and resolves it against the catalogs into the engine's inputs. */
export function inputsFromFile(file: string, today?: string): { loaded: LoadedScenario; inputs: EvaluationInputs } {
  const loaded = loadScenarioFile(file);
  const inputs = resolveInputs(
    loaded.scenario,
    loadCatalog(),
    { file, fieldPrefix: loaded.fieldPrefix, benchmarkDir: path.dirname(file), usage: loaded.usage },
    today,
  );
  return { loaded, inputs };
}
