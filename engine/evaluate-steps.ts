import type { Assumptions } from "./assumptions";
import type { Capacity } from "./capacity";
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
import { replicaFigures } from "./replica-figures";
import type { Evaluation, EvaluationInputs, MonthlyLineItemsUsd, Verdict } from "./evaluation-types";
import type { ModelConfig, WeightVariant } from "./model-config";
import { modelWeightBytes } from "./params";
import { apiPriceWarnings, nodePriceWarnings } from "./price-age";
import { cannotServeReason, verdictSentence } from "./verdict-sentence";
import type { Scenario } from "./scenario";

/**
 * The steps of {@link evaluate} (engine/evaluate.ts), each a cost component
 * or a block of the result: size the fleet, price it, price the API, judge,
 * then write the blocks every renderer reads.
 */

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Minutes until a preempted replica serves again: new VM and driver, image pull, weight load. */
export function estimateColdStartMinutes(model: ModelConfig, variant: WeightVariant, assumptions: Assumptions): number {
  const weightGB = modelWeightBytes(model, variant) / 1e9;
  const c = assumptions.coldStart;
  return c.vmAndDriverMinutes + c.imagePullMinutes + weightGB / c.weightLoadGBps / 60;
}

/** How many replicas the declared volume needs, and what one serves. */
export interface FleetSize {
  /** Output tokens one replica serves a month at the declared utilization (overhead tokens included). */
  tokensPerReplicaMonth: number;
  /** The same at full utilization. */
  fullTokensPerReplicaMonth: number;
  /** Share of self-hosted output that is retries and safety passes (`workload.tokenOverheadPct` / 100). */
  tokenOverheadShare: number;
  replicasForVolume: number;
  /** False when no replica count serves the volume (the credited throughput is 0). */
  canServe: boolean;
  /** Replicas priced: the volume's, at least `replicas.min` (one when the volume cannot be served). */
  replicas: number;
  nodes: number;
  warnings: string[];
}

/** The fleet for the declared volume: the self-hosted side also serves the overhead tokens the API bill does not show. */
export function sizeFleet(scenario: Scenario, capacity: Capacity): FleetSize {
  const { workload, node } = scenario;
  const tokensPerReplicaMonth = monthlyOutputTokensPerReplica(
    capacity.outputTokensPerSecond,
    workload.hoursPerMonth,
    workload.utilization,
  );
  const tokenOverheadShare = workload.tokenOverheadPct / 100;
  const replicasForVolume = replicasNeeded(
    workload.outputTokensPerMonth * (1 + tokenOverheadShare),
    tokensPerReplicaMonth,
    scenario.replicas.min,
  );
  const canServe = Number.isFinite(replicasForVolume);
  const replicas = canServe ? replicasForVolume : Math.max(1, scenario.replicas.min);
  const warnings: string[] = [];
  if (canServe && replicasForVolume > scenario.replicas.max) {
    warnings.push(
      `The volume needs ${replicasForVolume} replicas, more than replicas.max ${scenario.replicas.max}; the cost is for ${replicasForVolume}.`,
    );
  }
  return {
    tokensPerReplicaMonth,
    fullTokensPerReplicaMonth: monthlyOutputTokensPerReplica(capacity.outputTokensPerSecond, workload.hoursPerMonth, 1),
    tokenOverheadShare,
    replicasForVolume,
    canServe,
    replicas,
    nodes: replicas * node.nodesPerReplica,
    warnings,
  };
}

/** The self-hosted bill by cost component, USD a month, and the per-replica terms behind it. */
export interface MonthlyCosts extends MonthlyLineItemsUsd {
  replicaHourlyUsd: number;
  isSpot: boolean;
  preemptionsPerDay: number;
  coldStartMinutes: number;
  perReplicaMonthlyUsd: number;
  overheadShare: number;
}

/** Compute, overhead, ops, spot preemption and one-time costs of the fleet. */
export function monthlyCosts(inputs: EvaluationInputs, fleet: FleetSize): MonthlyCosts {
  const { scenario, model, variant, nodePrice, assumptions } = inputs;
  const { workload, ops, node } = scenario;
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
  const compute = computePerReplica * fleet.replicas;
  const overhead = compute * overheadShare;
  const preemption = preemptionPerReplica * fleet.replicas;
  const opsMonthly = ops.fteFraction * ops.fteMonthlyUsd + ops.fixedMonthlyUsd;
  const oneTime = ops.oneTimeUsd / ops.amortizeMonths;
  const share = fleet.tokenOverheadShare;
  return {
    replicaHourlyUsd,
    isSpot,
    preemptionsPerDay,
    coldStartMinutes,
    perReplicaMonthlyUsd: computePerReplica * (1 + overheadShare) + preemptionPerReplica,
    overheadShare,
    compute,
    overhead,
    ops: opsMonthly,
    preemption,
    oneTime,
    tokenOverhead: ((compute + overhead + preemption) * share) / (1 + share),
    total: compute + overhead + opsMonthly + preemption + oneTime,
  };
}

