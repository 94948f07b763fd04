import type { Evaluation } from "../engine/evaluate";
import { describeLatencyTarget } from "../engine/latency-target";
import { cannotServeReason } from "../engine/verdict-sentence";
import { FLEET_HEADER, fleetRows, hybridLine, usageSpanLine } from "./fleets";
import { num, pct, textTable, tokens, usd } from "./format";

const VERDICT_LABEL: Record<Evaluation["verdict"], string> = {
  "self-host": "SELF-HOST",
  api: "USE THE API",
  "api-not-allowed": "SELF-HOST (API NOT ALLOWED)",
};

/** The compute line's label: the declared nodes, or the replica-hours of the fleet used when the workload came from usage. */
function computeLabel(e: Evaluation): string {
  const used = e.selfHost.fleets?.find((f) => f.kind === e.selfHost.fleetUsed);
  if (used)
    return `Compute (${used.kind}: ${num(used.replicaHoursPerMonth, 0)} replica-hours of ${e.node.machineType} ${e.node.pricing} at ${usd(e.node.hourlyUsd)}/h a node)`;
  return `Compute (${e.selfHost.nodes} x ${e.node.machineType} ${e.node.pricing} at ${usd(e.node.hourlyUsd)}/h)`;
}

/** The cost lines of self-hosting and the API, shared by the table and markdown renderers. */
export function costLines(e: Evaluation): [string, number][] {
  const m = e.selfHost.monthlyUsd;
  return [
    [computeLabel(e), m.compute],
    [`Overhead (${num(m.compute > 0 ? (m.overhead / m.compute) * 100 : 0, 0)} % of compute)`, m.overhead],
    ["Ops (people, monitoring)", m.ops],
    [e.selfHost.fleets?.length ? "Spot preemption and cold starts" : "Spot preemption", m.preemption],
    ...(m.oneTime > 0 ? [["One-time cost, amortized", m.oneTime] as [string, number]] : []),
    ["Self-hosting total", m.total],
    ...(m.tokenOverhead > 0
      ? [
          [
            `  of which token overhead (${num(e.workload.tokenOverheadPct, 0)} % more tokens served)`,
            m.tokenOverhead,
          ] as [string, number],
        ]
      : []),
    [`API (${e.api.provider} ${e.api.model})`, e.api.monthlyUsd],
  ];
}

/** How an estimate was made, in words. */
export function estimateMethodWords(method: Evaluation["selfHost"]["estimateMethod"]): string {
  return method === "scheduler-simulation" ? "vLLM V1 scheduler simulated, closed loop" : "closed form";
}

/** The throughput line: figure, source and, for an estimate, its method and error band. */
export function throughputLine(e: Evaluation): string {
  const c = e.selfHost.capacity;
  const base = `${num(c.outputTokensPerSecond, 0)} output tok/s per replica`;
  if (e.selfHost.throughputSource === "measured")
    return `${base} (measured: ${e.selfHost.measured?.reference ?? "stack config"})`;
  return `${base} (estimate ±${e.selfHost.errorBandPct} %, ${estimateMethodWords(e.selfHost.estimateMethod)}, at concurrency ${c.concurrency}, limited by ${c.bindingLimit})`;
}

/**
 * The savings line: a figure only when self-hosting can serve the workload at
 * all; otherwise why not, since a saving on a fleet that cannot do the job
 * contradicts the verdict.
 */
export function savingsLine(e: Evaluation): string {
  if (e.savingsMonthlyUsd !== null) return `${usd(e.savingsMonthlyUsd)} a month`;
  return `none: self-hosting cannot serve this workload (${cannotServeReason(e.selfHost.capacity)})`;
}

/** The latency line: the target the replica was sized against and where it comes from. */
export function latencyTargetLine(e: Evaluation): string {
  return describeLatencyTarget(e.latencyTarget);
}

