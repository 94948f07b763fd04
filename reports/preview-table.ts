import type { PreviewResult } from "./preview-result";
import { renderEvaluationTable } from "./evaluation-table";
import { policyStatus, resourceCounts, urnName } from "./preview-summary";
import { textTable } from "./format";

/** Terminal summary of an offline preview, shaped like `pulumi preview`: resources, policy results, then the verdict. */
export function renderPreviewTable(result: PreviewResult): string {
  const lines = [
    `Previewing stack ${result.stack} of project ${result.project} (offline, mocks in preview mode, ${result.previewCase === "new-stack" ? "as the first preview of a new stack" : "as a preview of the existing, unchanged stack"}) with policy pack ${result.policyPack.name}@v${result.policyPack.version} (${result.policyPack.dir})`,
    "",
    `Resources: ${result.resources.length} to create`,
    textTable(
      resourceCounts(result).map(([type, n]) => [`  + ${type}`, String(n)]),
      [false, true],
    ),
  ];
  if (result.diagnostics.length) {
    lines.push("", "Diagnostics (the program's own log):");
    for (const d of result.diagnostics) lines.push(`  ${d.severity}: ${d.message}`);
  }
  lines.push("", "Policies:");
  for (const p of result.policies) {
    lines.push(
      `  ${policyStatus(p) === "blocked" ? "x" : policyStatus(p) === "advisory" ? "!" : "o"} ${p.name} (${p.enforcementLevel}): ${policyStatus(p)}`,
    );
    for (const v of p.violations) lines.push(`      [${v.enforcementLevel}] ${urnName(v.urn)}: ${v.message}`);
    for (const reason of p.notApplicable) lines.push(`      ${reason}`);
  }
  for (const key of result.ignoredPolicyConfig)
    lines.push(`  (policy config "${key}" names no policy of this pack: ignored, as the Pulumi CLI ignores it)`);
  lines.push(
    "",
    result.blocked ? "Preview BLOCKED by a mandatory policy." : "Preview passes: no mandatory policy failed.",
  );
  if (result.verdict) lines.push("", renderEvaluationTable(result.verdict));
  return lines.join("\n");
}
