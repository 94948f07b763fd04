import { computeLines, type CostLine } from "./fleet";
import { HOURS_PER_MONTH } from "./units";

/**
 * A priced hybrid: a self-hosted base of k replicas running all month
 * (spot allowed: the minutes a preempted replica is down go to the API) and
 * the API for every token above what the base serves, hour by hour. The
 * best k is searched from 0 (pure API) to the busiest hour's need (pure
 * self-hosting at peak).
 */

const SECONDS_PER_HOUR = 3600;

/** What the hybrid needs: the load, one replica, and the API's all-in price per output token. */
export interface HybridInputs {
  hourlyOutputTokens: readonly number[];
  replicaOutputTokensPerSecond: number;
  replicaHourlyUsd: number;
  nodesPerReplica: number;
  coldStartMinutes: number;
  preemptionsPerNodeDay: number;
  overheadShare: number;
  opsMonthlyUsd: number;
  /** The API's bill over its output tokens (input, cache and batch rates included): USD per output token. */
  apiUsdPerOutputToken: number;
}

/** One base size, priced. */
export interface HybridPoint {
  replicas: number;
  monthlyUsd: number;
  selfHostMonthlyUsd: number;
  apiMonthlyUsd: number;
  /** Share of output tokens the API serves. */
  apiShareOfOutputTokens: number;
}

/** The best base and every size tried. */
export interface Hybrid {
  best: HybridPoint;
  lines: CostLine[];
  points: HybridPoint[];
}

/** Share of a replica's time lost to spot preemptions: preemptions a replica-hour times the cold start. */
export function preemptedShare(
  inputs: Pick<HybridInputs, "nodesPerReplica" | "preemptionsPerNodeDay" | "coldStartMinutes">,
): number {
  return Math.min(1, ((inputs.nodesPerReplica * inputs.preemptionsPerNodeDay) / 24) * (inputs.coldStartMinutes / 60));
}

/** Output tokens above `capacityPerHour` summed over the hours, from the load sorted descending and its prefix sums. */
function overflowOf(sortedDesc: readonly number[], prefix: readonly number[], capacityPerHour: number): number {
  let lo = 0;
  let hi = sortedDesc.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedDesc[mid]! > capacityPerHour) lo = mid + 1;
    else hi = mid;
  }
  return prefix[lo]! - lo * capacityPerHour;
}

/** Prices bases of 0..peak replicas and returns the cheapest (the smallest k on a tie). */
export function priceHybrid(inputs: HybridInputs): Hybrid {
  const hours = inputs.hourlyOutputTokens.length;
  const toMonth = HOURS_PER_MONTH / hours;
  const sorted = [...inputs.hourlyOutputTokens].sort((a, b) => b - a);
  const prefix = [0];
  for (const t of sorted) prefix.push(prefix[prefix.length - 1]! + t);
  const total = prefix[prefix.length - 1]!;
  const lost = preemptedShare(inputs);
  const effectivePerHour = inputs.replicaOutputTokensPerSecond * SECONDS_PER_HOUR * (1 - lost);
  const peakK = effectivePerHour > 0 ? Math.ceil((sorted[0] ?? 0) / effectivePerHour - 1e-9) : 0;
  const coldStartUsd = (inputs.coldStartMinutes / 60) * inputs.replicaHourlyUsd;
  const replicaMonthUsd =
    HOURS_PER_MONTH *
    (inputs.replicaHourlyUsd * (1 + inputs.overheadShare) +
      (inputs.nodesPerReplica * inputs.preemptionsPerNodeDay * coldStartUsd) / 24);
  const points: HybridPoint[] = [];
  for (let k = 0; k <= peakK; k++) {
    const overflow = overflowOf(sorted, prefix, k * effectivePerHour);
    const selfHost = k > 0 ? k * replicaMonthUsd + inputs.opsMonthlyUsd : 0;
    const api = overflow * toMonth * inputs.apiUsdPerOutputToken;
    points.push({
      replicas: k,
      monthlyUsd: selfHost + api,
      selfHostMonthlyUsd: selfHost,
      apiMonthlyUsd: api,
      apiShareOfOutputTokens: total > 0 ? overflow / total : 0,
    });
  }
  const best = points.reduce((a, b) => (b.monthlyUsd < a.monthlyUsd ? b : a));
  return { best, points, lines: hybridLines(best, inputs, coldStartUsd) };
}

function hybridLines(best: HybridPoint, inputs: HybridInputs, coldStartUsd: number): CostLine[] {
  const k = best.replicas;
  const replicaHours = k * HOURS_PER_MONTH;
  const preemptions = k > 0 ? (replicaHours * inputs.nodesPerReplica * inputs.preemptionsPerNodeDay) / 24 : 0;
  const apiTokens = inputs.apiUsdPerOutputToken > 0 ? best.apiMonthlyUsd / inputs.apiUsdPerOutputToken : 0;
  return [
    ...computeLines(replicaHours, inputs),
    {
      name: "spot preemption",
      unit: "preemptions",
      monthlyQuantity: preemptions,
      unitUsd: coldStartUsd,
      monthlyUsd: preemptions * coldStartUsd,
    },
    {
      name: "ops",
      unit: "month",
      monthlyQuantity: k > 0 ? 1 : 0,
      unitUsd: inputs.opsMonthlyUsd,
      monthlyUsd: k > 0 ? inputs.opsMonthlyUsd : 0,
    },
    {
      name: "API overflow",
      unit: "output tokens",
      monthlyQuantity: apiTokens,
      unitUsd: inputs.apiUsdPerOutputToken,
      monthlyUsd: best.apiMonthlyUsd,
    },
  ];
}
