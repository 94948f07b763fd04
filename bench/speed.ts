import type { Catalog } from "../catalog/load";
import { fromRoot } from "../catalog/paths";
import { resolveInputs } from "../catalog/resolve";
import { loadScenarioFile } from "../catalog/scenario-file";
import { evaluate, type EvaluationInputs } from "../engine/evaluate";

/**
 * Scenario evaluations a second on this machine: the dev stack without its
 * measured figure (so the estimate, the latency-free peak search and the
 * memory fit all run), with the volume varied so no two calls are the same.
 */
export function evaluationsPerSecond(catalog: Catalog, seconds = 1.5): number {
  const file = fromRoot("Pulumi.dev.yaml");
  const loaded = loadScenarioFile(file);
  const scenario = { ...loaded.scenario, throughput: {} };
  const base: EvaluationInputs = resolveInputs(scenario, catalog, { file, fieldPrefix: loaded.fieldPrefix });
  const variants = Array.from({ length: 64 }, (_, i) => ({
    ...base,
    scenario: { ...scenario, workload: { ...scenario.workload, outputTokensPerMonth: 1e6 * (1 + i), latency: i % 2 ? { minOutputTokensPerSecondPerRequest: 10 + i } : undefined } },
  }));
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink += evaluate(variants[i % 64]!).selfHost.replicas;
  let count = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < 1000; i++) sink += evaluate(variants[(count + i) % 64]!).selfHost.replicas;
    count += 1000;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) throw new Error("unreachable: keeps the loop from being optimized away");
  return count / elapsed;
}
