import { evaluate, type Evaluation, type EvaluationInputs } from "../engine/evaluate";
import { ScenarioSchema, type PricingModel } from "../engine/scenario";
import { parseWith, UserInputError, zodToUserError } from "../catalog/errors";
import type { Catalog } from "../catalog/load";
import { resolveInputs } from "../catalog/resolve";
import { NODE_POOL_LABELS, SCENARIO_CONFIGMAP_KEY, SCENARIO_CONFIGMAP_NAME } from "../catalog/resource-contract";
import { findScenarioConfigMap, poolLabel, readGpuPools, scenarioJson, type GpuPool, type ResourceView } from "./resources";
import { ScenarioConfigSchema, type ScenarioConfig } from "./scenario-config";

/** GPU pools that serve the same model on the same machines, evaluated as one fleet. */
export interface FleetEvaluation {
  pools: GpuPool[];
  /** The first pool's URN: where violations about this fleet are reported. */
  urn: string;
  inputs: EvaluationInputs;
  evaluation: Evaluation;
}

/** Something that keeps the engine from evaluating a fleet, as a sentence saying what to fix. */
export interface FleetProblem {
  urn: string | undefined;
  message: string;
}

/** What the engine makes of a stack's GPU pools. */
export interface FleetAssessment {
  pools: GpuPool[];
  evaluations: FleetEvaluation[];
  problems: FleetProblem[];
  /** Set when the stack has GPU pools but no workload or API to compare with: what to add. */
  missingScenario?: FleetProblem | undefined;
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

function names(pools: GpuPool[]): string {
  return pools.map((p) => p.resource.name).join(", ");
}

/** The pool's pricing: the resource's spot flag is the fact; the label only tells on-demand from committed use. */
function pricingOf(pool: GpuPool): PricingModel {
  if (pool.spot) return "spot";
  const label = poolLabel(pool, "pricing");
  return label === "commit-1y" || label === "commit-3y" ? label : "on-demand";
}

function intLabel(pool: GpuPool, key: keyof typeof NODE_POOL_LABELS): number | undefined | Error {
  const text = poolLabel(pool, key);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) return new Error(`node pool ${pool.resource.name}: label ${NODE_POOL_LABELS[key]} is ${JSON.stringify(text)}, expected a whole number`);
  return n;
}

function groupKey(pool: GpuPool, scenario: Json): string {
  const node = isObject(scenario.node) ? scenario.node : {};
  return [
    poolLabel(pool, "model") ?? scenario.model,
    poolLabel(pool, "weightDtype") ?? scenario.weightDtype,
    pool.machineType,
    pricingOf(pool),
    poolLabel(pool, "region") ?? node.region,
    poolLabel(pool, "nodesPerReplica") ?? node.nodesPerReplica,
  ].join("|");
}

/** The scenario a fleet of pools declares: the stack's scenario with the node facts read from the pools. */
function fleetScenario(pools: GpuPool[], base: Json): Json | Error {
  const first = pools[0]!;
  const baseNode = isObject(base.node) ? base.node : {};
  const nodesPerReplica = intLabel(first, "nodesPerReplica");
  const labelMin = intLabel(first, "replicasMin");
  const labelMax = intLabel(first, "replicasMax");
  for (const v of [nodesPerReplica, labelMin, labelMax]) if (v instanceof Error) return v;
  const npr = (nodesPerReplica as number | undefined) ?? (typeof baseNode.nodesPerReplica === "number" ? baseNode.nodesPerReplica : 1);
  const sum = (pick: (p: GpuPool) => number | undefined) => {
    const counts = pools.map(pick);
    return counts.every((c) => c !== undefined) ? counts.reduce((a, b) => a + b, 0) : undefined;
  };
  const minNodes = sum((p) => p.minNodes);
  const maxNodes = sum((p) => p.maxNodes);
  const declared = isObject(base.replicas) ? base.replicas : {};
  const replicas = {
    min: (labelMin as number | undefined) ?? (minNodes !== undefined ? Math.floor(minNodes / npr) : declared.min),
    max: (labelMax as number | undefined) ?? (maxNodes !== undefined ? Math.floor(maxNodes / npr) : declared.max),
  };
  return {
    ...base,
    model: poolLabel(first, "model") ?? base.model,
    ...(poolLabel(first, "weightDtype") ?? base.weightDtype ? { weightDtype: poolLabel(first, "weightDtype") ?? base.weightDtype } : {}),
    node: { ...baseNode, machineType: first.machineType, pricing: pricingOf(first), region: poolLabel(first, "region") ?? baseNode.region ?? "us-central1", nodesPerReplica: npr },
    replicas: Object.fromEntries(Object.entries(replicas).filter(([, v]) => v !== undefined)),
  };
}

