import type { Evaluation } from "../engine/evaluate";
import { pct, tokens, usd } from "../engine/format";

/** Cents: stack outputs are read by people; the engine keeps full precision. */
const cents = (x: number) => Math.round(x * 100) / 100;
/** JSON has no Infinity: an unreachable figure is null. */
const finite = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * The verdict in one line, logged during preview: the engine's summary, the
 * break-even, and the price dates.
 */
export function verdictLine(evaluation: Evaluation): string {
  const be = evaluation.breakEven;
  const volume =
    be.monthlyOutputTokens === null
      ? "never at these prices"
      : `${tokens(be.monthlyOutputTokens)} output tokens a month`;
  return (
    `llm-breakeven (verdict: ${evaluation.verdict}): ${evaluation.summary} ` +
    `Break-even at ${pct(be.utilization)} utilization of this fleet, or ${volume}; ` +
    `self-host ${usd(evaluation.selfHost.usdPerMillionOutputTokens.allInAtDeclaredVolume)} vs API ${usd(evaluation.api.usdPerMillionOutputTokensAllIn)} per 1M output tokens ` +
    `(node price as of ${evaluation.pricesAsOf.node ?? "override"}, API price ${evaluation.pricesAsOf.api ?? "override"}).`
  );
}

/** True when the log line should be a warning: the API wins, or self-hosting is forced without it paying off. */
export function verdictIsWarning(evaluation: Evaluation): boolean {
  return evaluation.verdict !== "self-host";
}

/** The stack outputs: verdict, monthly cost by line item, API cost, break-even, USD per 1M output tokens, price dates. */
export function stackOutputs(evaluation: Evaluation) {
  const m = evaluation.selfHost.monthlyUsd;
  return {
    verdict: evaluation.verdict,
    summary: evaluation.summary,
    selfHostMonthlyUsd: {
      compute: cents(m.compute),
      overhead: cents(m.overhead),
      ops: cents(m.ops),
      preemption: cents(m.preemption),
      total: cents(m.total),
    },
    apiMonthlyUsd: cents(evaluation.api.monthlyUsd),
    // Null when self-hosting cannot serve: there is nothing to save (README, JSON contract).
    savingsMonthlyUsd: evaluation.savingsMonthlyUsd === null ? null : cents(evaluation.savingsMonthlyUsd),
    breakEvenUtilization: finite(evaluation.breakEven.utilization),
    breakEvenMonthlyOutputTokens: evaluation.breakEven.monthlyOutputTokens,
    usdPerMillionOutputTokens: {
      selfHostAllInAtDeclaredVolume: finite(cents(evaluation.selfHost.usdPerMillionOutputTokens.allInAtDeclaredVolume)),
      selfHostComputeAtFullUtilization: finite(
        cents(evaluation.selfHost.usdPerMillionOutputTokens.computeAtFullUtilization),
      ),
      apiAllIn: cents(evaluation.api.usdPerMillionOutputTokensAllIn),
    },
    replicas: evaluation.selfHost.replicas,
    nodes: evaluation.selfHost.nodes,
    pricesAsOf: {
      node: evaluation.pricesAsOf.node ?? "override",
      api: evaluation.pricesAsOf.api ?? "override",
      calibration: evaluation.pricesAsOf.calibration,
    },
  };
}
