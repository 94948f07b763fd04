import { UserInputError } from "../catalog/errors";
import { loadCatalog } from "../catalog/load";
import { resolveInputs } from "../catalog/resolve";
import { evaluate, type Evaluation, type EvaluationInputs } from "../engine/evaluate";
import type { Scenario } from "../engine/scenario";
import { FIELD_PREFIX, STACK_CONFIG_FILE } from "./config";

/** The engine's answer for the stack, with the catalog entries the resources are built from. */
export interface StackEvaluation {
  inputs: EvaluationInputs;
  evaluation: Evaluation;
}

/**
 * Resolves the scenario against the catalogs and evaluates it. The engine
 * decides every number the resources use (parallelism, vLLM settings,
 * replicas, cold start); the program does no cost arithmetic of its own. A
 * machine that cannot hold the model is a config mistake, reported against
 * `llm-breakeven:node.machineType` before any resource is declared.
 */
export function evaluateStack(scenario: Scenario, today?: string): StackEvaluation {
  const catalog = loadCatalog();
  const inputs = resolveInputs(
    scenario,
    catalog,
    {
      file: STACK_CONFIG_FILE,
      fieldPrefix: FIELD_PREFIX,
      // Pulumi runs the program from the project folder, where the stack files live.
      benchmarkDir: process.cwd(),
    },
    today,
  );
  const evaluation = evaluate(inputs);
  const capacity = evaluation.selfHost.capacity;
  if (!capacity.fits) {
    throw new UserInputError(
      STACK_CONFIG_FILE,
      `${FIELD_PREFIX}node.machineType`,
      `${JSON.stringify(scenario.node.machineType)} cannot hold ${evaluation.model.displayName} (${evaluation.model.weightDtype}): ${capacity.doesNotFitReason}; choose a machine with more GPU memory, raise nodesPerReplica, or a lower-precision weightDtype`,
    );
  }
  return { inputs, evaluation };
}
