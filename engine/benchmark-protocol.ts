import { z } from "zod";
import type { SimRequest } from "./vllm-scheduler";

/**
 * A benchmark protocol with `vllm bench serve`'s names
 * (vllm-project/vllm vllm/benchmarks/serve.py): `--num-prompts` (default
 * 1000), `--request-rate` (default inf: every prompt at once; otherwise a
 * Poisson process, `--burstiness 1`), `--max-concurrency` (a client-side
 * semaphore), `--dataset-name random|sharegpt`.
 */
export const BenchmarkProtocolSchema = z
  .object({
    numPrompts: z.number().int().min(1).max(100_000).default(1000),
    /** Requests a second; "inf" sends every prompt at once. */
    requestRate: z.union([z.number().positive(), z.literal("inf")]).default("inf"),
    maxConcurrency: z.number().int().min(1).optional(),
    /** `random`: every request has the given lengths; `sharegpt`: lengths spread around the given means (see {@link generateRequests}). */
    dataset: z.enum(["random", "sharegpt"]).default("random"),
    /** Poisson (vLLM's default, burstiness 1) or evenly spaced arrivals at the request rate. */
    arrivals: z.enum(["poisson", "constant"]).default("poisson"),
    seed: z.number().int().default(0),
  })
  .strict();
/** A benchmark protocol. */
export type BenchmarkProtocol = z.infer<typeof BenchmarkProtocolSchema>;

/** mulberry32: a small seeded generator, so a protocol gives the same requests every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Spread of ShareGPT prompt lengths: log-normal with this sigma (a long right tail; not fitted to the dataset here). */
const SHAREGPT_INPUT_SIGMA = 0.8;

/**
 * The requests a protocol sends, for mean lengths `inputTokens` and
 * `outputTokens`. `random`: every request exactly those lengths (vLLM's
 * random dataset at `--random-range-ratio 0`). `sharegpt`: prompt lengths
 * log-normal (sigma 0.8) and answer lengths exponential around the means,
 * the long tail of long answers that makes a ShareGPT burst drain at small
 * batch; each request clipped to `maxModelLen` in total, at least one token
 * each. This is a ShareGPT-like spread with the given means, not the
 * dataset's own lengths. Arrivals: all at 0 for an infinite rate, else
 * exponential gaps (Poisson) or even gaps of 1 / rate, seeded.
 */
export function generateRequests(
  protocol: BenchmarkProtocol,
  inputTokens: number,
  outputTokens: number,
  maxModelLen: number,
): SimRequest[] {
  const rand = seededRandom(protocol.seed);
  const out: SimRequest[] = [];
  let t = 0;
  for (let i = 0; i < protocol.numPrompts; i++) {
    let input = inputTokens;
    let output = outputTokens;
    if (protocol.dataset === "sharegpt") {
      const normal = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      input = Math.round(
        inputTokens * Math.exp(SHAREGPT_INPUT_SIGMA * normal - (SHAREGPT_INPUT_SIGMA * SHAREGPT_INPUT_SIGMA) / 2),
      );
      output = Math.round(-outputTokens * Math.log(1 - rand()));
    }
    input = Math.max(1, Math.min(input, maxModelLen - 1));
    output = Math.max(1, Math.min(output, maxModelLen - input));
    out.push({ arrivalSeconds: t, inputTokens: input, outputTokens: output });
    const rate = protocol.requestRate;
    if (rate !== "inf") t += protocol.arrivals === "constant" ? 1 / rate : -Math.log(1 - rand()) / rate;
  }
  return out;
}
