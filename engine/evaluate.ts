import { estimateCapacity, type Capacity, type ResolvedServing } from "./capacity";
import type { Gpu, MachineType } from "./hardware";
import type { Parallelism } from "./memory";
import type { ModelConfig } from "./model-config";
import { appliedLatencyTarget } from "./latency-target";
import type { Scenario } from "./scenario";
import type { RequestShape } from "./throughput";
import { applyUsage } from "./evaluate-usage";

import type { Evaluation, EvaluationInputs } from "./evaluation-types";
import {
  apiBlock,
  apiSide,
  breakEvenBlock,
  evaluationWarnings,
  judge,
  modelBlock,
  monthlyCosts,
  selfHostBlock,
  sizeFleet,
  summarySentence,
} from "./evaluate-steps";

export type {
  ApiPrice,
  Evaluation,
  EvaluationInputs,
  MeasuredThroughput,
  NodePrice,
  Verdict,
} from "./evaluation-types";

/** vLLM settings with the scenario's values or vLLM's defaults for this model and GPU. */
export function resolveServing(
  s: Scenario["serving"],
  request: RequestShape,
  model: ModelConfig,
  gpu: Gpu,
): ResolvedServing {
  const requestTokens = request.inputTokens + request.outputTokens;
  // Room for requests well above the mean, without reserving the model's whole context.
  const defaultLen = Math.min(model.architecture.maxContextTokens, Math.max(4096, roundUpPow2(requestTokens * 4)));
  return {
    gpuMemoryUtilization: s.gpuMemoryUtilization,
    maxModelLen: s.maxModelLen ?? defaultLen,
    maxNumSeqs: s.maxNumSeqs ?? gpu.vllmDefaultMaxNumSeqs,
    maxNumBatchedTokens: s.maxNumBatchedTokens ?? gpu.vllmDefaultMaxNumBatchedTokens,
    kvCacheDtype: s.kvCacheDtype,
    blockSize: s.blockSize,
    maxModelLenSetByUser: s.maxModelLen !== undefined,
  };
}

function roundUpPow2(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)));
}

/** Tensor and pipeline parallel sizes: the scenario's, or every GPU of a node in TP and one stage per node. */
export function resolveParallelism(scenario: Scenario, machine: MachineType): Parallelism {
  return {
    tensorParallel: scenario.node.tensorParallel ?? machine.gpuCount,
    pipelineParallel: scenario.node.pipelineParallel ?? scenario.node.nodesPerReplica,
  };
}

/** The workload's mean request. */
export function requestShape(scenario: Scenario): RequestShape {
  return {
    inputTokens: scenario.workload.inputTokensPerRequest,
    outputTokens: scenario.workload.outputTokensPerRequest,
  };
}

/** Capacity of one replica for a scenario (the `capacity` view of `evaluate`). */
export function replicaCapacity(
  inputs: Omit<EvaluationInputs, "nodePrice" | "apiPrice" | "today">,
  concurrency?: number,
): Capacity {
  const { scenario, model, variant, gpu, machine, calibration } = inputs;
  const request = requestShape(scenario);
  return estimateCapacity({
    model,
    variant,
    gpu,
    parallel: resolveParallelism(scenario, machine),
    serving: resolveServing(scenario.serving, request, model, gpu),
    request,
    calibration,
    latency: appliedLatencyTarget(scenario.workload, inputs.assumptions).target,
    concurrency,
    measuredOutputTokensPerSecond: inputs.measured?.outputTokensPerSecond,
  });
}

/**
 * Self-host or API? Sizes the fleet for the declared volume at the expected
 * utilization, prices it (compute, overhead, ops, spot preemption), prices the
 * same tokens on the API, and finds the break-even: named steps, each in
 * engine/evaluate-steps.ts, the way infracost builds a resource from its cost
 * components.
 */
export function evaluate(inputs: EvaluationInputs): Evaluation {
  const { scenario, model, machine, gpu, nodePrice, apiPrice, calibration, assumptions } = inputs;
  const capacity = replicaCapacity(inputs);
  const estimate = inputs.measured
    ? replicaCapacity({ ...inputs, measured: undefined }).outputTokensPerSecond
    : capacity.outputTokensPerSecond;
  const fleet = sizeFleet(scenario, capacity);
  const costs = monthlyCosts(inputs, fleet);
  const api = apiSide(inputs);
  const verdict = judge(inputs, capacity, fleet, costs, api);
  const result: Evaluation = {
    verdict: verdict.verdict,
    summary: summarySentence(inputs, capacity, fleet, costs, api, verdict),
    model: modelBlock(inputs),
    node: {
      machineType: machine.id,
      gpu: gpu.id,
      gpusPerNode: machine.gpuCount,
      region: scenario.node.region,
      pricing: scenario.node.pricing,
      hourlyUsd: nodePrice.hourlyUsd,
      priceSource: nodePrice.source,
    },
    parallel: resolveParallelism(scenario, machine),
    serving: resolveServing(scenario.serving, requestShape(scenario), model, gpu),
    selfHost: selfHostBlock(inputs, capacity, estimate, fleet, costs, verdict),
    api: apiBlock(inputs, api),
    breakEven: breakEvenBlock(scenario, fleet, costs, api, verdict.servable),
    savingsMonthlyUsd: verdict.servable ? verdict.savingsMonthlyUsd : null,
    latencyTarget: appliedLatencyTarget(scenario.workload, assumptions),
    workload: scenario.workload,
    pricesAsOf: { node: nodePrice.asOf, api: apiPrice.asOf, calibration: calibration.fittedOn },
    warnings: [...fleet.warnings, ...evaluationWarnings(inputs, capacity, estimate, verdict)],
  };
  return inputs.usage ? applyUsage(result, inputs) : result;
}
