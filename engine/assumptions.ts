import { z } from "zod";

/**
 * Operational assumptions that are not prices: how long a replica takes to
 * serve again after a spot preemption, and how often spot VMs are reclaimed.
 * Lives in `catalog/data/assumptions.yaml`, each number with its source.
 */
export const AssumptionsSchema = z
  .object({
    version: z.literal(1),
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    coldStart: z
      .object({
        /** New VM, GPU driver install and node registration, minutes. */
        vmAndDriverMinutes: z.number().nonnegative(),
        /** Pulling the vLLM image to a fresh node, minutes. */
        imagePullMinutes: z.number().nonnegative(),
        /** Weight download and load into GPU memory, GB a second (whole checkpoint). */
        weightLoadGBps: z.number().positive(),
        source: z.string().min(1),
      })
      .strict(),
    spot: z
      .object({
        /** Preemptions per node per day when the stack does not say. */
        defaultPreemptionsPerDay: z.number().nonnegative(),
        /** Notice GCP gives before reclaiming a spot VM, seconds. */
        noticeSeconds: z.number().positive(),
        source: z.string().min(1),
      })
      .strict(),
    /** Latency targets that apply when a workload declares none (engine/latency-target.ts). */
    latencyTargets: z
      .object({
        interactive: z
          .object({
            /** Slowest acceptable decode speed of one request, output tokens a second (1000 / TPOT ms). */
            minOutputTokensPerSecondPerRequest: z.number().positive(),
            /** Longest acceptable time to first token, ms. */
            maxTimeToFirstTokenMs: z.number().positive(),
            source: z.string().min(1),
            asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          })
          .strict(),
      })
      .strict(),
    /** Days a catalog price may age before the report warns. */
    priceMaxAgeDays: z.number().int().positive(),
    /** Days the API price data (@pydantic/genai-prices or its override) may age before the report warns. */
    apiPriceMaxAgeDays: z.number().int().positive(),
  })
  .strict();
/** Validated assumptions. */
export type Assumptions = z.infer<typeof AssumptionsSchema>;
