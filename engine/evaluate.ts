import type { Assumptions } from "./assumptions";
import { estimateCapacity, type Capacity, type ResolvedServing } from "./capacity";
import {
  apiMonthlyUsd,
  breakEvenMonthlyOutputTokens,
  breakEvenOutputTokensPerSecond,
  breakEvenUtilization,
  monthlyOutputTokensPerReplica,
  replicasNeeded,
  usdPerMillionOutputTokens,
  type FleetCostModel,
} from "./cost";
import type { Gpu, MachineType } from "./hardware";
import type { Parallelism } from "./memory";
import type { ModelConfig, WeightVariant } from "./model-config";
import { appliedLatencyTarget } from "./latency-target";
import { modelWeightBytes } from "./params";
import { apiPriceWarnings, nodePriceWarnings } from "./price-age";
import type { Scenario } from "./scenario";
import type { RequestShape } from "./throughput";
import { applyUsage } from "./evaluate-usage";

import type { Evaluation, EvaluationInputs, Verdict } from "./evaluation-types";

export type {
  ApiPrice,
  Evaluation,
  EvaluationInputs,
  MeasuredThroughput,
  NodePrice,
  Verdict,
} from "./evaluation-types";

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Minutes until a preempted replica serves again: new VM and driver, image pull, weight load. */
export function estimateColdStartMinutes(model: ModelConfig, variant: WeightVariant, assumptions: Assumptions): number {
  const weightGB = modelWeightBytes(model, variant) / 1e9;
  const c = assumptions.coldStart;
  return c.vmAndDriverMinutes + c.imagePullMinutes + weightGB / c.weightLoadGBps / 60;
}

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
 * same tokens on the API, and finds the break-even.
 */
