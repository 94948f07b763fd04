/**
 * Cost arithmetic: pure functions of prices, capacity and volume. Names carry
 * units; a month is `hoursPerMonth` hours (730 by default, as Infracost uses).
 */

const MILLION = 1e6;
const SECONDS_PER_HOUR = 3600;

/** USD per 1M output tokens of hardware billed `hourlyUsd` serving `outputTokensPerSecond` flat out. */
export function usdPerMillionOutputTokens(hourlyUsd: number, outputTokensPerSecond: number): number {
  if (outputTokensPerSecond <= 0) return Number.POSITIVE_INFINITY;
  return (hourlyUsd / (outputTokensPerSecond * SECONDS_PER_HOUR)) * MILLION;
}

/** Output tokens one replica serves in a month at a utilization. */
export function monthlyOutputTokensPerReplica(
  outputTokensPerSecond: number,
  hoursPerMonth: number,
  utilization: number,
): number {
  return outputTokensPerSecond * SECONDS_PER_HOUR * hoursPerMonth * utilization;
}

/** Replicas needed for a volume, never fewer than `minReplicas` nor fewer than one while there is traffic. */
export function replicasNeeded(
  outputTokensPerMonth: number,
  tokensPerReplicaMonth: number,
  minReplicas: number,
): number {
  if (tokensPerReplicaMonth <= 0) return Number.POSITIVE_INFINITY;
  const forVolume = outputTokensPerMonth > 0 ? Math.ceil(outputTokensPerMonth / tokensPerReplicaMonth) : 0;
  return Math.max(minReplicas, forVolume, outputTokensPerMonth > 0 ? 1 : 0);
}

/** API prices per 1M tokens at the workload's request shape. */
export interface ApiRates {
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  cachedInputUsdPerMTok: number;
  cachedInputShare: number;
  batchShare: number;
  batchDiscount: number;
}

/** The API's monthly bill for the given tokens. */
export function apiMonthlyUsd(rates: ApiRates, inputTokensPerMonth: number, outputTokensPerMonth: number): number {
  const input =
    inputTokensPerMonth * (1 - rates.cachedInputShare) * rates.inputUsdPerMTok +
    inputTokensPerMonth * rates.cachedInputShare * rates.cachedInputUsdPerMTok;
  const output = outputTokensPerMonth * rates.outputUsdPerMTok;
  return ((input + output) / MILLION) * (1 - rates.batchShare * rates.batchDiscount);
}

/** The self-hosted fleet's cost structure: what one replica adds, and what the fleet costs whatever its size. */
export interface FleetCostModel {
  /** Compute, overhead and preemption of one replica, USD a month. */
  perReplicaMonthlyUsd: number;
  /** Ops (people, monitoring), USD a month. */
  fixedMonthlyUsd: number;
  /** Output tokens one replica serves a month at the expected utilization. */
  tokensPerReplicaMonth: number;
  minReplicas: number;
}

/** Self-hosting's monthly total at a volume, scaled as needed. */
export function selfHostMonthlyUsdAt(model: FleetCostModel, outputTokensPerMonth: number): number {
  const replicas = replicasNeeded(outputTokensPerMonth, model.tokensPerReplicaMonth, model.minReplicas);
  return model.fixedMonthlyUsd + replicas * model.perReplicaMonthlyUsd;
}

/**
 * Smallest monthly output volume at which self-hosting, scaled as needed, is
 * cheaper than the API charging `apiUsdPerOutputToken` (input included at the
 * workload's ratio). Null when it never is: the marginal replica costs more
 * per token than the API. Self-hosting's cost is a step per replica; with r
 * replicas it beats the API from volume (fixed + r * perReplica) / api,
 * provided r replicas can serve that volume.
 */
export function breakEvenMonthlyOutputTokens(model: FleetCostModel, apiUsdPerOutputToken: number): number | null {
  const cap = model.tokensPerReplicaMonth;
  if (cap <= 0 || apiUsdPerOutputToken <= 0) return null;
  if (model.perReplicaMonthlyUsd >= apiUsdPerOutputToken * cap) return null;
  const rMin = Math.max(1, model.minReplicas);
  // Smallest r whose whole range can beat the API: (fixed + r*R)/a <= r*cap.
  const rNeeded = Math.ceil(model.fixedMonthlyUsd / (apiUsdPerOutputToken * cap - model.perReplicaMonthlyUsd));
  const r = Math.max(rMin, rNeeded);
  const lowerEdge = r === rMin ? 0 : (r - 1) * cap;
  const crossing = (model.fixedMonthlyUsd + r * model.perReplicaMonthlyUsd) / apiUsdPerOutputToken;
  return Math.max(lowerEdge, crossing);
}

/**
 * Utilization of a given fleet at which self-hosting costs what the API
 * would for the tokens that fleet serves. Above 1 means the fleet cannot
 * serve enough to pay for itself.
 */
export function breakEvenUtilization(
  fleetMonthlyUsd: number,
  fleetTokensAtFullUtilization: number,
  apiUsdPerOutputToken: number,
): number {
  if (fleetTokensAtFullUtilization <= 0 || apiUsdPerOutputToken <= 0) return Number.POSITIVE_INFINITY;
  return fleetMonthlyUsd / (fleetTokensAtFullUtilization * apiUsdPerOutputToken);
}

/**
 * Output tokens a second one replica costing `replicaMonthlyUsd` (its share
 * of the whole fleet's bill) must serve, at a utilization, for that bill to
 * equal what the API charges for the same tokens.
 */
export function breakEvenOutputTokensPerSecond(
  replicaMonthlyUsd: number,
  hoursPerMonth: number,
  utilization: number,
  apiUsdPerOutputToken: number,
): number {
  return replicaMonthlyUsd / (monthlyOutputTokensPerReplica(1, hoursPerMonth, utilization) * apiUsdPerOutputToken);
}
