import type { Catalog } from "../catalog/load";
import { fromRoot } from "../catalog/paths";
import { resolveInputs } from "../catalog/resolve";
import { loadScenarioFile } from "../catalog/scenario-file";
import { evaluate, type EvaluationInputs } from "../engine/evaluate";
import { BenchmarkProtocolSchema } from "../engine/benchmark-protocol";
import { simulateServeBenchmark } from "../engine/serve-benchmark";

/**
 * Scenario evaluations a second on this machine, warm: the dev stack without
 * its measured figure, with the volume and a latency target (32 distinct
 * speed floors, or none) varied so consecutive calls differ; the median of
 * three timed runs, by the wall clock and per second of CPU this process got
 * (the two cores are shared with other work, which the wall clock counts
 * against us). The capacity search is memoized on everything the
 * simulation reads, so after the warm-up these calls find it in the memo:
 * this measures a sweep over prices, volumes or targets on one hardware
 * setup. {@link coldEvaluations} measures calls that must simulate.
 */
export function evaluationsPerSecond(catalog: Catalog, seconds = 3): { wallClock: number; perCpuSecond: number } {
  const file = fromRoot("Pulumi.dev.yaml");
  const loaded = loadScenarioFile(file);
  const scenario = { ...loaded.scenario, throughput: {} };
  const base: EvaluationInputs = resolveInputs(scenario, catalog, { file, fieldPrefix: loaded.fieldPrefix });
  const variants = Array.from({ length: 64 }, (_, i) => ({
    ...base,
    scenario: {
      ...scenario,
      workload: {
        ...scenario.workload,
        outputTokensPerMonth: 1e6 * (1 + i),
        latency: i % 2 ? { minOutputTokensPerSecondPerRequest: 10 + i } : undefined,
      },
    },
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

/**
 * Milliseconds the V1 scheduler simulation takes for 1000 ShareGPT-like
 * prompts sent at once (Qwen3-8B on one H100, 220/190 mean tokens, as the
 * GPUStack burst rows): the median of five runs after a warm-up.
 */
export function simulationMillis(catalog: Catalog): { medianMs: number; outputTokensPerSecond: number } {
  const model = catalog.models.get("qwen3-8b")!;
  const gpu = catalog.gpus.get("h100-80gb")!;
  const inputs = {
    model,
    variant: model.weights[0]!,
    gpu,
    parallel: { tensorParallel: 1, pipelineParallel: 1 },
    serving: {
      gpuMemoryUtilization: 0.9,
      maxModelLen: 8192,
      maxNumSeqs: gpu.vllmDefaultMaxNumSeqs,
      maxNumBatchedTokens: gpu.vllmDefaultMaxNumBatchedTokens,
      kvCacheDtype: "auto" as const,
      blockSize: 16,
    },
    request: { inputTokens: 220, outputTokens: 190 },
    calibration: catalog.calibration,
  };
  const protocol = BenchmarkProtocolSchema.parse({ numPrompts: 1000, dataset: "sharegpt" });
  let tokens = 0;
  for (let i = 0; i < 5; i++) simulateServeBenchmark(inputs, protocol);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const run = simulateServeBenchmark(inputs, protocol);
    times.push(performance.now() - start);
    if (run.fits) tokens = run.result.outputTokensPerSecond;
  }
  return { medianMs: times.sort((a, b) => a - b)[2]!, outputTokensPerSecond: tokens };
}

/**
 * Evaluations whose capacity inputs were never seen before (each call asks
 * for a prompt one token longer than the last, so the memory fit, the
 * latency-target search and its simulated steady states all run afresh):
 * evaluations per CPU-second and CPU-milliseconds each, over `seconds` of
 * wall clock after a short warm-up, for the stack file `stackFile`.
 */
export function coldEvaluations(
  catalog: Catalog,
  stackFile: string,
  seconds = 2,
): { perCpuSecond: number; cpuMsEach: number; count: number } {
  const file = fromRoot(stackFile);
  const loaded = loadScenarioFile(file);
  const scenario = { ...loaded.scenario, throughput: {} };
  const base: EvaluationInputs = resolveInputs(scenario, catalog, { file, fieldPrefix: loaded.fieldPrefix });
  let prompt = scenario.workload.inputTokensPerRequest + 0.5;
  const next = () => {
    prompt += 1;
    return { ...base, scenario: { ...scenario, workload: { ...scenario.workload, inputTokensPerRequest: prompt } } };
  };
  let sink = 0;
  for (let i = 0; i < 5; i++) sink += evaluate(next()).selfHost.replicas;
  let count = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  while (performance.now() - start < seconds * 1000 || count < 5) {
    sink += evaluate(next()).selfHost.replicas;
    count++;
  }
  const used = process.cpuUsage(cpuStart);
  if (sink < 0) throw new Error("unreachable: keeps the loop from being optimized away");
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { perCpuSecond: count / cpuSeconds, cpuMsEach: (cpuSeconds * 1000) / count, count };
}
