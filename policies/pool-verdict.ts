import { evaluate, type Evaluation, type EvaluationInputs } from "../engine/evaluate";
import { ScenarioSchema, type PricingModel } from "../engine/scenario";
import { parseWith, UserInputError, zodToUserError } from "../catalog/errors";
import type { Catalog } from "../catalog/load";
import { resolveInputs } from "../catalog/resolve";
import { CONFIG_NAMESPACE } from "../catalog/scenario-file";
import { NODE_POOL_LABELS } from "../catalog/resource-contract";
import type { z } from "zod";
import { parsePolicyConfig } from "./config-schema";
import type { Findings } from "./findings";
import { poolLabel, poolNodeCounts, poolRegion, readGpuPools, type GpuPool, type ResourceView } from "./resources";
import { ScenarioConfigSchema } from "./scenario-config";
import type { ScenarioJson } from "./stack-scenario";

/** A GPU pool the engine could price: the inputs it resolved and its verdict. */
export interface PoolEvaluation {
  pool: GpuPool;
  inputs: EvaluationInputs;
  evaluation: Evaluation;
}

/** Why a pool could not be priced, as a sentence naming the resource, the field, the value and what is valid. */
export interface PoolProblem {
  problem: string;
}

function isObject(x: unknown): x is ScenarioJson {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/** The pool's pricing: the resource's spot flag is the fact; the label only tells on-demand from committed use. */
function pricingOf(pool: GpuPool): PricingModel {
  if (pool.spot) return "spot";
  const label = poolLabel(pool, "pricing");
  return label === "commit-1y" || label === "commit-3y" ? label : "on-demand";
}

/** A whole-number label of the pool, if set; a UserInputError naming the pool, the label and its value when it is not one. */
function intLabel(pool: GpuPool, key: keyof typeof NODE_POOL_LABELS): number | undefined {
  const text = poolLabel(pool, key);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new UserInputError(
      `node pool ${pool.resource.name}`,
      "",
      `label ${NODE_POOL_LABELS[key]} is ${JSON.stringify(text)}, expected a whole number`,
    );
  return n;
}

/**
 * The scenario a pool declares: the stack's scenario with the node facts
 * read from the pool's inputs (machine type, spot, location, node counts)
 * and, where our program set them, its cost labels. A team's own pool
 * without labels gets its replicas from its node counts. A count label that
 * is not a whole number is a UserInputError.
 */
export function poolScenario(pool: GpuPool, base: ScenarioJson): ScenarioJson {
  const baseNode = isObject(base.node) ? base.node : {};
  const labels = {
    nodesPerReplica: intLabel(pool, "nodesPerReplica"),
    min: intLabel(pool, "replicasMin"),
    max: intLabel(pool, "replicasMax"),
  };
  const npr = labels.nodesPerReplica ?? (typeof baseNode.nodesPerReplica === "number" ? baseNode.nodesPerReplica : 1);
  const declared = isObject(base.replicas) ? base.replicas : {};
  const counts =
    labels.min === undefined || labels.max === undefined
      ? poolNodeCounts(pool)
      : { minNodes: undefined, maxNodes: undefined };
  const replicas = {
    min: labels.min ?? (counts.minNodes !== undefined ? Math.floor(counts.minNodes / npr) : declared.min),
    max: labels.max ?? (counts.maxNodes !== undefined ? Math.floor(counts.maxNodes / npr) : declared.max),
  };
  const weightDtype = poolLabel(pool, "weightDtype") ?? base.weightDtype;
  return {
    ...base,
    model: poolLabel(pool, "model") ?? base.model,
    ...(weightDtype ? { weightDtype } : {}),
    node: {
      ...baseNode,
      machineType: pool.machineType,
      pricing: pricingOf(pool),
      region: poolLabel(pool, "region") ?? poolRegion(pool) ?? baseNode.region ?? "us-central1",
      nodesPerReplica: npr,
    },
    replicas: Object.fromEntries(Object.entries(replicas).filter(([, v]) => v !== undefined)),
  };
}

/**
 * The scenario a pool is judged against: the stack's config
 * (`llm-breakeven:*`) with the policy config's scenario keys on top, key by
 * key, as `--policy-pack-config` wins over the stack. A policy config key
 * the schema refuses is a problem naming it.
 */
export function mergedScenario(
  stack: ScenarioJson,
  rawPolicyConfig: unknown,
): { scenario: ScenarioJson } | PoolProblem {
  const fromPolicy: ScenarioJson = {};
  for (const key of Object.keys(ScenarioConfigSchema.shape))
    if (isObject(rawPolicyConfig) && rawPolicyConfig[key] !== undefined) fromPolicy[key] = rawPolicyConfig[key];
  const check = ScenarioConfigSchema.safeParse(fromPolicy);
  if (!check.success)
    return {
      problem: `${zodToUserError("policy config", check.error, fromPolicy, "", ScenarioConfigSchema).message}.`,
    };
  return { scenario: { ...stack, ...fromPolicy } };
}

/**
 * Asks the engine for one GPU pool's verdict. Nothing here computes a cost:
 * a pool the catalog or the schema cannot read comes back as a problem.
 */
export function assessPool(
  pool: GpuPool,
  scenario: ScenarioJson,
  catalog: Catalog,
  today?: string,
): PoolEvaluation | PoolProblem {
  const source = `node pool ${pool.resource.name}`;
  const missing = (["workload", "api"] as const).filter((k) => scenario[k] === undefined);
  if (missing.length) {
    return {
      problem:
        `GPU ${source} is declared, but neither the stack config nor this policy's config gives ${missing.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(" or ")} to compare it with: ` +
        `set ${missing.join(" and ")} with \`pulumi config set --path\` (the keys and schema of Pulumi.<stack>.yaml) or in --policy-pack-config`,
    };
  }
  try {
    const data = poolScenario(pool, scenario);
    if (data.model === undefined)
      return {
        problem: `${source} carries no ${NODE_POOL_LABELS.model} label and the stack config names no ${CONFIG_NAMESPACE}:model: set the model it serves`,
      };
    const inputs = resolveInputs(parseWith(ScenarioSchema, data, source), catalog, { file: source }, today);
    const accelerator = pool.accelerators[0]?.type;
    if (accelerator !== undefined && accelerator !== inputs.gpu.gkeAccelerator) {
      return {
        problem: `${source} declares accelerator ${accelerator}, but ${inputs.machine.id} carries ${inputs.gpu.gkeAccelerator}`,
      };
    }
    return { pool, inputs, evaluation: evaluate(inputs) };
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    return { problem: err.message };
  }
}

/** A pool policy's findings from the resource, the stack's scenario, its raw config, the catalog and the date. */
export type PoolFindings = (
  resource: ResourceView,
  stackScenario: ScenarioJson,
  rawConfig: unknown,
  catalog: Catalog,
  today?: string,
) => Findings;

/**
 * A policy that judges one GPU pool, from its one own step: `judge` gets the
 * parsed config and the engine's answer (the pool's evaluation, or a problem
 * sentence from the merged config or the pool). The steps before it are the
 * same for every such policy: read the pool (not a GPU pool: no findings),
 * parse the policy's config (invalid: its violation), merge the policy
 * config's scenario keys over the stack's, and ask the engine.
 */
export function poolFindings<S extends z.ZodType>(
  schema: S,
  policyName: string,
  judge: (resource: ResourceView, config: z.infer<S>, assessed: PoolEvaluation | PoolProblem) => Findings,
): PoolFindings {
  return (resource, stackScenario, rawConfig, catalog, today) => {
    const pool = readGpuPools([resource], (id) => catalog.machineTypes.has(id))[0];
    if (!pool) return { violations: [] };
    const parsed = parsePolicyConfig(schema, rawConfig, policyName);
    if ("invalid" in parsed) return parsed.invalid;
    const merged = mergedScenario(stackScenario, rawConfig);
    const assessed = "problem" in merged ? merged : assessPool(pool, merged.scenario, catalog, today);
    return judge(resource, parsed.config, assessed);
  };
}
