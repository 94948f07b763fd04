import type { Evaluation } from "../engine/evaluate";
import type { Sensitivity } from "../engine/sensitivity";

/** Policy enforcement levels, as @pulumi/policy names them. */
export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";

/** A message the program logged (`pulumi.log.info` / `warn` / `error`), as `pulumi preview` lists under Diagnostics. */
export interface ProgramDiagnostic {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string | undefined;
}

/** A violation as the preview reports it. */
export interface PreviewViolation {
  message: string;
  urn: string | undefined;
  /** The level this diagnostic carries: the policy's, or advisory for "can't run during preview" and accepted overrides. */
  enforcementLevel: EnforcementLevel;
}

/** One policy's result. */
export interface PreviewPolicy {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  violations: PreviewViolation[];
  /** Why the policy passed without applying (no GPU pools, the API not allowed, ...). */
  notApplicable: string[];
}

/** Resource options beside the inputs: what the engine hands a policy pack, and what decides a first `pulumi up`. */
export interface PreviewResourceOptions {
  /** Go duration strings as the program set them ("30m"); absent when none. */
  customTimeouts?: { create: string; update: string; delete: string } | undefined;
  /** URNs the program named in `dependsOn`. */
  dependsOn: string[];
  parent: string | undefined;
  /** `<provider urn>::<provider id>`; absent for the default provider. */
  provider: string | undefined;
  protect: boolean;
  ignoreChanges: string[];
}

/** A resource the program declared, with the inputs the policies saw (secrets masked). */
export interface PreviewResource {
  type: string;
  name: string;
  urn: string;
  parent: string | undefined;
  dependencies: string[];
  inputs: Record<string, unknown>;
  options: PreviewResourceOptions;
}

/** The offline preview's result: the `--format json` contract. */
export interface PreviewResult {
  stack: string;
  project: string;
  /** "new-stack": the first preview (outputs planned, Kubernetes resources of a new cluster empty); "update": every resource exists (outputs = stored state). */
  previewCase: "new-stack" | "update";
  policyPack: { name: string; version: string; dir: string };
  resources: PreviewResource[];
  /** What the program logged (its own verdict line, warnings), as `pulumi preview` lists under Diagnostics. */
  diagnostics: ProgramDiagnostic[];
  policies: PreviewPolicy[];
  /** Policy config entries the pack has no policy for: the Pulumi CLI accepts and ignores them. */
  ignoredPolicyConfig: string[];
  /** True when a mandatory policy reported a violation. */
  blocked: boolean;
  /** The same object as `breakeven evaluate Pulumi.<stack>.yaml --format json`; null for a project other than llm-breakeven (its pools are priced by the pack alone). */
  verdict: Evaluation | null;
  /** How the verdict moves with each input (`breakeven sensitivity`); absent without a verdict. */
  sensitivity?: Sensitivity | undefined;
}
