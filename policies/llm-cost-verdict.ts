import type { StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { loadCatalog, type Catalog } from "../catalog/load";
import { pct, tokens, usd } from "../reports/format";
import { parsePolicyConfig, policyConfigSchema } from "./config-schema";
import { assessFleet, type FleetEvaluation } from "./fleet";
import { report, type Findings, type Violation } from "./findings";
import type { ResourceView } from "./resources";
import { ScenarioConfigSchema } from "./scenario-config";

/** Name of the policy. */
export const LLM_COST_VERDICT = "llm-cost-verdict";

/** Config of `llm-cost-verdict`: the scenario keys a stack may lack, the margin, and the override. */
export const LlmCostVerdictConfigSchema = ScenarioConfigSchema.extend({
  /** Block only when self-hosting costs more than the API by more than this share of the API's cost, %. Defaults to 0. */
  marginPct: z.number().min(0).max(1000).default(0).describe("Block only when self-hosting costs more than the API by more than this share of the API's cost, %. Defaults to 0."),
  /** Accept a losing verdict: the violation is then reported as advisory (it shows, it does not block) with this text echoed. At least 20 characters. */
  overrideJustification: z
    .string()
    .trim()
    .min(20, "write at least 20 characters saying why self-hosting is accepted although the API is cheaper")
    .optional()
    .describe("Accept a losing cost verdict. Say why in at least 20 characters; the text is echoed in the preview output."),
}).strict();
/** Parsed config of `llm-cost-verdict`. */
export type LlmCostVerdictConfig = z.infer<typeof LlmCostVerdictConfigSchema>;

/** The one-sentence dollar comparison for a fleet. */
export function costSentence(f: FleetEvaluation): string {
  const e = f.evaluation;
  const host = `self-hosting ${e.model.displayName} on ${e.selfHost.nodes} x ${e.node.machineType} (${e.node.pricing})`;
  if (!e.selfHost.capacity.canServe) {
    return `${host} cannot serve the workload (${e.selfHost.capacity.doesNotFitReason ?? "the latency target or volume is not met"}), while ${e.api.model} costs ${usd(e.api.monthlyUsd)} a month`;
  }
  const breakEven =
    e.breakEven.monthlyOutputTokens === null
      ? `break-even needs ${pct(e.breakEven.utilization)} utilization, and no output volume makes it pay`
      : `break-even needs ${pct(e.breakEven.utilization)} utilization or ${tokens(e.breakEven.monthlyOutputTokens)} output tokens a month`;
  return `${host} costs ${usd(e.selfHost.monthlyUsd.total)} a month against ${usd(e.api.monthlyUsd)} for ${e.api.model}; ${breakEven}`;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The verdict for every fleet of GPU pools in the stack: a violation where
 * self-hosting loses to the API by more than the margin (unless overridden
 * with a justification: then an advisory violation that echoes it), a
 * violation saying what to add where the stack
 * cannot be priced, and a pass that says so where the API is not allowed.
 */
export function costVerdictFindings(resources: readonly ResourceView[], rawConfig: unknown, catalog: Catalog, today?: string): Findings {
  const parsed = parsePolicyConfig(LlmCostVerdictConfigSchema, rawConfig, LLM_COST_VERDICT);
  if ("invalid" in parsed) return parsed.invalid;
  const config = parsed.config;
  const fleet = assessFleet(resources, rawConfig, catalog, today);
  if (fleet.pools.length === 0) return { violations: [], passNote: "The stack declares no GPU node pools." };
  if (fleet.missingScenario) return { violations: [fleet.missingScenario] };
  const violations: Violation[] = [...fleet.problems];
  const notes: string[] = [];
  for (const f of fleet.evaluations) {
    const e = f.evaluation;
    if (e.verdict === "api-not-allowed") {
      notes.push(`Passes without a cost comparison: ${e.summary}`);
      continue;
    }
    const allowedLossUsd = (e.api.monthlyUsd * config.marginPct) / 100;
    // A fleet that cannot serve (no fit, latency missed, volume unreachable) has no savings to weigh: it loses.
    const loses = e.verdict === "api" && (e.savingsMonthlyUsd === null || -e.savingsMonthlyUsd > allowedLossUsd);
    if (!loses) continue;
    const margin = config.marginPct > 0 ? ` (more than the ${config.marginPct} % margin)` : "";
    if (config.overrideJustification) {
      violations.push({ urn: f.urn, advisory: true, message: `Overridden with the justification "${config.overrideJustification}": ${costSentence(f)}${margin}.` });
      continue;
    }
    violations.push({ urn: f.urn, message: `${capitalized(costSentence(f))}${margin}.` });
  }
  return { violations, passNote: notes.length ? notes.join(" ") : undefined };
}

/** `llm-cost-verdict`: blocks a stack whose GPU fleet costs more than the API it replaces. */
export const llmCostVerdict: StackValidationPolicy = {
  name: LLM_COST_VERDICT,
  description: "Self-hosting on the declared GPU node pools must not cost more than the configured API (by more than the margin).",
  enforcementLevel: "mandatory",
  configSchema: policyConfigSchema(LlmCostVerdictConfigSchema),
  validateStack: (args, reportViolation) => report(costVerdictFindings(args.resources, args.getConfig(), loadCatalog()), args, reportViolation),
};
