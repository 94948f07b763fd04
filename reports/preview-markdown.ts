import type { PreviewResult } from "./preview-result";
import { renderEvaluationMarkdown } from "./evaluation-markdown";
import { renderSensitivityMarkdown } from "./sensitivity";
import { markdownTable } from "./format";
import { policyStatus, resourceCounts, urnName } from "./preview-summary";

const STATUS_ICON = { blocked: "⛔", advisory: "⚠️", "not applicable": "➖", passed: "✅", disabled: "⏸️" } as const;

/** Escapes a message for a markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * The pull-request comment: the preview's outcome and the cost verdict
 * first, then the cost table, break-even, assumptions and price dates (the
 * evaluation report), then every policy's result and the resources.
 * Starts with a marker comment so a workflow can find and update it.
 */
export function renderPreviewMarkdown(result: PreviewResult): string {
  const outcome = result.blocked
    ? "⛔ **Preview blocked** by a mandatory policy"
    : "✅ **Preview passes** the policy pack";
  const policyRows = result.policies.flatMap((p) => {
    const status = policyStatus(p);
    const head = `${STATUS_ICON[status]} ${status}`;
    if (p.violations.length === 0)
      return [[`\`${p.name}\``, p.enforcementLevel, head, cell(p.notApplicable.join(" ") || "—")]];
    return p.violations.map((v) => [
      `\`${p.name}\``,
      v.enforcementLevel,
      head,
      cell(`${urnName(v.urn)}: ${v.message}`),
    ]);
  });
  return [
    `<!-- llm-breakeven-preview:${result.stack} -->`,
    `## llm-breakeven · stack \`${result.stack}\``,
    "",
    outcome,
    "",
    ...(result.verdict ? [renderEvaluationMarkdown(result.verdict), ""] : []),
    ...(result.sensitivity ? [renderSensitivityMarkdown(result.sensitivity), ""] : []),
    `### Policy results (${result.policyPack.name}@v${result.policyPack.version})`,
    "",
    markdownTable(["Policy", "Level", "Result", "Message"], policyRows),
    "",
    `<details><summary>${result.resources.length} resources to create</summary>`,
    "",
    markdownTable(
      ["Type", "Count"],
      resourceCounts(result).map(([type, n]) => [`\`${type}\``, String(n)]),
      [false, true],
    ),
    "",
    "</details>",
    "",
    "<sub>Offline preview: the Pulumi program under mocks in preview mode, checked by the real policy pack over the analyzer protocol; no cloud credentials were used.</sub>",
  ].join("\n");
}
