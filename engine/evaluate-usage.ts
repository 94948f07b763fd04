import type { Evaluation, EvaluationInputs, Verdict } from "./evaluation-types";
import { usageFleets, type FleetContext, type FleetSummary } from "./fleet-evaluate";

/**
 * evaluate() with an hourly profile: the self-hosted cost is the fleet
 * used (the cheapest of fixed-peak, fixed-declared and autoscaled that
 * serves every hour at the latency target), its utilization replaces the
 * scenario's guess, and the verdict and summary follow. The API side is
 * already priced on the same tokens (the monthly figures come from the same
 * hours; the cache and batch shares from the export).
 */

/** The fleets' inputs from an evaluation and its inputs (the chart calls this too, for the replicas by hour). */
export function fleetContext(e: Evaluation, inputs: EvaluationInputs): FleetContext {
  if (!inputs.usage) throw new RangeError("fleetContext needs inputs.usage");
  return {
    scenario: inputs.scenario,
    assumptions: inputs.assumptions,
    usage: inputs.usage,
    replicaOutputTokensPerSecond: e.selfHost.capacity.outputTokensPerSecond,
    nodeHourlyUsd: e.node.hourlyUsd,
    declaredReplicas: e.selfHost.replicas,
    coldStartMinutes: e.selfHost.coldStartMinutes,
    opsMonthlyUsd: e.selfHost.monthlyUsd.ops,
    apiUsdPerOutputToken: e.api.monthlyUsd / e.workload.outputTokensPerMonth,
    canServe: e.selfHost.capacity.canServe,
  };
}

function monthlyFromFleet(
  f: FleetSummary,
  e: Evaluation,
  tokenOverheadPct: number,
): Evaluation["selfHost"]["monthlyUsd"] {
  const line = (name: string) => f.lines.find((l) => l.name === name)?.monthlyUsd ?? 0;
  const compute = line("compute");
  const overhead = line("overhead");
  const preemption = line("cold starts") + line("spot preemption");
  const share = tokenOverheadPct / 100;
  const oneTime = e.selfHost.monthlyUsd.oneTime;
  return {
    compute,
    overhead,
    ops: line("ops"),
    preemption,
    oneTime,
    tokenOverhead: ((compute + overhead + preemption) * share) / (1 + share),
    total: f.monthlyUsd + oneTime,
  };
}

function verdictOf(e: Evaluation, used: FleetSummary | undefined, savings: number): Verdict {
  if (!e.api.allowed) return "api-not-allowed";
  if (!used) return "api";
  return savings > 0 ? "self-host" : "api";
}

function summaryOf(e: Evaluation, used: FleetSummary | undefined, verdict: Verdict): string {
  const usd = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;
  const span = `${(e.selfHost.usageSpan!.hours / 24).toFixed(0)} days of usage`;
  const hybrid = e.selfHost.hybrid!;
  const hybridNote =
    hybrid.replicas > 0 && hybrid.apiShareOfOutputTokens > 0
      ? ` A hybrid of ${hybrid.replicas} replica${hybrid.replicas === 1 ? "" : "s"} plus API overflow costs ${usd(hybrid.monthlyUsd)}.`
      : "";
  if (!used) {
    return `The API wins: no fleet of ${e.model.displayName} on ${e.node.machineType} within replicas.max serves every hour of ${span} at the latency target; the API costs ${usd(e.api.monthlyUsd)} a month.${hybridNote}`;
  }
  const fleet = `${e.model.displayName} on ${e.node.machineType} (${e.node.pricing}), ${used.kind} (${Math.round(used.replicaHoursPerMonth)} replica-hours a month, ${(used.utilization * 100).toFixed(0)} % utilized)`;
  const total = e.selfHost.monthlyUsd.total;
  if (verdict === "api-not-allowed")
    return `The API is not allowed for this workload, so self-hosting is the only option: ${fleet} costs ${usd(total)} a month, following ${span}.`;
  if (verdict === "self-host")
    return `Self-host: ${fleet} costs ${usd(total)} a month against ${usd(e.api.monthlyUsd)} for ${e.api.model} on ${span}, saving ${usd(e.api.monthlyUsd - total)}.${hybridNote}`;
  return `The API wins: ${fleet} costs ${usd(total)} a month against ${usd(e.api.monthlyUsd)} for ${e.api.model} on ${span}.${hybridNote}`;
}

/** Fills the fleets, the hybrid and the usage span into a fresh evaluation and re-derives its cost and verdict from the fleet used. */
export function applyUsage(e: Evaluation, inputs: EvaluationInputs): Evaluation {
  const uf = usageFleets(fleetContext(e, inputs));
  const used = uf.fleets.find((f) => f.kind === uf.fleetUsed);
  Object.assign(e.selfHost, { fleets: uf.fleets, fleetUsed: uf.fleetUsed, hybrid: uf.hybrid, usageSpan: uf.usageSpan });
  e.warnings.push(...(inputs.usage?.warnings ?? []));
  const peak = uf.fleets.find((f) => f.kind === "fixed-peak");
  if (peak && peak.peakReplicas > inputs.scenario.replicas.max) {
    e.warnings.push(
      `The busiest hour needs ${peak.peakReplicas} replicas, more than replicas.max ${inputs.scenario.replicas.max}: the autoscaled fleet cannot serve it.`,
    );
  }
  if (used) {
    e.selfHost.monthlyUsd = monthlyFromFleet(used, e, inputs.scenario.workload.tokenOverheadPct);
    e.workload = { ...e.workload, utilization: used.utilization };
  } else if (e.selfHost.capacity.canServe)
    e.warnings.push("No fleet serves every hour of the usage at the latency target within replicas.min..max.");
  e.savingsMonthlyUsd = e.api.monthlyUsd - e.selfHost.monthlyUsd.total;
  e.verdict = verdictOf(e, used, e.savingsMonthlyUsd);
  e.summary = summaryOf(e, used, e.verdict);
  return e;
}
