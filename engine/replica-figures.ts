import type { BindingLimit, Capacity } from "./capacity";

/** One replica's capacity as flat figures: what the evaluation's `selfHost.capacity` and `breakeven capacity --format json` show. */
export interface ReplicaFigures {
  fits: boolean;
  outputTokensPerSecond: number;
  perRequestOutputTokensPerSecond: number;
  ttftMs: number;
  concurrency: number;
  kvCacheTokens: number;
  kvCacheGiBPerGpu: number;
  reserveGiBPerGpu: number;
  maxConcurrency: number;
  maxConcurrencyAtMaxModelLen: number;
  weightsGiBPerGpu: number;
  bindingLimit: BindingLimit;
  meetsLatencyTarget: boolean;
  /** Set exactly when `fits` is false (Capacity.doesNotFitReason). */
  doesNotFitReason?: string | undefined;
}

/**
 * Flattens one replica's capacity (memory fit, the point it is credited at,
 * the limits) for output, once: the evaluation and the `capacity` command
 * both start from these figures and add or override their own.
 */
export function replicaFigures(c: Capacity): ReplicaFigures {
  const m = c.memory;
  return {
    fits: c.fits,
    outputTokensPerSecond: c.outputTokensPerSecond,
    perRequestOutputTokensPerSecond: c.point.perRequestOutputTokensPerSecond,
    ttftMs: c.point.ttftMs,
    concurrency: c.point.concurrency,
    kvCacheTokens: m.kvCacheTokens,
    kvCacheGiBPerGpu: m.kvCacheGiBPerGpu,
    reserveGiBPerGpu: m.reserveGiBPerGpu,
    maxConcurrency: c.maxConcurrency,
    maxConcurrencyAtMaxModelLen: m.maxConcurrencyAtMaxModelLen,
    weightsGiBPerGpu: m.weightsGiBPerGpu,
    bindingLimit: c.bindingLimit,
    meetsLatencyTarget: c.meetsLatencyTarget,
    doesNotFitReason: c.doesNotFitReason,
  };
}
