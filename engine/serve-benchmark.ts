import { generateRequests, type BenchmarkProtocol } from "./benchmark-protocol";
import { replicaFit, type CapacityInputs } from "./capacity";
import type { MemoryFit } from "./memory";
import { schedulerLimits, simulateBenchmark, type BenchmarkResult } from "./vllm-scheduler";

/** A simulated `vllm bench serve` run, or why the replica cannot run it. */
export type ServeBenchmark =
  | { fits: true; result: BenchmarkResult; memory: MemoryFit; maxModelLen: number; maxModelLenNote?: string }
  | { fits: false; reason: string; memory: MemoryFit };

/**
 * What `vllm bench serve` would print against one replica under `protocol`:
 * the memory fit sizes the KV cache (with the replica's vLLM release), the
 * protocol's requests (mean lengths from `inputs.request`) run through the
 * V1 scheduler simulation (engine/vllm-scheduler.ts).
 */
export function simulateServeBenchmark(inputs: CapacityInputs, protocol: BenchmarkProtocol): ServeBenchmark {
  const { memory, shape, serving, maxModelLenNote } = replicaFit(inputs);
  if (!memory.fits) return { fits: false, reason: memory.reason ?? "it does not fit", memory };
  const requests = generateRequests(
    protocol,
    inputs.request.inputTokens,
    inputs.request.outputTokens,
    serving.maxModelLen,
  );
  const limits = schedulerLimits({ model: inputs.model, serving }, memory);
  const result = simulateBenchmark(shape, limits, requests, protocol.maxConcurrency);
  return {
    fits: true,
    result,
    memory,
    maxModelLen: serving.maxModelLen,
    ...(maxModelLenNote ? { maxModelLenNote } : {}),
  };
}