/** The API's bill for the same tokens. */
export interface ApiSide {
  monthlyUsd: number;
  usdPerOutputToken: number;
}

/** What the API charges for the declared tokens, in all and per output token. */
export function apiSide(inputs: EvaluationInputs): ApiSide {
  const { workload } = inputs.scenario;
  const monthlyUsd = apiMonthlyUsd(inputs.apiPrice, workload.inputTokensPerMonth, workload.outputTokensPerMonth);
  return { monthlyUsd, usdPerOutputToken: monthlyUsd / workload.outputTokensPerMonth };
}

/** The verdict and what it rests on. */
export interface Judgement {
  verdict: Verdict;
  meetsLatencyTarget: boolean;
  /** The model fits, meets the latency target, and some replica count serves the volume. */
  servable: boolean;
  savingsMonthlyUsd: number;
}

/** Self-host when it can serve and costs less; the API otherwise, unless the API is not allowed. */
export function judge(
  inputs: EvaluationInputs,
  capacity: Capacity,
  fleet: FleetSize,
  costs: MonthlyCosts,
  api: ApiSide,
): Judgement {
  const meetsLatencyTarget = inputs.measured?.meetsLatencyTarget ?? capacity.meetsLatencyTarget;
  const servable = capacity.fits && meetsLatencyTarget && fleet.canServe;
  const savingsMonthlyUsd = api.monthlyUsd - costs.total;
  let verdict: Verdict;
  if (!inputs.scenario.api.allowed) verdict = "api-not-allowed";
  else if (!servable) verdict = "api";
  else verdict = savingsMonthlyUsd > 0 ? "self-host" : "api";
  return { verdict, meetsLatencyTarget, servable, savingsMonthlyUsd };
}

