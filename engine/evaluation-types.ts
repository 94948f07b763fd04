// The evaluation's input and result types, apart from evaluate() so that the
// steps it calls (evaluate-usage, fleets) can name them without importing it.
import type { Assumptions } from "./assumptions";
import type { Calibration } from "./calibration";
import type { EstimateMethod, ResolvedServing } from "./capacity";
import type { ApiRates, FleetCostModel } from "./cost";
import type { Gpu, MachineType } from "./hardware";
import type { Parallelism } from "./memory";
import type { ModelConfig, WeightVariant } from "./model-config";
import type { AppliedLatencyTarget } from "./latency-target";
import type { PriceFlag } from "./price-flags";
import type { ReplicaFigures } from "./replica-figures";
import type { Scenario } from "./scenario";
import type { ThroughputPoint } from "./throughput";
import type { FleetSummary, HybridSummary, UsageFleets, UsageProfile } from "./fleet-evaluate";

/**
 * The self-hosted bill's line items, USD a month: `oneTime` is ops.oneTimeUsd
 * over ops.amortizeMonths; `tokenOverhead` is the part of compute, overhead and
 * preemption that serves workload.tokenOverheadPct (already inside them).
 */
export interface MonthlyLineItemsUsd {
  compute: number;
  overhead: number;
  ops: number;
  preemption: number;
  oneTime: number;
  tokenOverhead: number;
  total: number;
}

/** A node's hourly price and where it came from. */
export interface NodePrice {
  hourlyUsd: number;
  source: "catalog" | "override";
  /** Date of the catalog row; absent for an override. */
  asOf?: string | undefined;
  /** The catalog row's source, or "node.hourlyUsd". */
  reference: string;
  /** What the catalog's price sanity check says of this row (catalog/price-checks.ts); each becomes a warning. */
  flags?: readonly PriceFlag[] | undefined;
}

/** The API's prices at the workload's request shape and where they came from. */
export interface ApiPrice extends ApiRates {
  source: "genai-prices" | "override";
  /** Provider and model as priced. */
  provider: string;
  model: string;
  /** Version or date of the price data. */
  asOf?: string | undefined;
  /** Date (YYYY-MM-DD) of the price data, for the staleness warning. */
  dataDate?: string | undefined;
  /** E.g. "prompt <= 200k tokens tier". */
  note?: string | undefined;
}

/** A measured throughput figure with its provenance. */
export interface MeasuredThroughput {
  outputTokensPerSecond: number;
  /** "stack config" or a benchmark file path. */
  reference: string;
  date?: string | undefined;
  concurrency?: number | undefined;
  /** Measured decode speed one request saw (1000 / mean TPOT), when the source gives it. */
  perRequestOutputTokensPerSecond?: number | undefined;
  /** Measured mean time to first token, ms, when the source gives it. */
  ttftMs?: number | undefined;
  /** Whether the measured point meets the workload's latency target; absent when the source cannot say. */
  meetsLatencyTarget?: boolean | undefined;
}

/** Everything the engine needs; the adapters resolve it from catalogs and config. */
export interface EvaluationInputs {
  scenario: Scenario;
  model: ModelConfig;
  variant: WeightVariant;
  machine: MachineType;
  gpu: Gpu;
  nodePrice: NodePrice;
  apiPrice: ApiPrice;
  calibration: Calibration;
  assumptions: Assumptions;
  measured?: MeasuredThroughput | undefined;
  /** Today's date (YYYY-MM-DD), for price age warnings; passed in to keep the engine pure. */
  today: string;
  /** The hourly profile of the usage the workload came from (workload.fromUsage): the fleets follow it. */
  usage?: UsageProfile | undefined;
}

/** The verdict. */
export type Verdict = "self-host" | "api" | "api-not-allowed";

