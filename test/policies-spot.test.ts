import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { spotSafetyFindings, spotGpuSafety, startupBudgetSeconds } from "../policies/spot-gpu-safety";
import {
  driverInstaller,
  gpuPool,
  pdb,
  resource,
  scenario,
  scenarioConfigMap,
  vllmDeployment,
} from "./policies-fixture";

const catalog = loadCatalog();
const deployUrn = vllmDeployment().urn;
// The scenario sets coldStartMinutes: 20, so the probe must allow 1,200 s; the catalog's spot notice is 30 s.
const spotStack = (
  over: { deployment?: ReturnType<typeof vllmDeployment>; pdb?: ReturnType<typeof pdb> | null } = {},
) =>
  [
    gpuPool({ spot: true }),
    scenarioConfigMap(),
    driverInstaller(),
    over.deployment ?? vllmDeployment(),
    over.pdb === null ? undefined : (over.pdb ?? pdb()),
  ].filter((r) => r !== undefined);
const findings = (resources = spotStack()) => spotSafetyFindings(resources, scenario(), {}, catalog, "2026-11-23");

describe("spot-gpu-safety", () => {
  test("is advisory by default", () => {
    expect(spotGpuSafety.enforcementLevel).toBe("advisory");
    expect(catalog.assumptions.spot.noticeSeconds).toBe(30);
  });

  test("passes a spot deployment with a PDB, a 25 s grace period and a 1,200 s startup probe", () => {
    expect(findings()).toEqual({ violations: [] });
  });

  test("does not apply to on-demand pools", () => {
    expect(spotSafetyFindings([gpuPool(), scenarioConfigMap(), vllmDeployment()], scenario(), {}, catalog)).toEqual({
      violations: [],
      passNote: "The stack declares no spot GPU node pools.",
    });
  });

  test("asks for a PodDisruptionBudget when none selects the pods", () => {
    const expected = [
      {
        urn: deployUrn,
        message:
          "Deployment vllm has no PodDisruptionBudget selecting its pods: a spot preemption and the node drain that follows can take every replica at once; add one.",
      },
    ];
    expect(findings(spotStack({ pdb: null })).violations).toEqual(expected);
    expect(findings(spotStack({ pdb: pdb({ app: "other" }) })).violations).toEqual(expected);
  });

  test("flags a grace period longer than the 30 s notice", () => {
    expect(findings(spotStack({ deployment: vllmDeployment({ grace: 60 }) })).violations).toEqual([
      {
        urn: deployUrn,
        message:
          "Deployment vllm asks for a 60 s termination grace period, longer than the 30 s spot notice: the VM is gone before the pod finishes; set terminationGracePeriodSeconds to 30 or less.",
      },
    ]);
  });

  test("flags a missing startup probe", () => {
    expect(findings(spotStack({ deployment: vllmDeployment({ startupProbe: undefined }) })).violations).toEqual([
      {
        urn: deployUrn,
        message:
          "Container vllm of Deployment vllm has no startup probe: liveness checks would kill it while the model loads after every preemption; add one on /health.",
      },
    ]);
  });

  test("flags a startup probe shorter than the cold start: 10 s x 60 = 600 s < 20 min", () => {
    expect(
      findings(spotStack({ deployment: vllmDeployment({ startupProbe: { periodSeconds: 10, failureThreshold: 60 } }) }))
        .violations,
    ).toEqual([
      {
        urn: deployUrn,
        message:
          "The startup probe of container vllm of Deployment vllm gives up after 600 s, but the engine estimates a 20 min cold start for Llama 3.1 8B Instruct: raise failureThreshold x periodSeconds to at least 1200 s.",
      },
    ]);
  });

  test("on a new stack's first preview the Kubernetes resources have empty outputs: an advisory, never a false pass or block", () => {
    const empty = [
      gpuPool({ spot: true }),
      resource("kubernetes:apps/v1:Deployment", "vllm", {}),
      resource("kubernetes:policy/v1:PodDisruptionBudget", "vllm-pdb", {}),
    ];
    expect(findings(empty)).toEqual({
      violations: [
        {
          advisory: true,
          message:
            "The serving pods' PodDisruptionBudget, grace period and startup probe cannot be checked until the cluster exists: Deployment vllm, PodDisruptionBudget vllm-pdb have no outputs in this preview (their Kubernetes provider is configured from a cluster this update creates); the next preview checks them.",
        },
      ],
    });
  });

  test("counts a probe's budget with Kubernetes' defaults: 0 s delay, 10 s period, 3 failures", () => {
    expect(startupBudgetSeconds({})).toBe(30);
    expect(startupBudgetSeconds({ initialDelaySeconds: 60, periodSeconds: 5, failureThreshold: 10 })).toBe(110);
  });
});
