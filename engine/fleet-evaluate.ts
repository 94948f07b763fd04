import type { Assumptions } from "./assumptions";
import {
  cheapestMeetingTarget,
  costFleets,
  type CostLine,
  type Fleet,
  type FleetInputs,
  type FleetKind,
} from "./fleet";
import { priceHybrid, type HybridPoint } from "./hybrid";
import type { Scenario } from "./scenario";

/**
 * What evaluate() adds when the workload comes from usage (an hourly
 * profile): the three fleets, the one used (the cheapest that serves every
 * hour at the latency target), and the priced hybrid. Utilization is then
 * an output of the fleet, not the scenario's guess.
 */

/** The usage an evaluation follows hour by hour. */
export interface UsageProfile {
  /** Output tokens in each hour of the span, oldest first (API-side tokens, before tokenOverheadPct). */
  hourlyOutputTokens: readonly number[];
  span: { start: string; end: string; hours: number };
  /** The files the profile came from, for reports. */
  files: readonly string[];
  /** What the derivation warned about (a thin span, daily buckets). */
  warnings: readonly string[];
}

/** A fleet as the evaluate JSON shows it (the hour-by-hour replicas stay out of the JSON; the chart reads them). */
export type FleetSummary = Omit<Fleet, "replicasByHour" | "preemptionsPerMonth">;

/** The hybrid beside pure self-hosting and pure API. */
export interface HybridSummary {
  /** Self-hosted base replicas of the cheapest split; 0 means pure API is cheapest. */
  replicas: number;
  monthlyUsd: number;
  selfHostMonthlyUsd: number;
  apiMonthlyUsd: number;
  apiShareOfOutputTokens: number;
  lines: CostLine[];
  /** Every base size tried, 0 (pure API) to the busiest hour's need. */
  points: HybridPoint[];
}

/** Everything usage adds to selfHost. */
export interface UsageFleets {
  usageSpan: UsageProfile["span"] & { files: readonly string[] };
  fleets: FleetSummary[];
  fleetUsed: FleetKind | null;
  hybrid: HybridSummary;
  /** Replicas each fleet runs in each hour (for the chart; not in the JSON). */
  replicasByHour: Record<FleetKind, number[]>;
}

/** Spot preemptions per node per day as evaluate() assumes them. */
export function preemptionsPerNodeDay(node: Scenario["node"], assumptions: Assumptions): number {
  return node.preemptionsPerDay ?? (node.pricing === "spot" ? assumptions.spot.defaultPreemptionsPerDay : 0);
}

/** What the fleets and the hybrid need, from the scenario and the evaluation's own figures. */
export interface FleetContext {
  scenario: Scenario;
  assumptions: Assumptions;
  usage: UsageProfile;
  replicaOutputTokensPerSecond: number;
  nodeHourlyUsd: number;
  declaredReplicas: number;
  coldStartMinutes: number;
  opsMonthlyUsd: number;
  /** The API's bill per output token it serves. */
  apiUsdPerOutputToken: number;
  canServe: boolean;
}

function summary(f: Fleet): FleetSummary {
  const { replicasByHour: _hours, preemptionsPerMonth: _p, ...rest } = f;
  return rest;
}

/**
 * Costs the three fleets and the hybrid on the usage's hours. The
 * self-hosted side serves workload.tokenOverheadPct more tokens (retries,
 * safety passes) than the API would bill.
 */
export function usageFleets(c: FleetContext): UsageFleets {
  const overhead = 1 + (c.scenario.workload.tokenOverheadPct ?? 0) / 100;
  const hourly = overhead === 1 ? c.usage.hourlyOutputTokens : c.usage.hourlyOutputTokens.map((t) => t * overhead);
  const inputs: FleetInputs = {
    hourlyOutputTokens: hourly,
    replicaOutputTokensPerSecond: c.replicaOutputTokensPerSecond,
    replicaHourlyUsd: c.nodeHourlyUsd * c.scenario.node.nodesPerReplica,
    nodesPerReplica: c.scenario.node.nodesPerReplica,
    minReplicas: c.scenario.replicas.min,
    maxReplicas: c.scenario.replicas.max,
    declaredReplicas: c.declaredReplicas,
    coldStartMinutes: c.coldStartMinutes,
    preemptionsPerNodeDay: preemptionsPerNodeDay(c.scenario.node, c.assumptions),
    overheadShare: c.scenario.ops.overheadPct / 100,
    opsMonthlyUsd: c.opsMonthlyUsd,
  };
  const fleets = c.canServe && c.replicaOutputTokensPerSecond > 0 ? costFleets(inputs) : [];
  const used = cheapestMeetingTarget(fleets);
  const hybrid = priceHybrid({
    ...inputs,
    replicaOutputTokensPerSecond: fleets.length ? c.replicaOutputTokensPerSecond : 0,
    apiUsdPerOutputToken: c.apiUsdPerOutputToken / overhead,
  });
  const byKind = Object.fromEntries(fleets.map((f) => [f.kind, f.replicasByHour])) as Record<FleetKind, number[]>;
  return {
    usageSpan: { ...c.usage.span, files: c.usage.files },
    fleets: fleets.map(summary),
    fleetUsed: used?.kind ?? null,
    hybrid: { ...hybrid.best, lines: hybrid.lines, points: hybrid.points },
    replicasByHour: byKind,
  };
}