/**
 * Reads the stack's GPU pools and scenario (the program's ConfigMap, with
 * the policy config's keys on top) and asks the engine for each fleet's
 * verdict. Pools are the facts: machine type, spot, node counts and labels
 * override the scenario's node and replicas. Nothing here computes a cost.
 */
export function assessFleet(resources: readonly ResourceView[], rawConfig: unknown, catalog: Catalog, today?: string): FleetAssessment {
  const pools = readGpuPools(resources, (id) => catalog.machineTypes.has(id));
  const out: FleetAssessment = { pools, evaluations: [], problems: [] };
  if (pools.length === 0) return out;

  // Other keys of the policy's config (margin, override) are the policy's own business.
  const config: ScenarioConfig & Json = {};
  for (const key of Object.keys(ScenarioConfigSchema.shape)) if (isObject(rawConfig) && rawConfig[key] !== undefined) config[key] = rawConfig[key];
  const configCheck = ScenarioConfigSchema.safeParse(config);
  if (!configCheck.success) {
    out.problems.push({ urn: undefined, message: `${zodToUserError("policy config", configCheck.error, config, "", ScenarioConfigSchema).message}.` });
    return out;
  }
  const configMap = findScenarioConfigMap(resources);
  let base: Json = {};
  if (configMap) {
    const text = scenarioJson(configMap);
    try {
      const parsed: unknown = text === undefined ? {} : JSON.parse(text);
      if (!isObject(parsed)) throw new Error("not a JSON object");
      base = parsed;
    } catch (err) {
      out.problems.push({ urn: configMap.urn, message: `The ${SCENARIO_CONFIGMAP_NAME} ConfigMap's data["${SCENARIO_CONFIGMAP_KEY}"] is not a JSON scenario (${(err as Error).message}).` });
      return out;
    }
  }
  Object.assign(base, config);

  const missing = (["workload", "api"] as const).filter((k) => base[k] === undefined);
  if (missing.length) {
    out.missingScenario = {
      urn: pools[0]!.resource.urn,
      message:
        `GPU node pool(s) ${names(pools)} are declared, but the stack gives no ${missing.join(" and no ")} to compare them with: ` +
        `add a ConfigMap named ${SCENARIO_CONFIGMAP_NAME} whose data["${SCENARIO_CONFIGMAP_KEY}"] holds the scenario (as the llm-breakeven program writes it), ` +
        `or set ${missing.join(" and ")} in this policy's config.`,
    };
    return out;
  }

  const groups = new Map<string, GpuPool[]>();
  for (const pool of pools) {
    const key = groupKey(pool, base);
    groups.set(key, [...(groups.get(key) ?? []), pool]);
  }
  for (const group of groups.values()) {
    const urn = group[0]!.resource.urn;
    const source = `node pool ${names(group)}`;
    const data = fleetScenario(group, base);
    if (data instanceof Error) {
      out.problems.push({ urn, message: `${data.message}.` });
      continue;
    }
    if (data.model === undefined) {
      out.problems.push({ urn, message: `${source} carries no ${NODE_POOL_LABELS.model} label and the scenario names no model: label the pool with the model it serves.` });
      continue;
    }
    try {
      const inputs = resolveInputs(parseWith(ScenarioSchema, data, source), catalog, { file: source }, today);
      const accelerator = group[0]!.accelerators[0]?.type;
      if (accelerator !== undefined && accelerator !== inputs.gpu.gkeAccelerator) {
        out.problems.push({ urn, message: `${source} declares accelerator ${accelerator}, but ${inputs.machine.id} carries ${inputs.gpu.gkeAccelerator}.` });
        continue;
      }
      out.evaluations.push({ pools: group, urn, inputs, evaluation: evaluate(inputs) });
    } catch (err) {
      if (!(err instanceof UserInputError)) throw err;
      out.problems.push({ urn, message: `${err.message}.` });
    }
  }
  return out;
}
