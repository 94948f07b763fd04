import { UserInputError } from "../../catalog/errors";
import { BenchmarkProtocolSchema, type BenchmarkProtocol } from "../../engine/benchmark-protocol";
import type { CapacityInputs } from "../../engine/capacity";
import { simulateServeBenchmark, type ServeBenchmark } from "../../engine/serve-benchmark";
import { num } from "../../reports/format";
import { numberOption } from "../args";

/** `capacity`'s benchmark-protocol flags, with `vllm bench serve`'s names. */
export const BENCHMARK_FLAGS = {
  "num-prompts": {
    type: "string",
    value: "N",
    default: "1000, as vllm bench serve",
    description: "benchmark protocol: prompts to send (simulates vLLM V1's scheduler step by step)",
  },
  "request-rate": {
    type: "string",
    value: "R|inf",
    default: "inf: every prompt at once",
    description: "benchmark protocol: requests a second (Poisson arrivals, seeded)",
  },
  "max-concurrency": {
    type: "string",
    value: "C",
    default: "no limit",
    description: "benchmark protocol: requests in flight at most (the client's semaphore)",
  },
  dataset: {
    type: "string",
    value: "random|sharegpt",
    default: "random (fixed lengths)",
    description:
      "benchmark protocol: sharegpt spreads lengths around the given means (log-normal prompts, exponential answers)",
  },
  arrivals: {
    type: "string",
    value: "poisson|constant",
    default: "poisson",
    description: "benchmark protocol: arrival process at --request-rate",
  },
  seed: {
    type: "string",
    value: "S",
    default: "0",
    description: "benchmark protocol: seed of the lengths and arrivals",
  },
} as const;

type Values = Partial<Record<keyof typeof BENCHMARK_FLAGS, string | boolean | undefined>>;

/** The protocol the flags ask for, or undefined when none of them is given (then `capacity` prints the concurrency sweep). */
export function benchmarkProtocolOption(values: Values): BenchmarkProtocol | undefined {
  const given = (Object.keys(BENCHMARK_FLAGS) as (keyof typeof BENCHMARK_FLAGS)[]).filter(
    (k) => values[k] !== undefined,
  );
  if (given.length === 0) return undefined;
  const str = (k: keyof typeof BENCHMARK_FLAGS) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const rate = str("request-rate");
  const requestRate =
    rate === undefined || rate === "inf" ? "inf" : numberOption("request-rate", rate, { min: 1e-6, max: 1e6 });
  const oneOf = <T extends string>(flag: "dataset" | "arrivals", allowed: readonly T[]): T | undefined => {
    const v = str(flag);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v))
      throw new UserInputError(
        "command line",
        `--${flag}`,
        `${JSON.stringify(v)} is not valid; expected ${allowed.join(" or ")}`,
      );
    return v as T;
  };
  return BenchmarkProtocolSchema.parse({
    numPrompts: numberOption("num-prompts", str("num-prompts"), { integer: true, min: 1, max: 100_000 }),
    requestRate,
    maxConcurrency: numberOption("max-concurrency", str("max-concurrency"), { integer: true, min: 1, max: 100_000 }),
    dataset: oneOf("dataset", ["random", "sharegpt"] as const),
    arrivals: oneOf("arrivals", ["poisson", "constant"] as const),
    seed: numberOption("seed", str("seed"), { integer: true, min: 0, max: 2 ** 31 - 1 }),
  });
}

/** Runs the simulated benchmark: the JSON object, and the table `vllm bench serve` would print. */
export function runServeBenchmark(
  inputs: CapacityInputs,
  protocol: BenchmarkProtocol,
): { json: Record<string, unknown>; table: string; run: ServeBenchmark } {
  const run = simulateServeBenchmark(inputs, protocol);
  const proto = protocol;
  if (!run.fits)
    return {
      run,
      json: { protocol: proto, fits: false, doesNotFitReason: run.reason },
      table: `Does not fit: ${run.reason}`,
    };
  const r = run.result;
  const json = {
    protocol: proto,
    fits: true,
    maxModelLen: run.maxModelLen,
    maxModelLenNote: run.maxModelLenNote ?? null,
    kvCacheTokens: run.memory.kvCacheTokens,
    ...r,
  };
  const rows: [string, string][] = [
    ["Successful requests:", String(r.completed)],
    ["Benchmark duration (s):", num(r.durationSeconds, 2)],
    ["Output token throughput (tok/s):", num(r.outputTokensPerSecond, 2)],
    ["Mean TTFT (ms):", num(r.meanTtftMs, 2)],
    ["Median TTFT (ms):", num(r.medianTtftMs, 2)],
    ["P99 TTFT (ms):", num(r.p99TtftMs, 2)],
    ["Mean TPOT (ms):", num(r.meanTpotMs, 2)],
    ["P99 TPOT (ms):", num(r.p99TpotMs, 2)],
    ["Preemptions (recompute):", String(r.preemptions)],
    ["Most requests running at once:", String(r.maxRunning)],
  ];
  const rate = protocol.requestRate === "inf" ? "inf" : `${protocol.requestRate}/s ${protocol.arrivals}`;
  const head = `Simulated vllm bench serve (vLLM V1 scheduler, step by step): ${protocol.numPrompts} ${protocol.dataset} prompts, request rate ${rate}, max concurrency ${protocol.maxConcurrency ?? "none"}, seed ${protocol.seed}`;
  const note = run.maxModelLenNote ? [`Note: ${run.maxModelLenNote}`] : [];
  return { run, json, table: [head, ...note, ...rows.map(([k, v]) => `${k.padEnd(34)}${v.padStart(12)}`)].join("\n") };
}
