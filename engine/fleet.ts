/**
 * Fleets that follow an hourly profile: fixed at the peak, fixed at the
 * declared replicas, and autoscaled hour by hour within replicas.min..max.
 * Pure arithmetic over the hours of the usage span, scaled to a 730-hour
 * month. Cost lines are data (name, quantity, unit price) that every
 * renderer walks, as Infracost's cost components.
 */

import { HOURS_PER_MONTH } from "./units";

const SECONDS_PER_HOUR = 3600;

/** The three fleets costed side by side. */
export type FleetKind = "fixed-peak" | "fixed-declared" | "autoscaled";

/** One priced line: a quantity a month at a unit price (Infracost's cost component). */
export interface CostLine {
  name: string;
  /** E.g. "replica-hours", "cold starts", "month". */
  unit: string;
  monthlyQuantity: number;
  unitUsd: number;
  monthlyUsd: number;
}

/** What the fleets need to know about one replica and the traffic. */
export interface FleetInputs {
  /** Output tokens in each hour of the span (self-hosted side, overhead included). */
  hourlyOutputTokens: readonly number[];
  /** Output tokens a second one replica serves at the latency target. */
  replicaOutputTokensPerSecond: number;
  /** USD an hour of one replica (all its nodes). */
  replicaHourlyUsd: number;
  nodesPerReplica: number;
  minReplicas: number;
  maxReplicas: number;
  /** Replicas the typed stack declares (the evaluate sizing): the fixed-declared fleet. */
  declaredReplicas: number;
  /** Minutes a new or replacement replica bills before it serves. */
  coldStartMinutes: number;
  /** Spot preemptions per node per day (0 for on-demand and committed use). */
  preemptionsPerNodeDay: number;
  /** Overhead on compute (storage, software, evals), a share: 0.3 for 30 %. */
  overheadShare: number;
  /** Ops (people, monitoring), USD a month. */
  opsMonthlyUsd: number;
}

/** One fleet, priced. */
export interface Fleet {
  kind: FleetKind;
  replicaHoursPerMonth: number;
  monthlyUsd: number;
  /** Output tokens served over what the replicas running could serve: an output, not a guess. */
  utilization: number;
  /** Every hour's load is served at the latency target. */
  meetsTarget: boolean;
  /** Hours (in the span) whose load exceeds what the fleet runs. */
  hoursOverCapacity: number;
  peakReplicas: number;
  scaleUpsPerMonth: number;
  preemptionsPerMonth: number;
  lines: CostLine[];
  /** Replicas running in each hour of the span (for the chart). */
  replicasByHour: number[];
}

/** Replicas each hour's load needs at the latency target (at least 0). */
export function replicasNeededByHour(hourly: readonly number[], replicaOutputTokensPerSecond: number): number[] {
  const perHour = replicaOutputTokensPerSecond * SECONDS_PER_HOUR;
  // A hair of tolerance so 3.6M tokens at 3.6M a replica-hour is one replica, not two.
  return hourly.map((t) => (t <= 0 ? 0 : perHour > 0 ? Math.ceil(t / perHour - 1e-9) : Number.POSITIVE_INFINITY));
}

/** Scale-ups over the span, the profile taken as repeating (the last hour precedes the first). */
export function scaleUps(replicasByHour: readonly number[]): number {
  let ups = 0;
  for (let h = 0; h < replicasByHour.length; h++) {
    const prev = replicasByHour[h === 0 ? replicasByHour.length - 1 : h - 1]!;
    ups += Math.max(0, replicasByHour[h]! - prev);
  }
  return ups;
}

