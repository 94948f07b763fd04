import { stringify } from "yaml";
import type { Recommendation, RecommendOption } from "../engine/recommend";
import type { Scenario } from "../engine/scenario";
import { pct, tokens } from "./format";

/** The option the snippet stands up: the best one that self-hosts anything. */
export function snippetOption(rec: Recommendation): RecommendOption | undefined {
  return rec.options.find((o) => o.selfHost !== undefined);
}

/**
 * The `config:` keys of a Pulumi stack (`llm-breakeven:` namespace) that
 * stand up an option: model, node, replicas, and for a hybrid the share of
 * the workload the stack serves. Merged over the declared stack config they
 * reproduce the option's monthly cost.
 */
export function stackConfigFor(option: RecommendOption, scenario: Scenario): Record<string, unknown> {
  const plan = option.selfHost;
  if (!plan) throw new Error("stackConfigFor needs a self-hosted option");
  const node: Record<string, unknown> = {
    machineType: plan.machineType,
    region: plan.region,
    pricing: plan.pricing,
    tensorParallel: plan.parallel.tensorParallel,
    pipelineParallel: plan.parallel.pipelineParallel,
  };
  if (plan.nodesPerReplica > 1) node.nodesPerReplica = plan.nodesPerReplica;
  if (plan.pricing === "spot" && scenario.node.pricing === "spot" && scenario.node.preemptionsPerDay !== undefined)
    node.preemptionsPerDay = scenario.node.preemptionsPerDay;
  if (scenario.node.coldStartMinutes !== undefined) node.coldStartMinutes = scenario.node.coldStartMinutes;
  const config: Record<string, unknown> = {
    "gcp:region": plan.region,
    "llm-breakeven:model": scenario.model,
    ...(scenario.weightDtype !== undefined ? { "llm-breakeven:weightDtype": scenario.weightDtype } : {}),
    "llm-breakeven:node": node,
    // The option is priced with this many replicas running all month; min pins it, max keeps the declared headroom.
    "llm-breakeven:replicas":
      option.kind === "hybrid"
        ? { min: plan.replicas, max: plan.replicas }
        : { min: plan.replicas, max: Math.max(plan.replicas, scenario.replicas.max) },
  };
  if (option.kind === "hybrid" && option.hybrid) {
    const share = option.hybrid.selfHostedShare;
    const w = scenario.workload;
    config["llm-breakeven:workload"] = {
      ...w,
      inputTokensPerMonth: w.inputTokensPerMonth * share,
      outputTokensPerMonth: w.outputTokensPerMonth * share,
    };
  }
  return { config };
}

/** The snippet as YAML with comments saying what it is and what to check. */
export function renderStackSnippet(rec: Recommendation, scenario: Scenario): string {
  const option = snippetOption(rec);
  const winner = rec.options[0];
  if (!option)
    return "# No machine type in the catalog can serve this model under these constraints: nothing to stand up.";
  const notes: string[] = [];
  if (winner && winner.kind === "api")
    notes.push(
      `# #1 is the API (${rec.api.provider} ${rec.api.model}): no stack to stand up. If you must self-host, the best fleet is #${option.rank}:`,
    );
  else notes.push(`# #${option.rank}: paste into Pulumi.<stack>.yaml (these keys replace the declared ones).`);
  if (option.kind === "hybrid" && option.hybrid) {
    notes.push(
      `# Hybrid: route ${pct(option.hybrid.selfHostedShare)} of requests (${tokens(option.hybrid.selfHostedOutputTokensPerMonth)} output tokens a month) here, the rest to ${rec.api.model}.`,
    );
  }
  if (
    option.selfHost?.throughputSource === "estimate" &&
    (scenario.throughput.outputTokensPerSecond !== undefined || scenario.throughput.fromBenchmark !== undefined)
  ) {
    notes.push(
      "# The declared llm-breakeven:throughput was measured on other hardware: remove it, then measure on this one.",
    );
  }
  return `${notes.join("\n")}\n${stringify(stackConfigFor(option, scenario)).trimEnd()}`;
}
