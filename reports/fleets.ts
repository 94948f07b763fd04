import type { Evaluation } from "../engine/evaluate";
import { HOURS_PER_MONTH } from "../engine/units";
import { num, pct, tokens, usd } from "./format";

/**
 * The fleets, the hybrid and the usage span of an evaluation whose workload
 * came from usage (workload.fromUsage); empty for typed volumes. Rows are
 * data that the table and markdown renderers both walk.
 */
export function fleetRows(e: Evaluation): string[][] {
  const fleets = e.selfHost.fleets ?? [];
  return fleets.map((f) => [
    `${f.kind}${f.kind === e.selfHost.fleetUsed ? " (used)" : ""}`,
    num(f.replicaHoursPerMonth, 0),
    String(f.peakReplicas),
    pct(f.utilization),
    f.meetsTarget ? "yes" : `no (${f.hoursOverCapacity} h over)`,
    usd(f.monthlyUsd),
  ]);
}

/** The header of the fleet rows. */
export const FLEET_HEADER = [
  "Fleet",
  "Replica-hours/month",
  "Peak replicas",
  "Utilization",
  "Serves every hour",
  "USD/month",
];

/** The usage span, one line. */
export function usageSpanLine(e: Evaluation): string | undefined {
  const s = e.selfHost.usageSpan;
  if (!s) return undefined;
  return `Usage: ${s.start.slice(0, 16)}Z to ${s.end.slice(0, 16)}Z (${num(s.hours / 24, 1)} days) from ${s.files.join(", ")}; monthly figures scaled to ${HOURS_PER_MONTH} hours`;
}

/** The hybrid beside pure self-hosting and pure API, one line. */
export function hybridLine(e: Evaluation): string | undefined {
  const h = e.selfHost.hybrid;
  if (!h) return undefined;
  if (h.replicas === 0)
    return `Hybrid: no self-hosted base pays; pure API (${usd(e.api.monthlyUsd)}) is the cheapest split`;
  if (h.apiShareOfOutputTokens === 0)
    return `Hybrid: no API overflow pays; the cheapest split is ${h.replicas} replica${h.replicas === 1 ? "" : "s"} all month (${usd(h.monthlyUsd)}), against ${usd(e.selfHost.monthlyUsd.total)} self-hosted and ${usd(e.api.monthlyUsd)} API`;
  const apiTokens = h.lines.find((l) => l.name === "API overflow")?.monthlyQuantity ?? 0;
  return `Hybrid: ${h.replicas} replica${h.replicas === 1 ? "" : "s"} all month (${usd(h.selfHostMonthlyUsd)}) + API overflow ${tokens(apiTokens)} output tokens (${pct(h.apiShareOfOutputTokens)}, ${usd(h.apiMonthlyUsd)}) = ${usd(h.monthlyUsd)} a month, against ${usd(e.selfHost.monthlyUsd.total)} self-hosted and ${usd(e.api.monthlyUsd)} API`;
}
