import { apiMonthlyUsd, selfHostMonthlyUsdAt } from "./cost";
import { evaluate, replicaCapacity, resolveParallelism, type Evaluation, type EvaluationInputs, type MeasuredThroughput } from "./evaluate";
import type { Gpu, MachineType } from "./hardware";
import type { Parallelism } from "./memory";
import type { PricingModel, Scenario } from "./scenario";

/**
 * `breakeven recommend`: the cheapest way to serve the declared workload and
 * model. Every machine type, TP/PP layout, region and pricing model of the
 * catalog, the API itself, and a hybrid (some replicas self-hosted flat out,
 * the rest of the traffic to the API), ranked by monthly total. Prices go
 * through `evaluate()`; nothing here adds up costs of its own.
 */

/** One catalog price: a machine type in a region under a pricing model. */
export interface NodeOffer {
  machineType: string;
  region: string;
  pricing: PricingModel;
  hourlyUsd: number;
  asOf?: string | undefined;
  reference: string;
}

/** What the search may use. */
export interface RecommendConstraints {
  /** Regions allowed; undefined: all. */
  regions?: readonly string[] | undefined;
  /** False drops spot offers. */
  allowSpot: boolean;
}

/** The search space and the declared scenario it starts from. */
export interface RecommendSearch {
  /** The declared scenario, resolved (its model, workload, ops, API price, measured throughput). */
  base: EvaluationInputs;
  machines: readonly MachineType[];
  gpus: ReadonlyMap<string, Gpu>;
  offers: readonly NodeOffer[];
  constraints: RecommendConstraints;
}

/** How a self-hosted option is laid out and priced. */
export interface SelfHostPlan {
  machineType: string;
  gpu: string;
  gpusPerNode: number;
  region: string;
  pricing: PricingModel;
  hourlyUsd: number;
  parallel: Parallelism;
  nodesPerReplica: number;
  replicas: number;
  outputTokensPerSecondPerReplica: number;
  throughputSource: Evaluation["selfHost"]["throughputSource"];
  /** Regions with a price for this machine and pricing model (after the region constraint). */
  regionsPriced: number;
  /** The next-cheapest region, when there is one. */
  nextRegion?: { region: string; hourlyUsd: number } | undefined;
  /** Other TP/PP layouts of this machine that fit, and the replicas each needed. */
  otherLayouts: { parallel: Parallelism; replicas: number }[];
}

/** A ranked option. */
export interface RecommendOption {
  rank: number;
  kind: "self-host" | "hybrid" | "api";
  monthlyUsd: number;
  /** What the API alone costs minus this option: positive means cheaper than the API. Null when the API is not allowed. */
  savingsVsApiMonthlyUsd: number | null;
  usdPerMillionOutputTokens: number;
  /** The self-hosted part (whole for "self-host", the self-hosted share for "hybrid"). */
  selfHost?: SelfHostPlan | undefined;
  /** The split of a hybrid. */
  hybrid?: { selfHostedShare: number; selfHostMonthlyUsd: number; apiMonthlyUsd: number; selfHostedOutputTokensPerMonth: number } | undefined;
  /** The evaluation of the self-hosted part at the whole declared volume (self-host options only). */
  evaluation?: Evaluation | undefined;
}

/** A machine type the search could not use, and why. */
export interface Exclusion {
  machineType: string;
  kind: "does-not-fit" | "misses-latency" | "no-price" | "unknown-gpu";
  reason: string;
}

/** The ranking. */
export interface Recommendation {
  options: RecommendOption[];
  excluded: Exclusion[];
  apiAllowed: boolean;
  api: { provider: string; model: string; monthlyUsd: number };
  searched: { machineTypes: number; layouts: number; offers: number; evaluations: number };
}

/** Powers of two up to the node's GPU count: the TP sizes vLLM runs inside a node. */
export function tensorParallelSizes(gpusPerNode: number): number[] {
  const sizes: number[] = [];
  for (let tp = 1; tp <= gpusPerNode; tp *= 2) if (gpusPerNode % tp === 0) sizes.push(tp);
  return sizes;
}