/** Price age and flags, a model that does not fit, a target not met, a measurement far from the estimate. */
export function evaluationWarnings(
  inputs: EvaluationInputs,
  capacity: Capacity,
  estimate: number,
  judged: Judgement,
): string[] {
  const { scenario, model, nodePrice, apiPrice, calibration, assumptions } = inputs;
  const { node } = scenario;
  const warnings: string[] = [];
  if (nodePrice.source === "catalog")
    warnings.push(
      ...nodePriceWarnings({ ...node, asOf: nodePrice.asOf, flags: nodePrice.flags }, inputs.today, assumptions),
    );
  warnings.push(...apiPriceWarnings(apiPrice, inputs.today, assumptions));
  if (!capacity.fits)
    warnings.push(`${model.displayName} does not fit ${node.machineType}: ${capacity.doesNotFitReason}.`);
  if (capacity.fits && !judged.meetsLatencyTarget) {
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
  return warnings;
}

/** The verdict in one sentence with the dollar figures. */
export function summarySentence(
  inputs: EvaluationInputs,
  capacity: Capacity,
  fleet: FleetSize,
  costs: MonthlyCosts,
  api: ApiSide,
  judged: Judgement,
): string {
  const { model, apiPrice } = inputs;
  const { node } = inputs.scenario;
  const whyNot = cannotServeReason({
    fits: capacity.fits,
    doesNotFitReason: capacity.doesNotFitReason,
    meetsLatencyTarget: judged.meetsLatencyTarget,
    canServe: judged.servable,
  });
  return verdictSentence({
    verdict: judged.verdict,
    host: `${model.displayName} on ${fleet.nodes} x ${node.machineType} (${node.pricing})`,
    selfHostMonthlyUsd: costs.total,
    apiMonthlyUsd: api.monthlyUsd,
    apiModel: apiPrice.model,
    cannotServe: whyNot && `${model.displayName} cannot be served on ${node.machineType} (${whyNot})`,
    note:
      judged.verdict === "api-not-allowed" && whyNot
        ? ` Warning: self-hosting cannot serve this workload (${whyNot}).`
        : "",
  });
}

/** The model block of the result. */
export function modelBlock(inputs: EvaluationInputs): Evaluation["model"] {
  const { model, variant } = inputs;
  return {
    id: model.id,
    displayName: model.displayName,
    weightDtype: variant.dtype,
    huggingFaceRepo: variant.huggingFaceRepo,
  };
}

/** The fleet's cost structure per API-side token: a replica's month serves fewer billed tokens when some of its output is overhead. */
export function fleetCostModel(scenario: Scenario, fleet: FleetSize, costs: MonthlyCosts): FleetCostModel {
  return {
    perReplicaMonthlyUsd: costs.perReplicaMonthlyUsd,
    fixedMonthlyUsd: costs.ops + costs.oneTime,
    tokensPerReplicaMonth: fleet.tokensPerReplicaMonth / (1 + fleet.tokenOverheadShare),
    minReplicas: scenario.replicas.min,
  };
}

/** One replica as vLLM would size it, at the credited point (measured figures where given). */
export function capacityBlock(
  inputs: EvaluationInputs,
  capacity: Capacity,
  judged: Judgement,
): Evaluation["selfHost"]["capacity"] {
  return {
    ...replicaFigures(capacity),
    perRequestOutputTokensPerSecond:
      inputs.measured?.perRequestOutputTokensPerSecond ?? capacity.point.perRequestOutputTokensPerSecond,
    ttftMs: inputs.measured?.ttftMs ?? capacity.point.ttftMs,
    meetsLatencyTarget: judged.meetsLatencyTarget,
    latencySource: inputs.measured?.perRequestOutputTokensPerSecond !== undefined ? "measured" : "estimate",
    canServe: judged.servable,
  };
}

/** The self-hosted side of the result: fleet, cost lines, unit costs, capacity and the assumptions behind them. */
export function selfHostBlock(
  inputs: EvaluationInputs,
  capacity: Capacity,
  estimate: number,
  fleet: FleetSize,
  costs: MonthlyCosts,
  judged: Judgement,
): Evaluation["selfHost"] {
  const { scenario, calibration } = inputs;
  const computePerMillion = usdPerMillionOutputTokens(costs.replicaHourlyUsd, capacity.outputTokensPerSecond);
  const { compute, overhead, ops, preemption, oneTime, tokenOverhead, total } = costs;
  return {
    replicas: fleet.replicas,
    replicasForVolume: fleet.canServe ? fleet.replicasForVolume : Number.POSITIVE_INFINITY,
    nodes: fleet.nodes,
    monthlyUsd: { compute, overhead, ops, preemption, oneTime, tokenOverhead, total },
    usdPerMillionOutputTokens: {
      computeAtFullUtilization: computePerMillion,
      withOverheadAtFullUtilization: computePerMillion * (1 + costs.overheadShare),
      allInAtDeclaredVolume: (total / scenario.workload.outputTokensPerMonth) * 1e6,
    },
    capacity: capacityBlock(inputs, capacity, judged),
    kvBytesPerToken: capacity.memory.kvBytesPerToken,
    throughputSource: capacity.throughputSource,
    estimateMethod: capacity.estimateMethod,
    errorBandPct: calibration.errorBandPct,
    measured: inputs.measured,
    estimatedOutputTokensPerSecond: estimate,
    coldStartMinutes: costs.coldStartMinutes,
    preemptionAssumption: costs.isSpot
      ? `${costs.preemptionsPerDay} preemptions per node per day x ${costs.coldStartMinutes.toFixed(1)} min cold start x $${round2(costs.replicaHourlyUsd)}/h per replica`
      : `none (${scenario.node.pricing} nodes are not preempted)`,
    sweep: capacity.sweep,
    fleet: fleetCostModel(scenario, fleet, costs),
  };
}

/** The API side of the result: its bill for the same tokens and the rates used. */
export function apiBlock(inputs: EvaluationInputs, api: ApiSide): Evaluation["api"] {
  const p = inputs.apiPrice;
  return {
    provider: p.provider,
    model: p.model,
    allowed: inputs.scenario.api.allowed,
    monthlyUsd: api.monthlyUsd,
    usdPerMillionOutputTokensAllIn: api.usdPerOutputToken * 1e6,
    rates: {
      inputUsdPerMTok: p.inputUsdPerMTok,
      outputUsdPerMTok: p.outputUsdPerMTok,
      cachedInputUsdPerMTok: p.cachedInputUsdPerMTok,
      cachedInputShare: p.cachedInputShare,
      batchShare: p.batchShare,
      batchDiscount: p.batchDiscount,
    },
    priceSource: p.source,
    note: p.note,
  };
}

/** Where both cost the same: utilization of the declared fleet, monthly volume, throughput per replica. */
export function breakEvenBlock(
  scenario: Scenario,
  fleet: FleetSize,
  costs: MonthlyCosts,
  api: ApiSide,
  servable: boolean,
): Evaluation["breakEven"] {
  const { workload } = scenario;
  const fleetTokensFull = (fleet.fullTokensPerReplicaMonth * fleet.replicas) / (1 + fleet.tokenOverheadShare);
  return {
    utilization: breakEvenUtilization(costs.total, fleetTokensFull, api.usdPerOutputToken),
    monthlyOutputTokens: servable
      ? breakEvenMonthlyOutputTokens(fleetCostModel(scenario, fleet, costs), api.usdPerOutputToken)
      : null,
    outputTokensPerSecondPerReplica: breakEvenOutputTokensPerSecond(
      costs.total / fleet.replicas,
      workload.hoursPerMonth,
      workload.utilization,
      api.usdPerOutputToken,
    ),
  };
}
