import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { loadCatalog } from "../catalog/load";
import { pct, tokens, usd } from "../engine/format";
import { policyConfigSchema } from "./config-schema";
import type { Evaluation } from "../engine/evaluate";
import { cannotServeReason, costComparison } from "../engine/verdict-sentence";
import { report } from "./findings";
import { poolFindings, type PoolFindings } from "./pool-verdict";
import { RESOURCE_TYPES } from "./resources";
import { readStackScenario } from "./stack-scenario";
import { ScenarioConfigSchema } from "./scenario-config";
import { LLM_COST_VERDICT } from "./names";

/** Config of `llm-cost-verdict`: the scenario keys a stack may lack, the margin, and the override. */
export const LlmCostVerdictConfigSchema = ScenarioConfigSchema.extend({
  /** Block only when self-hosting costs more than the API by more than this share of the API's cost, %. Defaults to 0. */
  marginPct: z
    .number()
    .min(0)
    .max(1000)
    .default(0)
    .describe(
      "Block only when self-hosting costs more than the API by more than this share of the API's cost, %. Defaults to 0.",
    ),
  /** Accept a losing verdict: the violation is then reported as advisory (it shows, it does not block) with this text echoed. At least 20 characters. */
  overrideJustification: z
    .string()
    .trim()
    .min(20, "write at least 20 characters saying why self-hosting is accepted although the API is cheaper")
    .optional()
    .describe(
      "Accept a losing cost verdict. Say why in at least 20 characters; the text is echoed in the preview output.",
    ),
}).strict();
/** Parsed config of `llm-cost-verdict`. */
export type LlmCostVerdictConfig = z.infer<typeof LlmCostVerdictConfigSchema>;

/** The one-sentence dollar comparison for a pool: the engine's comparison and reason, with the break-even. */
export function costSentence(e: Evaluation): string {
  const host = `self-hosting ${e.model.displayName} on ${e.selfHost.nodes} x ${e.node.machineType} (${e.node.pricing})`;
  const whyNot = cannotServeReason(e.selfHost.capacity);
  if (whyNot !== undefined) {
    return `${host} cannot serve the workload (${whyNot}), while ${e.api.model} costs ${usd(e.api.monthlyUsd)} a month`;
  }
  const breakEven =
    e.breakEven.monthlyOutputTokens === null
      ? `break-even needs ${pct(e.breakEven.utilization)} utilization, and no output volume makes it pay`
      : `break-even needs ${pct(e.breakEven.utilization)} utilization or ${tokens(e.breakEven.monthlyOutputTokens)} output tokens a month`;
  const comparison = costComparison(
    { host, selfHostMonthlyUsd: e.selfHost.monthlyUsd.total, apiMonthlyUsd: e.api.monthlyUsd, apiModel: e.api.model },
    usd,
  );
  return `${comparison}; ${breakEven}`;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The verdict for one GPU node pool, from its inputs and the stack's
 * scenario: a violation where self-hosting loses to the API by more than
 * the margin (unless overridden with a justification: then an advisory
 * violation that echoes it), a violation saying what to fix where the pool
 * cannot be priced (it would hide a cost), and a pass that says so where
 * the API is not allowed. Not a GPU pool: no findings.
 */
export const costVerdictFindings: PoolFindings = poolFindings(
  LlmCostVerdictConfigSchema,
  LLM_COST_VERDICT,
  (resource, config, assessed) => {
    if ("problem" in assessed)
      return { violations: [{ urn: resource.urn, message: `${capitalized(assessed.problem.replace(/\.$/, ""))}.` }] };
    const e = assessed.evaluation;
    if (e.verdict === "api-not-allowed")
      return { violations: [], passNote: `Passes without a cost comparison: ${e.summary}` };
    const allowedLossUsd = (e.api.monthlyUsd * config.marginPct) / 100;
    // A pool that cannot serve (no fit, latency missed, volume unreachable) has no savings to weigh: it loses.
    const loses = e.verdict === "api" && (e.savingsMonthlyUsd === null || -e.savingsMonthlyUsd > allowedLossUsd);
    if (!loses) return { violations: [] };
    const margin = config.marginPct > 0 ? ` (more than the ${config.marginPct} % margin)` : "";
    if (config.overrideJustification) {
      return {
        violations: [
          {
            urn: resource.urn,
            advisory: true,
            message: `Overridden with the justification "${config.overrideJustification}": ${costSentence(e)}${margin}.`,
          },
        ],
      };
    }
    return { violations: [{ urn: resource.urn, message: `${capitalized(costSentence(e))}${margin}.` }] };
  },
);

/**
 * `llm-cost-verdict`: blocks a GPU node pool whose self-hosting costs more
 * than the API it replaces. A resource policy, so the engine calls it with
 * the pool's inputs before the pool's step (pkg/resource/deploy/step_generator.go
 * analyzeAll, pulumi/pulumi@1b594989): a mandatory violation blocks the
 * preview and, on `pulumi up`, stops the pool before it is created.
 */
export const llmCostVerdict: ResourceValidationPolicy = {
  name: LLM_COST_VERDICT,
  description: "Self-hosting on a GPU node pool must not cost more than the configured API (by more than the margin).",
  enforcementLevel: "mandatory",
  configSchema: policyConfigSchema(LlmCostVerdictConfigSchema),
  validateResource: (args, reportViolation) => {
    if (args.type !== RESOURCE_TYPES.nodePool) return;
    report(costVerdictFindings(args, readStackScenario(), args.getConfig(), loadCatalog()), args, reportViolation);
  },
};