/** The TP/PP layouts of one replica on `nodesPerReplica` nodes of a machine: TP inside a node, PP for the rest. */
export function layoutsFor(machine: MachineType, nodesPerReplica: number): Parallelism[] {
  const gpus = machine.gpuCount * nodesPerReplica;
  return tensorParallelSizes(machine.gpuCount).map((tp) => ({ tensorParallel: tp, pipelineParallel: gpus / tp }));
}

/** The declared scenario moved onto another node, with that node's preemption default unless the user set one for spot. */
function scenarioOn(base: Scenario, machine: MachineType, parallel: Parallelism, nodesPerReplica: number, region: string, pricing: PricingModel): Scenario {
  const declaredSpot = base.node.pricing === "spot";
  return {
    ...base,
    node: {
      ...base.node,
      machineType: machine.id,
      region,
      pricing,
      hourlyUsd: undefined,
      nodesPerReplica,
      tensorParallel: parallel.tensorParallel,
      pipelineParallel: parallel.pipelineParallel,
      // A preemption rate the user declared for spot is theirs for spot; on-demand and committed nodes are not preempted.
      preemptionsPerDay: pricing === "spot" && declaredSpot ? base.node.preemptionsPerDay : pricing === "spot" ? undefined : 0,
    },
  };
}

/** The declared measurement applies only to the hardware and layout it was measured on. */
function measuredFor(search: RecommendSearch, machine: MachineType, parallel: Parallelism, nodesPerReplica: number): MeasuredThroughput | undefined {
  const { base } = search;
  const declared = resolveParallelism(base.scenario, base.machine);
  const same =
    machine.id === base.machine.id &&
    nodesPerReplica === base.scenario.node.nodesPerReplica &&
    parallel.tensorParallel === declared.tensorParallel &&
    parallel.pipelineParallel === declared.pipelineParallel;
  return same ? base.measured : undefined;
}

interface Candidate {
  machine: MachineType;
  gpu: Gpu;
  parallel: Parallelism;
  nodesPerReplica: number;
  measured: MeasuredThroughput | undefined;
}

/** Machine layouts that can hold the model and meet the latency floor; the rest become exclusions. */
function feasibleLayouts(search: RecommendSearch, excluded: Exclusion[]): { candidates: Candidate[]; layouts: number } {
  const { base } = search;
  const candidates: Candidate[] = [];
  let layouts = 0;
  const nodeCounts = [...new Set([1, base.scenario.node.nodesPerReplica])];
  for (const machine of search.machines) {
    const gpu = search.gpus.get(machine.gpu);
    if (!gpu) {
      excluded.push({ machineType: machine.id, kind: "unknown-gpu", reason: `unknown GPU ${machine.gpu}` });
      continue;
    }
    const reasons: Omit<Exclusion, "machineType">[] = [];
    let fits = 0;
    for (const nodesPerReplica of nodeCounts) {
      for (const parallel of layoutsFor(machine, nodesPerReplica)) {
        layouts++;
        const measured = measuredFor(search, machine, parallel, nodesPerReplica);
        const scenario = scenarioOn(base.scenario, machine, parallel, nodesPerReplica, base.scenario.node.region, base.scenario.node.pricing);
        // Capacity does not depend on price: one fit per layout, reused for every region and pricing model below.
        const capacity = replicaCapacity({ ...base, scenario, machine, gpu, measured });
        if (!capacity.fits) reasons.push({ kind: "does-not-fit", reason: capacity.memory.reason ?? "no KV cache room for one request" });
        else if (!capacity.meetsLatencyTarget) reasons.push({ kind: "misses-latency", reason: "misses the latency floor even at one request" });
        else {
          fits++;
          candidates.push({ machine, gpu, parallel, nodesPerReplica, measured });
        }
      }
    }
    // The widest layout's reason is the telling one (the most memory a node offers).
    const telling = reasons.at(-1);
    if (fits === 0 && telling) excluded.push({ machineType: machine.id, ...telling });
  }
  return { candidates, layouts };
}

