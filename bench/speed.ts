import type { Catalog } from "../catalog/load";
import { fromRoot } from "../catalog/paths";
import { resolveInputs } from "../catalog/resolve";
import { loadScenarioFile } from "../catalog/scenario-file";
import { evaluate, type EvaluationInputs } from "../engine/evaluate";

/**
 * Scenario evaluations a second on this machine: the dev stack without its
 * measured figure (so the estimate, the latency-free peak search and the
 * memory fit all run), with the volume and a latency target varied so
 * consecutive calls differ; the median of three timed runs, by the wall
 * clock and per second of CPU this process got (the two cores are shared
 * with other work, which the wall clock counts against us).
 */
export function evaluationsPerSecond(catalog: Catalog, seconds = 3): { wallClock: number; perCpuSecond: number } {
  const file = fromRoot("Pulumi.dev.yaml");
  const loaded = loadScenarioFile(file);
  const scenario = { ...loaded.scenario, throughput: {} };
  const base: EvaluationInputs = resolveInputs(scenario, catalog, { file, fieldPrefix: loaded.fieldPrefix });
  const variants = Array.from({ length: 64 }, (_, i) => ({
    ...base,
    scenario: { ...scenario, workload: { ...scenario.workload, outputTokensPerMonth: 1e6 * (1 + i), latency: i % 2 ? { minOutputTokensPerSecondPerRequest: 10 + i } : undefined } },
  }));
  let sink = 0;
  // Warm the JIT first; then time three runs and report the median, because other work shares this machine's two cores.
  for (let i = 0; i < 20_000; i++) sink += evaluate(variants[i % 64]!).selfHost.replicas;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < 3; run++) {
    let count = 0;
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const budget = BigInt(Math.round((seconds / 3) * 1e9));
    while (process.hrtime.bigint() - start < budget) {
      for (let i = 0; i < 1000; i++) sink += evaluate(variants[(count + i) % 64]!).selfHost.replicas;
      count += 1000;
    }
    const used = process.cpuUsage(cpuStart);
    wall.push(count / (Number(process.hrtime.bigint() - start) / 1e9));
    cpu.push(count / ((used.user + used.system) / 1e6));
  }
  if (sink < 0) throw new Error("unreachable: keeps the loop from being optimized away");
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
  return { wallClock: median(wall), perCpuSecond: median(cpu) };
}
