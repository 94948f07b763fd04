import type { PreviewPolicy, PreviewResult } from "./preview-result";

/** Resources to create, counted by type, in the order the program declared them. */
export function resourceCounts(result: PreviewResult): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of result.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts];
}

/** "blocked" / "violations" / "not applicable" / "passed": one word per policy for both renderers. */
export function policyStatus(p: PreviewPolicy): "blocked" | "advisory" | "not applicable" | "passed" | "disabled" {
  if (p.enforcementLevel === "disabled") return "disabled";
  if (p.violations.some((v) => v.enforcementLevel === "mandatory")) return "blocked";
  if (p.violations.length) return "advisory";
  if (p.notApplicable.length) return "not applicable";
  return "passed";
}

/** The resource name a URN ends with, for short messages. */
export function urnName(urn: string | undefined): string {
  return urn ? (urn.split("::").pop() ?? urn) : "stack";
}
