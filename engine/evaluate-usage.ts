import type { Evaluation, EvaluationInputs, Verdict } from "./evaluation-types";
import { usageFleets, type FleetContext, type FleetSummary } from "./fleet-evaluate";
import { verdictSentence, wholeUsd } from "./verdict-sentence";

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
  const span = `${(e.selfHost.usageSpan!.hours / 24).toFixed(0)} days of usage`;
  const hybrid = e.selfHost.hybrid!;
  const hybridNote =
    hybrid.replicas > 0 && hybrid.apiShareOfOutputTokens > 0
      ? ` A hybrid of ${hybrid.replicas} replica${hybrid.replicas === 1 ? "" : "s"} plus API overflow costs ${wholeUsd(hybrid.monthlyUsd)}.`
      : "";
  const compared = { apiMonthlyUsd: e.api.monthlyUsd, apiModel: e.api.model, basis: span };
  if (!used) {
    const cannotServe = `no fleet of ${e.model.displayName} on ${e.node.machineType} within replicas.max serves every hour of ${span} at the latency target`;
    return verdictSentence({
      ...compared,
      verdict: "api",
      host: "",
      selfHostMonthlyUsd: 0,
      cannotServe,
      note: hybridNote,
    });
  }
  const fleet = `${e.model.displayName} on ${e.node.machineType} (${e.node.pricing}), ${used.kind} (${Math.round(used.replicaHoursPerMonth)} replica-hours a month, ${(used.utilization * 100).toFixed(0)} % utilized)`;
  const total = e.selfHost.monthlyUsd.total;
  // The API-not-allowed sentence names no hybrid: there is no API to overflow to.
  const note = verdict === "api-not-allowed" ? "" : hybridNote;
  return verdictSentence({ ...compared, verdict, host: fleet, selfHostMonthlyUsd: total, note });
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
