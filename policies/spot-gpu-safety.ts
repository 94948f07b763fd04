import type { StackValidationPolicy } from "@pulumi/policy";
import type { z } from "zod";
import { loadCatalog, type Catalog } from "../catalog/load";
import { num } from "../engine/format";
import { parsePolicyConfig, policyConfigSchema } from "./config-schema";
import { report, type Findings, type Violation } from "./findings";
import { assessPool, mergedScenario } from "./pool-verdict";
import {
  awaitsClusterMessage,
  readGpuPools,
  RESOURCE_TYPES,
  servingPodTemplates,
  unbuiltKubernetesResources,
  type GpuPool,
  type PodTemplateView,
  type ResourceView,
} from "./resources";
import { ScenarioConfigSchema } from "./scenario-config";
import { readStackScenario, type ScenarioJson } from "./stack-scenario";
import { SPOT_GPU_SAFETY } from "./names";

/** Config of `spot-gpu-safety`: the scenario keys that win over the stack config's (the model sets the cold start). */
export const SpotGpuSafetyConfigSchema = ScenarioConfigSchema.strict();
/** Parsed config of `spot-gpu-safety`. */
export type SpotGpuSafetyConfig = z.infer<typeof SpotGpuSafetyConfigSchema>;

// Kubernetes' own defaults when a pod or probe leaves the field out.
const K8S_DEFAULT_GRACE_SECONDS = 30;
const K8S_DEFAULT_PROBE = { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 };

/** The engine's cold-start estimate for a model a spot pool serves. */
interface ColdStart {
  minutes: number;
  model: string;
}

function describe(t: PodTemplateView): string {
  return `${t.workload.type.split(":").pop()} ${t.workload.name}`;
}

function selects(pdb: ResourceView, t: PodTemplateView): boolean {
  if (pdb.props.metadata?.namespace !== t.namespace) return false;
  const match: Record<string, string> = pdb.props.spec?.selector?.matchLabels ?? {};
  const entries = Object.entries(match);
  return entries.length > 0 && entries.every(([k, v]) => t.labels[k] === v);
}

/** Seconds a startup probe lets a container start before the kubelet kills it. */
export function startupBudgetSeconds(probe: {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
}): number {
  const p = { ...K8S_DEFAULT_PROBE, ...probe };
  return p.initialDelaySeconds + p.periodSeconds * p.failureThreshold;
}

/**
 * Whether the serving pods survive spot preemption gracefully: a
 * PodDisruptionBudget selects them, their grace period fits in the spot
 * notice, and their startup probe waits out the engine's cold-start estimate.
 */
export function spotSafetyFindings(
  resources: readonly ResourceView[],
  stackScenario: ScenarioJson,
  rawConfig: unknown,
  catalog: Catalog,
  today?: string,
): Findings {
  const parsed = parsePolicyConfig(SpotGpuSafetyConfigSchema, rawConfig, SPOT_GPU_SAFETY);
  if ("invalid" in parsed) return parsed.invalid;
  const spotPools = readGpuPools(resources, (id) => catalog.machineTypes.has(id)).filter((p) => p.spot);
  if (spotPools.length === 0) return { violations: [], passNote: "The stack declares no spot GPU node pools." };
  const unbuilt = unbuiltKubernetesResources(resources);
  if (unbuilt.length > 0)
    return {
      violations: [
        {
          advisory: true,
          message: awaitsClusterMessage(
            unbuilt,
            "The serving pods' PodDisruptionBudget, grace period and startup probe",
          ),
        },
      ],
    };
  const templates = servingPodTemplates(resources);
  if (templates.length === 0)
    return {
      violations: [],
      passNote: "No workload in the stack requests nvidia.com/gpu, so no serving pod was checked.",
    };
  const noticeSeconds = catalog.assumptions.spot.noticeSeconds;
  const coldStart = longestColdStart(spotPools, stackScenario, rawConfig, catalog, today);
  const pdbs = resources.filter((r) => r.type === RESOURCE_TYPES.podDisruptionBudget);
  return { violations: templates.flatMap((t) => servingTemplateViolations(t, pdbs, noticeSeconds, coldStart)) };
}