/** Offers the constraints allow, by machine type, cheapest first within each pricing model. */
function offersByMachine(search: RecommendSearch): Map<string, Map<PricingModel, NodeOffer[]>> {
  const { regions, allowSpot } = search.constraints;
  const allowed = regions ? new Set(regions) : undefined;
  const byMachine = new Map<string, Map<PricingModel, NodeOffer[]>>();
  for (const offer of search.offers) {
    if (!(offer.hourlyUsd > 0)) continue;
    if (!allowSpot && offer.pricing === "spot") continue;
    if (allowed && !allowed.has(offer.region)) continue;
    const byPricing = byMachine.get(offer.machineType) ?? new Map<PricingModel, NodeOffer[]>();
    byMachine.set(offer.machineType, byPricing);
    const list = byPricing.get(offer.pricing) ?? [];
    byPricing.set(offer.pricing, list);
    list.push(offer);
  }
  for (const byPricing of byMachine.values()) {
    for (const list of byPricing.values()) list.sort((a, b) => a.hourlyUsd - b.hourlyUsd || a.region.localeCompare(b.region));
  }
  return byMachine;
}

/**
 * The cheapest hybrid on one self-hosted plan: k replicas (fewer than the
 * volume needs) run at the expected utilization and the API takes the rest.
 * Null when one replica already covers the volume.
 */
export function bestHybrid(e: Evaluation): { replicas: number; share: number; selfHostMonthlyUsd: number; apiMonthlyUsd: number; selfTokens: number } | null {
  const fleet = e.selfHost.fleet;
  const volume = e.workload.outputTokensPerMonth;
  const inputPerOutput = e.workload.inputTokensPerMonth / volume;
  let best: { replicas: number; share: number; selfHostMonthlyUsd: number; apiMonthlyUsd: number; selfTokens: number } | null = null;
  for (let k = Math.max(1, fleet.minReplicas); k < e.selfHost.replicasForVolume; k++) {
    const selfTokens = k * fleet.tokensPerReplicaMonth;
    const rest = volume - selfTokens;
    const option = {
      replicas: k,
      share: selfTokens / volume,
      selfHostMonthlyUsd: selfHostMonthlyUsdAt(fleet, selfTokens),
      apiMonthlyUsd: apiMonthlyUsd(e.api.rates, rest * inputPerOutput, rest),
      selfTokens,
    };
    if (!best || option.selfHostMonthlyUsd + option.apiMonthlyUsd < best.selfHostMonthlyUsd + best.apiMonthlyUsd) best = option;
  }
  return best;
}

