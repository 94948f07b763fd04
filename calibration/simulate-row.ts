import type { Calibration } from "../engine/calibration";
import { BenchmarkProtocolSchema, generateRequests } from "../engine/benchmark-protocol";
import { simulateBenchmark, type BenchmarkResult } from "../engine/vllm-scheduler";
import { burstPrompts, variableLengths, type ThroughputCase } from "./rows";

/**
 * A measured row replayed through the V1 scheduler simulation under its own
 * protocol: `concurrency` and `static-batch` rows as a client holding that
 * many requests in flight (the row's prompt count, else ten per slot, at
 * least 50); `offline` rows as every prompt at once; `rate` rows at their
 * request rate (Poisson, seed 0). ShareGPT rows (named in the id or notes)
 * get the ShareGPT-like spread of engine/benchmark-protocol.ts, the rest
 * fixed lengths.
 */
export function simulateRow(c: ThroughputCase, constants: Calibration["throughput"]): BenchmarkResult {
  const { row, request } = c;
  const shape = c.shape.constants === constants ? c.shape : { ...c.shape, constants };
  const fixedConcurrency = row.load === "concurrency" || row.load === "static-batch";
  const slots = Math.max(1, Math.round(row.concurrency ?? 1));
  const numPrompts = fixedConcurrency ? (row.num_prompts ?? Math.max(50, 10 * slots)) : burstPrompts(row);
  const rate =
    row.load === "rate" && row.request_rate !== undefined && Number.isFinite(row.request_rate)
      ? row.request_rate
      : "inf";
  const protocol = BenchmarkProtocolSchema.parse({
    numPrompts,
    requestRate: rate,
    dataset: variableLengths(row) ? "sharegpt" : "random",
  });
  const maxModelLen = Math.max(request.inputTokens + request.outputTokens, c.shape.model.architecture.maxContextTokens);
  const requests = generateRequests(
    protocol,
    Math.round(request.inputTokens),
    Math.round(request.outputTokens),
    Math.min(maxModelLen, c.limits.kvCacheBlocks * c.limits.blockSize),
  );
  return simulateBenchmark(shape, c.limits, requests, fixedConcurrency ? slots : undefined);
}
