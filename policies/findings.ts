import type { ReportViolation, StackValidationArgs } from "@pulumi/policy";

/** One violation a policy found: a full sentence and the resource it is about. */
export interface Violation {
  message: string;
  urn?: string | undefined;
  /** Reported as advisory whatever the policy's level: an accepted override, which must show but not block. */
  advisory?: true | undefined;
}

/**
 * What a stack policy concluded, before it is handed to @pulumi/policy:
 * violations, or a pass that says why the policy did not apply (the API is
 * not allowed, an override with its justification, no GPU pools). Tests
 * assert on this object; the pack passes it on with `report`.
 */
export interface Findings {
  violations: Violation[];
  /** Set when nothing was violated and the pass deserves a sentence (reported as "not applicable"). */
  passNote?: string | undefined;
}

/**
 * Reports findings through @pulumi/policy: each violation, or the pass note
 * as the not-applicable reason. An advisory violation goes in the object
 * form @pulumi/policy 1.21's reportViolation accepts at run time (server.js
 * `makeReportViolationFun`: `{message, urn, enforcementLevel}` overrides the
 * policy's level), which its TypeScript signature does not declare.
 */
export function report(
  findings: Findings,
  args: Pick<StackValidationArgs, "notApplicable">,
  reportViolation: ReportViolation,
): void {
  for (const v of findings.violations) {
    if (v.advisory)
      (reportViolation as unknown as (info: object) => void)({
        message: v.message,
        urn: v.urn,
        enforcementLevel: "advisory",
      });
    else reportViolation(v.message, v.urn);
  }
  if (findings.violations.length === 0 && findings.passNote !== undefined) args.notApplicable(findings.passNote);
}