/** The one result object every adapter renders or enforces. */
export interface Evaluation {
  verdict: Verdict;
  /** One sentence a person can act on. */
  summary: string;
  model: { id: string; displayName: string; weightDtype: WeightVariant["dtype"]; huggingFaceRepo: string };
  node: {
    machineType: string;
    gpu: string;
    gpusPerNode: number;
    region: string;
    pricing: Scenario["node"]["pricing"];
    hourlyUsd: number;
    priceSource: NodePrice["source"];
  };
  parallel: Parallelism;
  serving: ResolvedServing;
  selfHost: {
    replicas: number;
    /** Replicas the volume alone needs (may exceed replicas.max). */
    replicasForVolume: number;
    nodes: number;
    /** Line items; `oneTime` is ops.oneTimeUsd over ops.amortizeMonths; `tokenOverhead` is the part of compute, overhead and preemption that serves workload.tokenOverheadPct (already inside them). */
    monthlyUsd: MonthlyLineItemsUsd;
    usdPerMillionOutputTokens: {
      computeAtFullUtilization: number;
      withOverheadAtFullUtilization: number;
      allInAtDeclaredVolume: number;
    };
    capacity: ReplicaFigures & {
      /** Whether per-request speed and TTFT are measured (from a benchmark file) or estimated. */
      latencySource: "estimate" | "measured";
      /** The model fits, meets the latency target, and some replica count serves the volume: self-hosting is an option at all. */
      canServe: boolean;
    };
    kvBytesPerToken: number;
    throughputSource: "estimate" | "measured";
    /**
     * How the estimate (capacity point, sweep) was made: `scheduler-simulation`,
     * the V1 scheduler simulation's closed-loop steady state
     * (engine/steady-state.ts); `closed-form` only when the model does not fit.
     */
    estimateMethod: EstimateMethod;
    /** ± percent band of the estimate (the calibration's p90 error). */
    errorBandPct: number;
    measured?: MeasuredThroughput | undefined;
    /** The estimate even when a measurement wins, for comparison. */
    estimatedOutputTokensPerSecond: number;
    coldStartMinutes: number;
    preemptionAssumption: string;
    sweep: ThroughputPoint[];
    /** The fleet's cost structure (per replica, fixed, tokens per replica-month): self-hosting's cost at any volume, e.g. for the break-even chart. */
    fleet: FleetCostModel;
    /** With usage: the three fleets on its hours (workload.fromUsage). */
    fleets?: FleetSummary[] | undefined;
    /** The cheapest fleet that serves every hour at the latency target; null when none does. */
    fleetUsed?: FleetSummary["kind"] | null | undefined;
    /** With usage: k self-hosted replicas plus API overflow, hour by hour. */
    hybrid?: HybridSummary | undefined;
    /** With usage: the span the verdict rests on. */
    usageSpan?: UsageFleets["usageSpan"] | undefined;
  };
  api: {
    provider: string;
    model: string;
    allowed: boolean;
    monthlyUsd: number;
    usdPerMillionOutputTokensAllIn: number;
    rates: ApiRates;
    priceSource: ApiPrice["source"];
    note?: string | undefined;
  };
  breakEven: {
    /** Utilization of the declared fleet at which both cost the same; above 1: never reachable. */
    utilization: number;
    /** Smallest monthly output volume at which self-hosting (scaled) is cheaper; null when never. */
    monthlyOutputTokens: number | null;
    /**
     * Output tokens a second each replica would have to serve, at the declared
     * utilization, for the declared fleet to cost what the API charges for
     * those tokens (the reference story's "1.67M tokens an hour").
     */
    outputTokensPerSecondPerReplica: number;
  };
  /**
   * API minus self-hosting: positive means self-hosting saves money. Null when
   * self-hosting cannot serve the workload (does not fit, misses the latency
   * target, or no replica count serves the volume): there is nothing to save.
   */
  savingsMonthlyUsd: number | null;
  /** The latency target the replica was sized against, and why that one. */
  latencyTarget: AppliedLatencyTarget;
  workload: Scenario["workload"];
  pricesAsOf: { node?: string | undefined; api?: string | undefined; calibration: string };
  warnings: string[];
}