/** The break-even in one sentence: utilization, volume, and the throughput a replica would need. */
export function breakEvenLine(e: Evaluation): string {
  const b = e.breakEven;
  const declared = tokens(e.workload.outputTokensPerMonth);
  const volume =
    b.monthlyOutputTokens === null
      ? `no output volume makes self-hosting cheaper (declared ${declared}; each added replica costs more per token than the API)`
      : `self-hosting is cheaper from ${tokens(b.monthlyOutputTokens)} output tokens a month (declared ${declared})`;
  const c = e.selfHost.capacity;
  const speed =
    c.outputTokensPerSecond > 0
      ? `; each replica would need ${num(b.outputTokensPerSecondPerReplica, 0)} output tok/s at ${pct(e.workload.utilization)} utilization (${num(b.outputTokensPerSecondPerReplica / c.outputTokensPerSecond, 1)}x its ${num(c.outputTokensPerSecond, 0)})`
      : "";
  return `${pct(b.utilization)} utilization of ${e.selfHost.replicas} replica(s); ${volume}${speed}`;
}

/** The usage span, the three fleets and the hybrid; nothing for typed volumes. */
function usageLines(e: Evaluation): string[] {
  const span = usageSpanLine(e);
  if (!span) return [];
  const rows = fleetRows(e);
  return [
    "",
    span,
    ...(rows.length ? [textTable([FLEET_HEADER, ...rows], [false, true, true, true, false, true])] : []),
    hybridLine(e) ?? "",
  ];
}

/** Plain-text report of an evaluation, for a terminal. */
export function renderEvaluationTable(e: Evaluation): string {
  const c = e.selfHost.capacity;
  const lines = [
    `Verdict: ${VERDICT_LABEL[e.verdict]}`,
    e.summary,
    "",
    textTable([["Monthly cost", "USD"], ...costLines(e).map(([label, value]) => [label, usd(value)])], [false, true]),
    ...usageLines(e),
    "",
    `Savings by self-hosting: ${savingsLine(e)}`,
    `Break-even: ${breakEvenLine(e)}`,
    `USD per 1M output tokens: ${usd(e.selfHost.usdPerMillionOutputTokens.computeAtFullUtilization)} compute at full load, ${usd(e.selfHost.usdPerMillionOutputTokens.withOverheadAtFullUtilization)} with overhead, ${usd(e.selfHost.usdPerMillionOutputTokens.allInAtDeclaredVolume)} all-in at the declared volume; API ${usd(e.api.usdPerMillionOutputTokensAllIn)} all-in`,
    "",
    `Model: ${e.model.displayName} (${e.model.weightDtype}, ${e.model.huggingFaceRepo}) on ${e.parallel.tensorParallel * e.parallel.pipelineParallel} x ${e.node.gpu} (TP ${e.parallel.tensorParallel}, PP ${e.parallel.pipelineParallel})`,
    `Memory per GPU: weights ${num(c.weightsGiBPerGpu, 2)} GiB, vLLM reserve ${num(c.reserveGiBPerGpu, 2)} GiB, KV cache ${num(c.kvCacheGiBPerGpu, 2)} GiB = ${tokens(c.kvCacheTokens)} tokens (${num(e.selfHost.kvBytesPerToken, 0)} B/token); ${c.fits ? `up to ${c.maxConcurrency} concurrent requests` : `does not fit: ${c.doesNotFitReason}`}`,
    `Latency target: ${latencyTargetLine(e)}`,
    `Throughput: ${throughputLine(e)}; ${c.latencySource === "measured" ? "measured" : "estimated"} ${num(c.perRequestOutputTokensPerSecond, 0)} tok/s per request, TTFT ${num(c.ttftMs, 0)} ms`,
    `Spot preemption: ${e.selfHost.preemptionAssumption}`,
    `Prices: node ${e.node.priceSource}${e.pricesAsOf.node ? ` as of ${e.pricesAsOf.node}` : ""}; API ${e.api.priceSource}${e.pricesAsOf.api ? ` (${e.pricesAsOf.api})` : ""}${e.api.note ? `, ${e.api.note}` : ""}; calibration ${e.pricesAsOf.calibration}`,
  ];
  for (const w of e.warnings) lines.push(`Warning: ${w}`);
  return lines.join("\n");
}
