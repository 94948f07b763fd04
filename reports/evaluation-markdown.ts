import type { Evaluation } from "../engine/evaluate";
import { breakEvenLine, costLines, latencyTargetLine, savingsLine, throughputLine } from "./evaluation-table";
import { FLEET_HEADER, fleetRows, hybridLine, usageSpanLine } from "./fleets";
import { markdownTable, num, tokens, usd } from "./format";

const VERDICT_HEADLINE: Record<Evaluation["verdict"], string> = {
  "self-host": "✅ Self-host",
  api: "⛔ Use the API",
  "api-not-allowed": "🔒 Self-host (the API is not allowed)",
};

/** The usage span, the fleets and the hybrid as markdown; nothing for typed volumes. */
function usageMarkdown(e: Evaluation): string[] {
  const span = usageSpanLine(e);
  if (!span) return [];
  const rows = fleetRows(e);
  return [
    "",
    `**${span}**`,
    "",
    ...(rows.length ? [markdownTable(FLEET_HEADER, rows, [false, true, true, true, false, true]), ""] : []),
    hybridLine(e) ?? "",
  ];
}

/** Markdown report of an evaluation: verdict first, then the cost table, break-even and assumptions. */
export function renderEvaluationMarkdown(e: Evaluation): string {
  const c = e.selfHost.capacity;
  const parts = [
    `### ${VERDICT_HEADLINE[e.verdict]}`,
    "",
    e.summary,
    "",
    markdownTable(
      ["Monthly cost", "USD"],
      costLines(e).map(([label, value]) => [label, usd(value)]),
      [false, true],
    ),
    ...usageMarkdown(e),
    "",
    `**Savings by self-hosting:** ${savingsLine(e)}  `,
    `**Latency target:** ${latencyTargetLine(e)}  `,
    `**Break-even:** ${breakEvenLine(e)}  `,
    `**USD per 1M output tokens:** self-hosted ${usd(e.selfHost.usdPerMillionOutputTokens.allInAtDeclaredVolume)} all-in at the declared volume (${usd(e.selfHost.usdPerMillionOutputTokens.computeAtFullUtilization)} compute at full load); API ${usd(e.api.usdPerMillionOutputTokensAllIn)}`,
    "",
    "<details><summary>Capacity and assumptions</summary>",
    "",
    `- Model: ${e.model.displayName} (${e.model.weightDtype}, \`${e.model.huggingFaceRepo}\`), TP ${e.parallel.tensorParallel} x PP ${e.parallel.pipelineParallel} on ${e.node.gpu}`,
    `- Memory per GPU: weights ${num(c.weightsGiBPerGpu, 2)} GiB, reserve ${num(c.reserveGiBPerGpu, 2)} GiB, KV cache ${num(c.kvCacheGiBPerGpu, 2)} GiB (${tokens(c.kvCacheTokens)} tokens, ${c.maxConcurrency} concurrent requests)`,
    `- Throughput: ${throughputLine(e)}`,
    `- Spot preemption: ${e.selfHost.preemptionAssumption}`,
    `- Prices: node ${e.node.priceSource}${e.pricesAsOf.node ? ` as of ${e.pricesAsOf.node}` : ""}; API ${e.api.priceSource}${e.pricesAsOf.api ? ` (${e.pricesAsOf.api})` : ""}; calibration ${e.pricesAsOf.calibration}`,
    "",
    "</details>",
  ];
  if (e.warnings.length) parts.push("", ...e.warnings.map((w) => `> ⚠️ ${w}`));
  return parts.join("\n");
}