/** The longest cold start the engine estimates among the spot pools, and the model it is for; none when no pool could be assessed. */
function longestColdStart(
  spotPools: readonly GpuPool[],
  stackScenario: ScenarioJson,
  rawConfig: unknown,
  catalog: Catalog,
  today: string | undefined,
): ColdStart | undefined {
  const merged = mergedScenario(stackScenario, rawConfig);
  return spotPools
    .map((pool) => ("problem" in merged ? merged : assessPool(pool, merged.scenario, catalog, today)))
    .flatMap((a) =>
      "evaluation" in a
        ? [{ minutes: a.evaluation.selfHost.coldStartMinutes, model: a.evaluation.model.displayName }]
        : [],
    )
    .sort((a, b) => b.minutes - a.minutes)[0];
}

/** One serving workload's pods: a PDB selects them, their grace period fits the spot notice, their startup probe outlasts the cold start. */
function servingTemplateViolations(
  t: PodTemplateView,
  pdbs: readonly ResourceView[],
  noticeSeconds: number,
  coldStart: ColdStart | undefined,
): Violation[] {
  const violations: Violation[] = [];
  const urn = t.workload.urn;
  // A LeaderWorkerSet's workers serve no HTTP and restart with their leader: the PDB and probes belong to the leader.
  const serves = t.path !== "spec.leaderWorkerTemplate.workerTemplate";
  if (serves && !pdbs.some((pdb) => selects(pdb, t))) {
    violations.push({
      urn,
      message: `${describe(t)} has no PodDisruptionBudget selecting its pods: a spot preemption and the node drain that follows can take every replica at once; add one.`,
    });
  }
  const grace: number = t.spec.terminationGracePeriodSeconds ?? K8S_DEFAULT_GRACE_SECONDS;
  if (grace > noticeSeconds) {
    violations.push({
      urn,
      message: `${describe(t)} asks for a ${grace} s termination grace period, longer than the ${noticeSeconds} s spot notice: the VM is gone before the pod finishes; set terminationGracePeriodSeconds to ${noticeSeconds} or less.`,
    });
  }
  for (const c of serves ? t.containers.filter((c) => c.gpuLimit) : []) {
    if (!c.startupProbe) {
      violations.push({
        urn,
        message: `Container ${c.name} of ${describe(t)} has no startup probe: liveness checks would kill it while the model loads after every preemption; add one on /health.`,
      });
      continue;
    }
    if (!coldStart) continue;
    const budget = startupBudgetSeconds(c.startupProbe);
    if (budget < coldStart.minutes * 60) {
      violations.push({
        urn,
        message: `The startup probe of container ${c.name} of ${describe(t)} gives up after ${budget} s, but the engine estimates a ${num(coldStart.minutes, 1)} min cold start for ${coldStart.model}: raise failureThreshold x periodSeconds to at least ${Math.ceil(coldStart.minutes * 60)} s.`,
      });
    }
  }
  return violations;
}

/** `spot-gpu-safety` (advisory): spot GPU serving pods need a PDB, a grace period within the notice, and a startup probe as long as a cold start. */
export const spotGpuSafety: StackValidationPolicy = {
  name: SPOT_GPU_SAFETY,
  description:
    "Serving pods on spot GPU nodes need a PodDisruptionBudget, a grace period within the spot notice, and a startup probe as long as the cold start.",
  enforcementLevel: "advisory",
  configSchema: policyConfigSchema(SpotGpuSafetyConfigSchema),
  validateStack: (args, reportViolation) =>
    report(
      spotSafetyFindings(args.resources, readStackScenario(), args.getConfig(), loadCatalog()),
      args,
      reportViolation,
    ),
};