/** Searches every feasible layout and price and ranks the options, cheapest first. */
export function recommend(search: RecommendSearch): Recommendation {
  const { base } = search;
  const declared = evaluate(base);
  const apiAllowed = base.scenario.api.allowed;
  const volume = base.scenario.workload.outputTokensPerMonth;
  const excluded: Exclusion[] = [];
  const { candidates, layouts } = feasibleLayouts(search, excluded);
  const offers = offersByMachine(search);
  let evaluations = 1;
  let offersConsidered = 0;

  // Best layout per (machine, pricing): the region is the cheapest one, since every self-hosting cost
  // term scales with the node's hourly price or does not depend on it; capacity is the same everywhere.
  const best = new Map<string, { e: Evaluation; candidate: Candidate; list: NodeOffer[]; layouts: { parallel: Parallelism; replicas: number }[] }>();
  const unpriced = new Set(candidates.map((c) => c.machine.id));
  for (const candidate of candidates) {
    const byPricing = offers.get(candidate.machine.id);
    if (!byPricing) continue;
    if (unpriced.delete(candidate.machine.id)) for (const list of byPricing.values()) offersConsidered += list.length;
    for (const [pricing, list] of byPricing) {
      const cheapest = list[0];
      if (!cheapest) continue;
      const { machine, gpu, parallel, nodesPerReplica, measured } = candidate;
      const e = evaluate({
        ...base,
        scenario: scenarioOn(base.scenario, machine, parallel, nodesPerReplica, cheapest.region, pricing),
        machine,
        gpu,
        measured,
        nodePrice: { hourlyUsd: cheapest.hourlyUsd, source: "catalog", asOf: cheapest.asOf, reference: cheapest.reference },
      });
      evaluations++;
      if (!e.selfHost.capacity.canServe) continue;
      const key = `${machine.id}|${pricing}|${nodesPerReplica}`;
      const held = best.get(key);
      const layout = { parallel, replicas: e.selfHost.replicas };
      if (!held) best.set(key, { e, candidate, list, layouts: [layout] });
      else {
        held.layouts.push(layout);
        if (e.selfHost.monthlyUsd.total < held.e.selfHost.monthlyUsd.total) Object.assign(held, { e, candidate, list });
      }
    }
  }
  for (const id of unpriced) excluded.push({ machineType: id, kind: "no-price", reason: "no price in the allowed regions and pricing models" });

  const options: Omit<RecommendOption, "rank">[] = [];
  const savings = (monthlyUsd: number) => (apiAllowed ? declared.api.monthlyUsd - monthlyUsd : null);
  let bestHybridOption: Omit<RecommendOption, "rank"> | undefined;
  for (const { e, candidate, list, layouts: tried } of best.values()) {
    const [first, next] = list;
    const plan: SelfHostPlan = {
      machineType: candidate.machine.id,
      gpu: candidate.gpu.id,
      gpusPerNode: candidate.machine.gpuCount,
      region: first?.region ?? e.node.region,
      pricing: e.node.pricing,
      hourlyUsd: e.node.hourlyUsd,
      parallel: e.parallel,
      nodesPerReplica: candidate.nodesPerReplica,
      replicas: e.selfHost.replicas,
      outputTokensPerSecondPerReplica: e.selfHost.capacity.outputTokensPerSecond,
      throughputSource: e.selfHost.throughputSource,
      regionsPriced: list.length,
      nextRegion: next ? { region: next.region, hourlyUsd: next.hourlyUsd } : undefined,
      otherLayouts: tried.filter((l) => l.parallel.tensorParallel !== e.parallel.tensorParallel || l.parallel.pipelineParallel !== e.parallel.pipelineParallel),
    };
    const total = e.selfHost.monthlyUsd.total;
    options.push({ kind: "self-host", monthlyUsd: total, savingsVsApiMonthlyUsd: savings(total), usdPerMillionOutputTokens: (total / volume) * 1e6, selfHost: plan, evaluation: e });
    const hybrid = apiAllowed ? bestHybrid(e) : null;
    if (!hybrid) continue;
    const hybridTotal = hybrid.selfHostMonthlyUsd + hybrid.apiMonthlyUsd;
    if (bestHybridOption && bestHybridOption.monthlyUsd <= hybridTotal) continue;
    bestHybridOption = {
      kind: "hybrid",
      monthlyUsd: hybridTotal,
      savingsVsApiMonthlyUsd: savings(hybridTotal),
      usdPerMillionOutputTokens: (hybridTotal / volume) * 1e6,
      selfHost: { ...plan, replicas: hybrid.replicas },
      hybrid: { selfHostedShare: hybrid.share, selfHostMonthlyUsd: hybrid.selfHostMonthlyUsd, apiMonthlyUsd: hybrid.apiMonthlyUsd, selfHostedOutputTokensPerMonth: hybrid.selfTokens },
    };
  }
  if (bestHybridOption) options.push(bestHybridOption);
  if (apiAllowed) {
    options.push({ kind: "api", monthlyUsd: declared.api.monthlyUsd, savingsVsApiMonthlyUsd: 0, usdPerMillionOutputTokens: declared.api.usdPerMillionOutputTokensAllIn });
  }

  const kindOrder = { api: 0, "self-host": 1, hybrid: 2 } as const;
  const cents = (o: Omit<RecommendOption, "rank">) => Math.round(o.monthlyUsd * 100);
  const nodes = (o: Omit<RecommendOption, "rank">) => (o.selfHost ? o.selfHost.replicas * o.selfHost.nodesPerReplica : 0);
  const label = (o: Omit<RecommendOption, "rank">) => `${o.selfHost?.machineType ?? ""}|${o.selfHost?.pricing ?? ""}`;
  // Ties (to the cent) go to the simpler option: the API, then a pure fleet, then a split; then fewer nodes to run.
  options.sort((a, b) => cents(a) - cents(b) || kindOrder[a.kind] - kindOrder[b.kind] || nodes(a) - nodes(b) || label(a).localeCompare(label(b)));
  return {
    options: options.map((o, i) => ({ ...o, rank: i + 1 })),
    excluded: excluded.sort((a, b) => a.machineType.localeCompare(b.machineType)),
    apiAllowed,
    api: { provider: declared.api.provider, model: declared.api.model, monthlyUsd: declared.api.monthlyUsd },
    searched: { machineTypes: search.machines.length, layouts, offers: offersConsidered, evaluations },
  };
}