/** Prices a fleet that runs `replicasByHour` against the load. */
export function priceFleet(
  kind: FleetKind,
  replicasByHour: number[],
  inputs: FleetInputs,
  countScaleUps: boolean,
): Fleet {
  const perHour = inputs.replicaOutputTokensPerSecond * SECONDS_PER_HOUR;
  const hours = inputs.hourlyOutputTokens.length;
  const toMonth = HOURS_PER_MONTH / hours;
  let replicaHours = 0;
  let served = 0;
  let over = 0;
  let peak = 0;
  for (let h = 0; h < hours; h++) {
    const r = replicasByHour[h]!;
    const load = inputs.hourlyOutputTokens[h]!;
    replicaHours += r;
    peak = Math.max(peak, r);
    served += Math.min(load, r * perHour);
    if (load > r * perHour * (1 + 1e-9)) over++;
  }
  const ups = countScaleUps ? scaleUps(replicasByHour) : 0;
  const preemptions = (replicaHours * inputs.nodesPerReplica * inputs.preemptionsPerNodeDay) / 24;
  const coldStartUsd = (inputs.coldStartMinutes / 60) * inputs.replicaHourlyUsd;
  const lines = fleetLines(replicaHours * toMonth, ups * toMonth, preemptions * toMonth, coldStartUsd, inputs);
  return {
    kind,
    replicaHoursPerMonth: replicaHours * toMonth,
    monthlyUsd: lines.reduce((a, l) => a + l.monthlyUsd, 0),
    utilization: replicaHours > 0 ? served / (replicaHours * perHour) : 0,
    meetsTarget: over === 0,
    hoursOverCapacity: over,
    peakReplicas: peak,
    scaleUpsPerMonth: ups * toMonth,
    preemptionsPerMonth: preemptions * toMonth,
    lines,
    replicasByHour,
  };
}

/** The compute and overhead cost lines of some replica-hours: shared by every fleet and the hybrid. */
export function computeLines(
  replicaHours: number,
  inputs: { replicaHourlyUsd: number; overheadShare: number },
): CostLine[] {
  const compute = replicaHours * inputs.replicaHourlyUsd;
  return [
    {
      name: "compute",
      unit: "replica-hours",
      monthlyQuantity: replicaHours,
      unitUsd: inputs.replicaHourlyUsd,
      monthlyUsd: compute,
    },
    {
      name: "overhead",
      unit: "share of compute",
      monthlyQuantity: inputs.overheadShare,
      unitUsd: compute,
      monthlyUsd: compute * inputs.overheadShare,
    },
  ];
}

function fleetLines(
  replicaHours: number,
  ups: number,
  preemptions: number,
  coldStartUsd: number,
  inputs: FleetInputs,
): CostLine[] {
  return [
    ...computeLines(replicaHours, inputs),
    {
      name: "cold starts",
      unit: "scale-ups",
      monthlyQuantity: ups,
      unitUsd: coldStartUsd,
      monthlyUsd: ups * coldStartUsd,
    },
    {
      name: "spot preemption",
      unit: "preemptions",
      monthlyQuantity: preemptions,
      unitUsd: coldStartUsd,
      monthlyUsd: preemptions * coldStartUsd,
    },
    { name: "ops", unit: "month", monthlyQuantity: 1, unitUsd: inputs.opsMonthlyUsd, monthlyUsd: inputs.opsMonthlyUsd },
  ];
}

/**
 * The three fleets: fixed at the busiest hour's need (at least
 * replicas.min; not capped by replicas.max, which it may exceed), fixed at
 * the declared replicas, and autoscaled (each hour the replicas its load
 * needs, clamped to replicas.min..max; each scale-up bills one cold start).
 */
export function costFleets(inputs: FleetInputs): Fleet[] {
  const needed = replicasNeededByHour(inputs.hourlyOutputTokens, inputs.replicaOutputTokensPerSecond);
  let peak = inputs.minReplicas;
  for (const n of needed) if (Number.isFinite(n) && n > peak) peak = n;
  const hours = needed.length;
  const autoscaled = needed.map((n) => Math.min(inputs.maxReplicas, Math.max(inputs.minReplicas, n)));
  return [
    priceFleet("fixed-peak", new Array<number>(hours).fill(peak), inputs, false),
    priceFleet("fixed-declared", new Array<number>(hours).fill(inputs.declaredReplicas), inputs, false),
    priceFleet("autoscaled", autoscaled, inputs, true),
  ];
}

/** The cheapest fleet that serves every hour at the target; undefined when none does. */
export function cheapestMeetingTarget(fleets: readonly Fleet[]): Fleet | undefined {
  return fleets.filter((f) => f.meetsTarget).sort((a, b) => a.monthlyUsd - b.monthlyUsd)[0];
}
