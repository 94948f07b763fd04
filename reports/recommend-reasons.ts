import { isSuspiciouslyCheap } from "../engine/price-flags";
import type { Recommendation, RecommendOption, SelfHostPlan } from "../engine/recommend";
import { num, pct, tokens, usd } from "./format";

/** The node layout in a few words: `TP 8`, `TP 4 x PP 2`. */
export function layoutLabel(plan: SelfHostPlan): string {
  const { tensorParallel, pipelineParallel } = plan.parallel;
  return pipelineParallel > 1 ? `TP ${tensorParallel} x PP ${pipelineParallel}` : `TP ${tensorParallel}`;
}

function fleetLabel(plan: SelfHostPlan): string {
  const nodes = plan.nodesPerReplica > 1 ? ` (${plan.nodesPerReplica} nodes each)` : "";
  return `${plan.replicas} x ${plan.machineType}${nodes} ${plan.pricing} in ${plan.region}, ${layoutLabel(plan)}`;
}

/** One line naming an option; a flagged price is marked with `[!]`. */
export function optionLabel(o: RecommendOption, rec: Recommendation): string {
  if (o.kind === "api") return `API: ${rec.api.provider} ${rec.api.model}`;
  if (!o.selfHost) return o.kind;
  const mark = o.selfHost.priceFlags.length ? " [!]" : "";
  if (o.kind === "hybrid" && o.hybrid)
    return `Hybrid: ${fleetLabel(o.selfHost)} for ${pct(o.hybrid.selfHostedShare)} of traffic, the rest to ${rec.api.model}${mark}`;
  return `${fleetLabel(o.selfHost)}${mark}`;
}

/** What the price checks say of an option's node price, as one clause; empty when it passed. */
export function flagsClause(o: RecommendOption): string {
  const flags = o.selfHost?.priceFlags ?? [];
  if (!flags.length) return "";
  const demoted = isSuspiciouslyCheap(flags) ? " (ranked after checked prices: an outlier never wins on its own)" : "";
  return ` [!] Price check: ${flags.map((f) => f.message).join("; ")}${demoted}.`;
}

function regionNote(plan: SelfHostPlan): string {
  if (plan.regionsPriced <= 1 || !plan.nextRegion) return "the only allowed region with this price";
  return `cheapest of ${plan.regionsPriced} regions (next: ${plan.nextRegion.region} at ${usd(plan.nextRegion.hourlyUsd)}/h)`;
}

/** What an option is made of, in one clause; the node price is left out where the comparison already names it. */
function facts(o: RecommendOption, rec: Recommendation, withPrice = true): string {
  const plan = o.selfHost;
  if (o.kind === "api" || !plan)
    return `no fixed cost: ${usd(o.usdPerMillionOutputTokens)} per 1M output tokens all-in`;
  const speed = `${num(plan.outputTokensPerSecondPerReplica, 0)} output tok/s per replica (${plan.throughputSource})`;
  if (o.kind === "hybrid" && o.hybrid) {
    return `${plan.replicas} replica(s) serve ${tokens(o.hybrid.selfHostedOutputTokensPerMonth)} output tokens at the expected utilization (${usd(o.hybrid.selfHostMonthlyUsd)}); ${rec.api.model} takes the rest (${usd(o.hybrid.apiMonthlyUsd)}) instead of one more replica that would idle`;
  }
  return `${speed}${withPrice ? ` at ${usd(plan.hourlyUsd)}/h a node` : ""}, ${regionNote(plan)}`;
}

/** Why an option costs more than the winner, where the two can be compared. */
function cause(o: RecommendOption, winner: RecommendOption): string | undefined {
  const a = o.selfHost;
  const b = winner.selfHost;
  if (o.kind === "api" && winner.kind !== "api")
    return `the API charges ${usd(o.usdPerMillionOutputTokens)} per 1M output tokens against ${usd(winner.usdPerMillionOutputTokens)} all-in for #1 at this volume`;
  if (o.kind !== "api" && winner.kind === "api")
    return `the fleet's fixed cost is more than the whole API bill at this volume`;
  if (!a || !b || o.kind !== "self-host" || winner.kind !== "self-host") return undefined;
  const parts: string[] = [];
  if (a.replicas * a.nodesPerReplica !== b.replicas * b.nodesPerReplica)
    parts.push(`${a.replicas * a.nodesPerReplica} node(s) against ${b.replicas * b.nodesPerReplica}`);
  if (Math.abs(a.hourlyUsd - b.hourlyUsd) > 0.005)
    parts.push(`${usd(a.hourlyUsd)}/h a node against ${usd(b.hourlyUsd)}/h`);
  const preemption = (x: RecommendOption) => x.evaluation?.selfHost.monthlyUsd.preemption ?? 0;
  if (preemption(o) - preemption(winner) > 1) parts.push(`${usd(preemption(o))} a month of spot preemption`);
  return parts.length ? parts.join(", ") : undefined;
}

// Totals within half a cent are the same price.
const HALF_CENT = 0.005;

/** Why an option wins (rank 1) or loses, in a sentence. */
export function optionReason(o: RecommendOption, rec: Recommendation): string {
  const winner = rec.options[0];
  const runnerUp = rec.options[1];
  if (!winner || o.rank === 1) {
    if (!runnerUp) return `The only option: ${facts(o, rec)}.${flagsClause(o)}`;
    const margin = runnerUp.monthlyUsd - o.monthlyUsd;
    const nodes = (x: RecommendOption) => (x.selfHost ? x.selfHost.replicas * x.selfHost.nodesPerReplica : 0);
    const tie = nodes(o) < nodes(runnerUp) ? "Ties with #2 on cost and runs fewer nodes" : "Ties with #2 on cost";
    const lead =
      margin < -HALF_CENT
        ? `Cheapest on a checked price (#2 is ${usd(-margin)} a month less on a flagged one)`
        : margin < HALF_CENT
          ? tie
          : `Wins by ${usd(margin)} a month over #2`;
    return `${lead}; ${facts(o, rec)}.${flagsClause(o)}`;
  }
  const extra = o.monthlyUsd - winner.monthlyUsd;
  const why = cause(o, winner);
  const lead =
    extra < -HALF_CENT
      ? `${usd(-extra)} a month less than #1 on a flagged price`
      : extra < HALF_CENT
        ? "Costs the same as #1"
        : `${usd(extra)} a month more than #1`;
  return `${lead}${why ? `: ${why}` : ""}; ${facts(o, rec, !why?.includes("/h a node"))}.${flagsClause(o)}`;
}