export function evaluate(inputs: EvaluationInputs): Evaluation {
  const { scenario, model, variant, machine, gpu, nodePrice, apiPrice, calibration, assumptions } = inputs;
  const { workload, ops, node } = scenario;
  const warnings: string[] = [];
  const parallel = resolveParallelism(scenario, machine);
  const serving = resolveServing(scenario.serving, requestShape(scenario), model, gpu);
  const capacity = replicaCapacity(inputs);
  const estimate = inputs.measured
    ? replicaCapacity({ ...inputs, measured: undefined }).outputTokensPerSecond
    : capacity.outputTokensPerSecond;

  const tokensPerReplicaMonth = monthlyOutputTokensPerReplica(
    capacity.outputTokensPerSecond,
    workload.hoursPerMonth,
    workload.utilization,
  );
  const tokenOverheadShare = workload.tokenOverheadPct / 100;
  // The self-hosted side also serves the retries and safety passes the API bill does not show.
  const replicasForVolume = replicasNeeded(
    workload.outputTokensPerMonth * (1 + tokenOverheadShare),
    tokensPerReplicaMonth,
    scenario.replicas.min,
  );
  const canServe = Number.isFinite(replicasForVolume);
  const replicas = canServe ? replicasForVolume : Math.max(1, scenario.replicas.min);
  if (canServe && replicasForVolume > scenario.replicas.max) {
    warnings.push(
      `The volume needs ${replicasForVolume} replicas, more than replicas.max ${scenario.replicas.max}; the cost is for ${replicasForVolume}.`,
    );
  }
  const nodes = replicas * node.nodesPerReplica;
  const replicaHourlyUsd = nodePrice.hourlyUsd * node.nodesPerReplica;

  const isSpot = node.pricing === "spot";
  const preemptionsPerDay = node.preemptionsPerDay ?? (isSpot ? assumptions.spot.defaultPreemptionsPerDay : 0);
  const coldStartMinutes = node.coldStartMinutes ?? estimateColdStartMinutes(model, variant, assumptions);
  // Each preemption of a node idles its whole replica for a cold start while the replacement bills.
  const preemptionPerReplica =
    preemptionsPerDay *
    node.nodesPerReplica *
    (workload.hoursPerMonth / 24) *
    (coldStartMinutes / 60) *
    replicaHourlyUsd;
  const computePerReplica = replicaHourlyUsd * workload.hoursPerMonth;
  const overheadShare = ops.overheadPct / 100;
  const perReplicaMonthlyUsd = computePerReplica * (1 + overheadShare) + preemptionPerReplica;
  const opsMonthly = ops.fteFraction * ops.fteMonthlyUsd + ops.fixedMonthlyUsd;
  const oneTimeMonthly = ops.oneTimeUsd / ops.amortizeMonths;

  const compute = computePerReplica * replicas;
  const overhead = compute * overheadShare;
  const preemption = preemptionPerReplica * replicas;
  const total = compute + overhead + opsMonthly + preemption + oneTimeMonthly;
  const tokenOverheadUsd = ((compute + overhead + preemption) * tokenOverheadShare) / (1 + tokenOverheadShare);

  const apiMonthly = apiMonthlyUsd(apiPrice, workload.inputTokensPerMonth, workload.outputTokensPerMonth);
  const apiUsdPerOutputToken = apiMonthly / workload.outputTokensPerMonth;
  // Per API-side token: a replica's month serves fewer billed tokens when some of its output is overhead.
  const fleet: FleetCostModel = {
    perReplicaMonthlyUsd,
    fixedMonthlyUsd: opsMonthly + oneTimeMonthly,
    tokensPerReplicaMonth: tokensPerReplicaMonth / (1 + tokenOverheadShare),
    minReplicas: scenario.replicas.min,
  };
  const fleetTokensFull =
    (monthlyOutputTokensPerReplica(capacity.outputTokensPerSecond, workload.hoursPerMonth, 1) * replicas) /
    (1 + tokenOverheadShare);

  const measuredLatency = inputs.measured?.perRequestOutputTokensPerSecond !== undefined;
  const meetsLatencyTarget = inputs.measured?.meetsLatencyTarget ?? capacity.meetsLatencyTarget;
  const servable = capacity.fits && meetsLatencyTarget && canServe;
  const savings = apiMonthly - total;
  let verdict: Verdict;
  if (!scenario.api.allowed) verdict = "api-not-allowed";
  else if (!servable) verdict = "api";
  else verdict = savings > 0 ? "self-host" : "api";

  if (nodePrice.source === "catalog")
    warnings.push(
      ...nodePriceWarnings({ ...node, asOf: nodePrice.asOf, flags: nodePrice.flags }, inputs.today, assumptions),
    );
  warnings.push(...apiPriceWarnings(apiPrice, inputs.today, assumptions));
  if (!capacity.fits)
    warnings.push(
      `${model.displayName} does not fit ${node.machineType}: ${capacity.memory.reason ?? "no KV cache room for one request"}.`,
    );
  if (capacity.fits && !meetsLatencyTarget) {
    warnings.push(
      inputs.measured?.meetsLatencyTarget === false
        ? `No measured point in ${inputs.measured.reference} meets the latency target.`
        : "Even one request at a time misses the latency target on this hardware.",
    );
  }
  if (inputs.measured && estimate > 0) {
    const diffPct = ((inputs.measured.outputTokensPerSecond - estimate) / estimate) * 100;
    if (Math.abs(diffPct) > calibration.errorBandPct) {
      warnings.push(
        `The measured ${round2(inputs.measured.outputTokensPerSecond)} output tok/s differs from the estimate of ${round2(estimate)} by ${diffPct.toFixed(0)} %, outside the model's ±${calibration.errorBandPct} % band; the measurement is used.`,
      );
    }
  }

  const computePerMillion = usdPerMillionOutputTokens(replicaHourlyUsd, capacity.outputTokensPerSecond);
  const fmtUsd = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;
  let summary: string;
  const hostDesc = `${model.displayName} on ${nodes} x ${node.machineType} (${node.pricing})`;
  if (verdict === "api-not-allowed") {
    summary = `The API is not allowed for this workload, so self-hosting is the only option: ${hostDesc} costs ${fmtUsd(total)} a month.`;
    if (!servable)
      summary += ` Warning: ${capacity.fits ? "it cannot meet the declared latency target or volume" : "the model does not fit this machine"}.`;
  } else if (!servable) {
    summary = `The API wins: ${model.displayName} cannot be served on ${node.machineType} (${capacity.memory.reason ?? "latency target or volume not met"}); the API costs ${fmtUsd(apiMonthly)} a month.`;
  } else if (verdict === "self-host") {
    summary = `Self-host: ${hostDesc} costs ${fmtUsd(total)} a month against ${fmtUsd(apiMonthly)} for ${apiPrice.model}, saving ${fmtUsd(savings)}.`;
  } else {
    summary = `The API wins: ${hostDesc} costs ${fmtUsd(total)} a month against ${fmtUsd(apiMonthly)} for ${apiPrice.model}.`;
  }

  const result: Evaluation = {
    verdict,
    summary,
    model: {
      id: model.id,
      displayName: model.displayName,
      weightDtype: variant.dtype,
      huggingFaceRepo: variant.huggingFaceRepo,
    },
    node: {
      machineType: machine.id,
      gpu: gpu.id,
      gpusPerNode: machine.gpuCount,
      region: node.region,
      pricing: node.pricing,
      hourlyUsd: nodePrice.hourlyUsd,
      priceSource: nodePrice.source,
    },
    parallel,
    serving,
    selfHost: {
      replicas,
      replicasForVolume: canServe ? replicasForVolume : Number.POSITIVE_INFINITY,
      nodes,
      monthlyUsd: {
        compute,
        overhead,
        ops: opsMonthly,
        preemption,
        oneTime: oneTimeMonthly,
        tokenOverhead: tokenOverheadUsd,
        total,
      },
      usdPerMillionOutputTokens: {
        computeAtFullUtilization: computePerMillion,
        withOverheadAtFullUtilization: computePerMillion * (1 + overheadShare),
        allInAtDeclaredVolume: (total / workload.outputTokensPerMonth) * 1e6,
      },
      capacity: {
        fits: capacity.fits,
        outputTokensPerSecond: capacity.outputTokensPerSecond,
        perRequestOutputTokensPerSecond:
          inputs.measured?.perRequestOutputTokensPerSecond ?? capacity.point.perRequestOutputTokensPerSecond,
        ttftMs: inputs.measured?.ttftMs ?? capacity.point.ttftMs,
        concurrency: capacity.point.concurrency,
        kvCacheTokens: capacity.memory.kvCacheTokens,
        kvCacheGiBPerGpu: capacity.memory.kvCacheGiBPerGpu,
        reserveGiBPerGpu: capacity.memory.reserveGiBPerGpu,
        maxConcurrency: capacity.maxConcurrency,
        maxConcurrencyAtMaxModelLen: capacity.memory.maxConcurrencyAtMaxModelLen,
        weightsGiBPerGpu: capacity.memory.weightsGiBPerGpu,
        bindingLimit: capacity.bindingLimit,
        meetsLatencyTarget,
        latencySource: measuredLatency ? "measured" : "estimate",
        canServe: servable,
        doesNotFitReason: capacity.memory.reason,
      },
      kvBytesPerToken: capacity.memory.kvBytesPerToken,
      throughputSource: capacity.throughputSource,
      estimateMethod: capacity.estimateMethod,
      errorBandPct: calibration.errorBandPct,
      measured: inputs.measured,
      estimatedOutputTokensPerSecond: estimate,
      coldStartMinutes,
      preemptionAssumption: isSpot
        ? `${preemptionsPerDay} preemptions per node per day x ${coldStartMinutes.toFixed(1)} min cold start x $${round2(replicaHourlyUsd)}/h per replica`
        : `none (${node.pricing} nodes are not preempted)`,
      sweep: capacity.sweep,
      fleet,
    },
    api: {
      provider: apiPrice.provider,
      model: apiPrice.model,
      allowed: scenario.api.allowed,
      monthlyUsd: apiMonthly,
      usdPerMillionOutputTokensAllIn: apiUsdPerOutputToken * 1e6,
      rates: {
        inputUsdPerMTok: apiPrice.inputUsdPerMTok,
        outputUsdPerMTok: apiPrice.outputUsdPerMTok,
        cachedInputUsdPerMTok: apiPrice.cachedInputUsdPerMTok,
        cachedInputShare: apiPrice.cachedInputShare,
        batchShare: apiPrice.batchShare,
        batchDiscount: apiPrice.batchDiscount,
      },
      priceSource: apiPrice.source,
      note: apiPrice.note,
    },
    breakEven: {
      utilization: breakEvenUtilization(total, fleetTokensFull, apiUsdPerOutputToken),
      monthlyOutputTokens: servable ? breakEvenMonthlyOutputTokens(fleet, apiUsdPerOutputToken) : null,
      outputTokensPerSecondPerReplica: breakEvenOutputTokensPerSecond(
        total / replicas,
        workload.hoursPerMonth,
        workload.utilization,
        apiUsdPerOutputToken,
      ),
    },
    savingsMonthlyUsd: servable ? savings : null,
    latencyTarget: appliedLatencyTarget(workload, assumptions),
    workload,
    pricesAsOf: { node: nodePrice.asOf, api: apiPrice.asOf, calibration: calibration.fittedOn },
    warnings,
  };
  return inputs.usage ? applyUsage(result, inputs) : result;
}
