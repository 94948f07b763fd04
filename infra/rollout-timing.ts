import { z } from "zod";
import { parseWith } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
import { readYaml } from "../catalog/read";

/**
 * Timing rules that follow from the cold start: how long `pulumi up` waits
 * for vLLM (pulumi-kubernetes gives up after 10 minutes by default, while a
 * GPU node plus a model load takes longer), how fast the autoscaler may add
 * replicas, and how long a multi-node group waits for its Ray workers. The
 * cold start itself is the engine's estimate (engine/evaluate.ts); the rest
 * lives in `infra/data/rollout-timing.yaml` with its sources.
 */

const minutes = z.number().nonnegative();

/** `infra/data/rollout-timing.yaml`. */
export const RolloutTimingSchema = z
  .object({
    version: z.literal(1),
    asOf: z.string(),
    pulumiKubernetesAwait: z.object({ defaultMinutes: z.number().positive(), source: z.string().min(1) }).strict(),
    nodeProvisioning: z
      .object({ autoscalerReactionMinutes: minutes, spotCapacityWaitMinutes: minutes, source: z.string().min(1) })
      .strict(),
    awaitSafetyFactor: z.number().min(1),
    horizontalPodAutoscaler: z
      .object({
        maxStabilizationWindowSeconds: z.number().int().positive(),
        maxPolicyPeriodSeconds: z.number().int().positive(),
        scaleUpStabilizationSeconds: z.number().int().nonnegative(),
        source: z.string().min(1),
      })
      .strict(),
    rayWorkers: z
      .object({ defaultInitTimeoutSeconds: z.number().int().positive(), source: z.string().min(1) })
      .strict(),
  })
  .strict();
/** Validated rollout timing rules. */
export type RolloutTiming = z.infer<typeof RolloutTimingSchema>;

/** Reads `infra/data/rollout-timing.yaml`. */
export function loadRolloutTiming(): RolloutTiming {
  const file = fromRoot("infra", "data", "rollout-timing.yaml");
  return parseWith(RolloutTimingSchema, readYaml(file), file);
}

/** Minutes from `pulumi up` creating the workload to a node being ready for it (scale-up, and spot capacity on spot). */
export function nodeProvisioningMinutes(t: RolloutTiming, spot: boolean): number {
  return t.nodeProvisioning.autoscalerReactionMinutes + (spot ? t.nodeProvisioning.spotCapacityWaitMinutes : 0);
}

/**
 * How long pulumi-kubernetes should wait for the workload and its Service:
 * (node provisioning + the engine's cold start) x the safety factor, whole
 * minutes, never below the provider's own default.
 */
export function awaitTimeoutMinutes(t: RolloutTiming, coldStartMinutes: number, spot: boolean): number {
  const budget = (nodeProvisioningMinutes(t, spot) + coldStartMinutes) * t.awaitSafetyFactor;
  return Math.max(t.pulumiKubernetesAwait.defaultMinutes, Math.ceil(budget));
}

/** Seconds a group's leader waits for its Ray workers: the same budget, since a worker's node may still be starting. */
export function rayInitTimeoutSeconds(t: RolloutTiming, coldStartMinutes: number, spot: boolean): number {
  return Math.max(t.rayWorkers.defaultInitTimeoutSeconds, awaitTimeoutMinutes(t, coldStartMinutes, spot) * 60);
}

/** HPA `behavior` in plain numbers. */
export interface ScalingBehavior {
  scaleUp: { stabilizationWindowSeconds: number; podsPerPeriod: number; periodSeconds: number };
  scaleDown: { stabilizationWindowSeconds: number; podsPerPeriod: number; periodSeconds: number };
}

/**
 * Autoscaling that knows a replica takes a cold start to serve: a burst must
 * last `scaleUpStabilizationSeconds` before a replica is added; then one
 * replica per cold start (capped at the API's 30 min period), so a short
 * spike cannot ask for every GPU node at once. Scale-down waits a whole
 * cold start (capped at the API's hour) before removing one replica, since
 * bringing it back costs that cold start again.
 */
export function scalingBehavior(t: RolloutTiming, coldStartMinutes: number): ScalingBehavior {
  const h = t.horizontalPodAutoscaler;
  const coldStartSeconds = Math.ceil(coldStartMinutes * 60);
  return {
    scaleUp: {
      stabilizationWindowSeconds: h.scaleUpStabilizationSeconds,
      podsPerPeriod: 1,
      periodSeconds: Math.min(h.maxPolicyPeriodSeconds, coldStartSeconds),
    },
    scaleDown: {
      stabilizationWindowSeconds: Math.min(h.maxStabilizationWindowSeconds, Math.max(300, coldStartSeconds)),
      podsPerPeriod: 1,
      periodSeconds: Math.min(h.maxPolicyPeriodSeconds, coldStartSeconds),
    },
  };
}
