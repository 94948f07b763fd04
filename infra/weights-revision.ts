import * as pulumi from "@pulumi/pulumi";
import { UserInputError } from "../catalog/errors";
import type { EvaluationInputs } from "../engine/evaluate";
import { FIELD_PREFIX, STACK_CONFIG_FILE } from "./config";

/** A Hugging Face commit id: anything else (`main`, a tag) can move under a running deployment. */
export const COMMIT_ID = /^[0-9a-f]{40}$/;

/**
 * The weights revision vLLM downloads: `deployment.weightsRevision`, else the
 * model config's when it is a commit. A branch such as `main` would let a
 * restarted replica load different weights from its peers, so `pulumi up`
 * refuses it; a preview only warns, so the verdict can still be read before
 * the commit is known.
 */
export function resolveWeightsRevision(
  inputs: EvaluationInputs,
  override: string | undefined,
  dryRun: boolean,
): string {
  if (override !== undefined) return override;
  const { model, variant } = inputs;
  if (COMMIT_ID.test(variant.revision)) return variant.revision;
  const index = model.weights.indexOf(variant);
  const message = `model-configs/${model.id}.yaml weights[${index}].revision is ${JSON.stringify(variant.revision)}, a branch of ${variant.huggingFaceRepo}, not a commit; set ${FIELD_PREFIX}deployment.weightsRevision to the 40-character commit id to deploy`;
  if (dryRun) {
    void pulumi.log.warn(`llm-breakeven: ${message} (\`pulumi up\` refuses it)`);
    return variant.revision;
  }
  throw new UserInputError(STACK_CONFIG_FILE, `${FIELD_PREFIX}deployment.weightsRevision`, `is required: ${message}`);
}
