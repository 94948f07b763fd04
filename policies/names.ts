/**
 * The pack's policy names, the one home of each: every policy names itself
 * from here, and the CLI's help lists them without loading the pack (its
 * policies load Pulumi's runtime, most of a second).
 */

/** Name of the cost gate. */
export const LLM_COST_VERDICT = "llm-cost-verdict";
/** Name of the fit check. */
export const MODEL_FITS_GPU = "model-fits-gpu";
/** Name of the pinned-versions check. */
export const PINNED_SERVING_VERSIONS = "pinned-serving-versions";
/** Name of the spot-safety check. */
export const SPOT_GPU_SAFETY = "spot-gpu-safety";

/** The policies' names, in the order the pack serves them (policies/registry.ts holds the policies in the same order; a test keeps the two equal). */
export const POLICY_NAMES: readonly string[] = [
  LLM_COST_VERDICT,
  MODEL_FITS_GPU,
  PINNED_SERVING_VERSIONS,
  SPOT_GPU_SAFETY,
];
