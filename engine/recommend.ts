import { apiMonthlyUsd, selfHostMonthlyUsdAt } from "./cost";
import {
  evaluate,
  replicaCapacity,
  resolveParallelism,
  type Evaluation,
  type EvaluationInputs,
  type MeasuredThroughput,
} from "./evaluate";
import type { Gpu, MachineType } from "./hardware";
import type { Parallelism } from "./memory";
import { apiPriceWarnings, nodePriceWarnings } from "./price-age";
import { isSuspiciouslyCheap, type PriceFlag } from "./price-flags";
import type { PricingModel, Scenario } from "./scenario";
import type { ModelConfig } from "./model-config";
import { layoutRefusal, type LayoutRefusal } from "./vllm-layout";

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
  /** What the catalog's sanity check says about this price (none: it passed). */
  flags?: readonly PriceFlag[] | undefined;
}

/** What the search may use. */
export interface RecommendConstraints {
  /** Regions allowed; undefined: all. */
  regions?: readonly string[] | undefined;
  /** Pricing models allowed; undefined: any. */
  pricing?: readonly PricingModel[] | undefined;
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
  /** Geography of each region (`europe-west4` -> `europe`), to flag an offer far from the declared region; absent: no far-region flags. */
  regionGeography?: ReadonlyMap<string, string> | undefined;
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
  /** Flags on the price this plan is priced at (sanity check, far region, possibly unavailable); empty when it passed. */
  priceFlags: PriceFlag[];
  /** Date of the catalog row the price comes from. */
  priceAsOf?: string | undefined;
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
  hybrid?:
    | {
        selfHostedShare: number;
        selfHostMonthlyUsd: number;
        apiMonthlyUsd: number;
        selfHostedOutputTokensPerMonth: number;
      }
    | undefined;
  /** The evaluation of the self-hosted part at the whole declared volume (self-host options only). */
  evaluation?: Evaluation | undefined;
}

/** A machine type the search could not use, and why. */
export interface Exclusion {
  machineType: string;
  kind: "does-not-fit" | "misses-latency" | "no-price" | "unknown-gpu" | "vllm-refuses";
  reason: string;
}

/** The ranking. */
export interface Recommendation {
  options: RecommendOption[];
  excluded: Exclusion[];
  apiAllowed: boolean;
  api: { provider: string; model: string; monthlyUsd: number; pricesAsOf?: string | undefined };
  /** What to know about the prices #1 stands on: the node price's age and flags, the API price data's age. */
  priceWarnings: string[];
  searched: { machineTypes: number; layouts: number; offers: number; evaluations: number };
  /** The regions and pricing models searched ("all" / "any": the whole catalog). */
  scope: { regions: readonly string[] | "all"; pricing: readonly PricingModel[] | "any"; allowSpot: boolean };
}

/** Powers of two up to the node's GPU count: the TP sizes vLLM runs inside a node. */
export function tensorParallelSizes(gpusPerNode: number): number[] {
  const sizes: number[] = [];
  for (let tp = 1; tp <= gpusPerNode; tp *= 2) if (gpusPerNode % tp === 0) sizes.push(tp);
  return sizes;
}

/**
 * The TP/PP layouts of one replica of `model` on `nodesPerReplica` nodes of
 * a machine (TP inside a node, PP for the rest) that vLLM starts with, and
 * why it refuses the others: the rules are {@link layoutRefusal}'s, the same
 * that make `breakeven capacity` and a stack file exit 2.
 */
export function layoutsFor(
  model: ModelConfig,
  machine: MachineType,
  nodesPerReplica: number,
  blockSize: number,
): { accepted: Parallelism[]; refused: LayoutRefusal[] } {
  const gpus = machine.gpuCount * nodesPerReplica;
  const accepted: Parallelism[] = [];
  const refused: LayoutRefusal[] = [];
  for (const tp of tensorParallelSizes(machine.gpuCount)) {
    const parallel = { tensorParallel: tp, pipelineParallel: gpus / tp };
    const refusal = layoutRefusal(model, { ...parallel, gpus, blockSize });
    if (refusal) refused.push(refusal);
    else accepted.push(parallel);
  }
  return { accepted, refused };
}

/** The declared scenario moved onto another node, with that node's preemption default unless the user set one for spot. */
function scenarioOn(
  base: Scenario,
  machine: MachineType,
  parallel: Parallelism,
  nodesPerReplica: number,
  region: string,
  pricing: PricingModel,
): Scenario {
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
      preemptionsPerDay:
        pricing === "spot" && declaredSpot ? base.node.preemptionsPerDay : pricing === "spot" ? undefined : 0,
    },
  };
}

/** The declared measurement applies only to the hardware and layout it was measured on. */
function measuredFor(
  search: RecommendSearch,
  machine: MachineType,
  parallel: Parallelism,
  nodesPerReplica: number,
): MeasuredThroughput | undefined {
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
      const { accepted, refused } = layoutsFor(base.model, machine, nodesPerReplica, base.scenario.serving.blockSize);
      if (!accepted.length && refused[0]) reasons.push({ kind: "vllm-refuses", reason: refused[0].message });
      for (const parallel of accepted) {
        layouts++;
        const measured = measuredFor(search, machine, parallel, nodesPerReplica);
        const scenario = scenarioOn(
          base.scenario,
          machine,
          parallel,
          nodesPerReplica,
          base.scenario.node.region,
          base.scenario.node.pricing,
        );
        // Capacity does not depend on price: one fit per layout, reused for every region and pricing model below.
        const capacity = replicaCapacity({ ...base, scenario, machine, gpu, measured });
        if (!capacity.fits)
          reasons.push({ kind: "does-not-fit", reason: capacity.doesNotFitReason! /* set whenever fits is false */ });
        else if (!capacity.meetsLatencyTarget)
          reasons.push({ kind: "misses-latency", reason: "misses the latency floor even at one request" });
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

/** Offers the constraints allow, by machine type and pricing model; a far region is flagged; within each list checked prices come first, then cheapest. */
function offersByMachine(search: RecommendSearch): Map<string, Map<PricingModel, NodeOffer[]>> {
  const { regions, pricing, allowSpot } = search.constraints;
  const allowedRegions = regions ? new Set(regions) : undefined;
  const allowedPricing = pricing ? new Set(pricing) : undefined;
  const byMachine = new Map<string, Map<PricingModel, NodeOffer[]>>();
  for (const offer of search.offers) {
    if (!(offer.hourlyUsd > 0)) continue;
    if (!allowSpot && offer.pricing === "spot") continue;
    if (allowedRegions && !allowedRegions.has(offer.region)) continue;
    if (allowedPricing && !allowedPricing.has(offer.pricing)) continue;
    const byPricing = byMachine.get(offer.machineType) ?? new Map<PricingModel, NodeOffer[]>();
    byMachine.set(offer.machineType, byPricing);
    const list = byPricing.get(offer.pricing) ?? [];
    byPricing.set(offer.pricing, list);
    list.push(withFarRegionFlag(offer, search));
  }
  const suspicious = (o: NodeOffer) => (isSuspiciouslyCheap(o.flags) ? 1 : 0);
  for (const byPricing of byMachine.values()) {
    for (const list of byPricing.values())
      list.sort(
        (a, b) => suspicious(a) - suspicious(b) || a.hourlyUsd - b.hourlyUsd || a.region.localeCompare(b.region),
      );
  }
  return byMachine;
}

/** An offer in another geography than the declared region carries a far-region flag (only reachable when the regions are widened). */
function withFarRegionFlag(offer: NodeOffer, search: RecommendSearch): NodeOffer {
  const geo = search.regionGeography;
  const declared = search.base.scenario.node.region;
  if (!geo || offer.region === declared) return offer;
  const home = geo.get(declared);
  const there = geo.get(offer.region);
  if (home === undefined || there === undefined || home === there) return offer;
  const flag: PriceFlag = {
    kind: "far-region",
    message: `${offer.region} (${there}) is far from the declared region ${declared} (${home}): expect more latency to users and data egress`,
  };
  return { ...offer, flags: [...(offer.flags ?? []), flag] };
}

/**
 * The cheapest hybrid on one self-hosted plan: k replicas (fewer than the
 * volume needs) run at the expected utilization and the API takes the rest.
 * Null when one replica already covers the volume.
 */
export function bestHybrid(
  e: Evaluation,
): { replicas: number; share: number; selfHostMonthlyUsd: number; apiMonthlyUsd: number; selfTokens: number } | null {
  if (e.selfHost.hybrid) return hourlyHybrid(e.selfHost.hybrid, e.workload.outputTokensPerMonth);
  const fleet = e.selfHost.fleet;
  const volume = e.workload.outputTokensPerMonth;
  const inputPerOutput = e.workload.inputTokensPerMonth / volume;
  let best: {
    replicas: number;
    share: number;
    selfHostMonthlyUsd: number;
    apiMonthlyUsd: number;
    selfTokens: number;
  } | null = null;
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
    if (!best || option.selfHostMonthlyUsd + option.apiMonthlyUsd < best.selfHostMonthlyUsd + best.apiMonthlyUsd)
      best = option;
  }
  return best;
}

/**
 * With usage, the hybrid priced hour by hour (evaluate's selfHost.hybrid):
 * a split only when it has both a self-hosted base and API overflow.
 */
function hourlyHybrid(h: NonNullable<Evaluation["selfHost"]["hybrid"]>, volume: number) {
  if (h.replicas === 0 || h.apiShareOfOutputTokens === 0) return null;
  const share = 1 - h.apiShareOfOutputTokens;
  return {
    replicas: h.replicas,
    share,
    selfHostMonthlyUsd: h.selfHostMonthlyUsd,
    apiMonthlyUsd: h.apiMonthlyUsd,
    selfTokens: share * volume,
  };
}

/** The best layout of one (machine, pricing, nodes per replica), with the offers it was priced from and every layout that could serve. */
interface BestLayout {
  e: Evaluation;
  candidate: Candidate;
  list: NodeOffer[];
  layouts: { parallel: Parallelism; replicas: number }[];
}

const HALF_CENT = 0.005;

/** Whether `e` beats `held`: cheaper by more than half a cent, or the same cost with fewer pipeline stages (TP before PP: no pipeline bubbles, faster per request). */
function beats(e: Evaluation, held: Evaluation): boolean {
  const diff = e.selfHost.monthlyUsd.total - held.selfHost.monthlyUsd.total;
  if (diff < -HALF_CENT) return true;
  return Math.abs(diff) <= HALF_CENT && e.parallel.pipelineParallel < held.parallel.pipelineParallel;
}

/**
 * Evaluates every feasible layout at the first offer of each pricing model
 * (the cheapest checked region: every self-hosting cost term scales with the
 * node's hourly price or does not depend on it, and capacity is the same
 * everywhere) and keeps the best layout per (machine, pricing, nodes).
 */
function bestLayouts(
  search: RecommendSearch,
  candidates: Candidate[],
  excluded: Exclusion[],
): { best: Map<string, BestLayout>; evaluations: number; offers: number } {
  const { base } = search;
  const offers = offersByMachine(search);
  const best = new Map<string, BestLayout>();
  let evaluations = 0;
  let offersConsidered = 0;
  const unpriced = new Set(candidates.map((c) => c.machine.id));
  for (const candidate of candidates) {
    const byPricing = offers.get(candidate.machine.id);
    if (!byPricing) continue;
    if (unpriced.delete(candidate.machine.id)) for (const list of byPricing.values()) offersConsidered += list.length;
    for (const [pricing, list] of byPricing) {
      const first = list[0];
      if (!first) continue;
      const { machine, gpu, parallel, nodesPerReplica, measured } = candidate;
      const e = evaluate({
        ...base,
        scenario: scenarioOn(base.scenario, machine, parallel, nodesPerReplica, first.region, pricing),
        machine,
        gpu,
        measured,
        nodePrice: { hourlyUsd: first.hourlyUsd, source: "catalog", asOf: first.asOf, reference: first.reference },
      });
      evaluations++;
      if (!e.selfHost.capacity.canServe) continue;
      const key = `${machine.id}|${pricing}|${nodesPerReplica}`;
      const held = best.get(key);
      const layout = { parallel, replicas: e.selfHost.replicas };
      if (!held) best.set(key, { e, candidate, list, layouts: [layout] });
      else {
        held.layouts.push(layout);
        if (beats(e, held.e)) Object.assign(held, { e, candidate, list });
      }
    }
  }
  for (const id of unpriced)
    excluded.push({ machineType: id, kind: "no-price", reason: "no price in the allowed regions and pricing models" });
  return { best, evaluations, offers: offersConsidered };
}

/** The plan of a best layout: machine, region, price, layout, and what the ranking needs to explain it. */
function planOf({ e, candidate, list, layouts: tried }: BestLayout): SelfHostPlan {
  const [first, next] = list;
  return {
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
    otherLayouts: tried.filter(
      (l) =>
        l.parallel.tensorParallel !== e.parallel.tensorParallel ||
        l.parallel.pipelineParallel !== e.parallel.pipelineParallel,
    ),
    priceFlags: [...(first?.flags ?? [])],
    priceAsOf: first?.asOf,
  };
}

type UnrankedOption = Omit<RecommendOption, "rank">;

/** The hybrid on one plan (some replicas flat out, the rest of the traffic to the API), or undefined when there is none. */
function hybridOption(
  e: Evaluation,
  plan: SelfHostPlan,
  savings: (usd: number) => number | null,
  volume: number,
): UnrankedOption | undefined {
  const hybrid = bestHybrid(e);
  if (!hybrid) return undefined;
  const total = hybrid.selfHostMonthlyUsd + hybrid.apiMonthlyUsd;
  return {
    kind: "hybrid",
    monthlyUsd: total,
    savingsVsApiMonthlyUsd: savings(total),
    usdPerMillionOutputTokens: (total / volume) * 1e6,
    selfHost: { ...plan, replicas: hybrid.replicas },
    hybrid: {
      selfHostedShare: hybrid.share,
      selfHostMonthlyUsd: hybrid.selfHostMonthlyUsd,
      apiMonthlyUsd: hybrid.apiMonthlyUsd,
      selfHostedOutputTokensPerMonth: hybrid.selfTokens,
    },
  };
}

/** Every self-hosted plan, the cheapest hybrid over them, and the API when it is allowed. */
function optionsOf(
  best: Map<string, BestLayout>,
  declared: Evaluation,
  apiAllowed: boolean,
  volume: number,
): UnrankedOption[] {
  const options: UnrankedOption[] = [];
  const savings = (monthlyUsd: number) => (apiAllowed ? declared.api.monthlyUsd - monthlyUsd : null);
  let cheapestHybrid: UnrankedOption | undefined;
  for (const held of best.values()) {
    const plan = planOf(held);
    const total = held.e.selfHost.monthlyUsd.total;
    options.push({
      kind: "self-host",
      monthlyUsd: total,
      savingsVsApiMonthlyUsd: savings(total),
      usdPerMillionOutputTokens: (total / volume) * 1e6,
      selfHost: plan,
      evaluation: held.e,
    });
    const hybrid = apiAllowed ? hybridOption(held.e, plan, savings, volume) : undefined;
    if (hybrid && (!cheapestHybrid || hybrid.monthlyUsd < cheapestHybrid.monthlyUsd)) cheapestHybrid = hybrid;
  }
  if (cheapestHybrid) options.push(cheapestHybrid);
  if (apiAllowed)
    options.push({
      kind: "api",
      monthlyUsd: declared.api.monthlyUsd,
      savingsVsApiMonthlyUsd: 0,
      usdPerMillionOutputTokens: declared.api.usdPerMillionOutputTokensAllIn,
    });
  return options;
}

/**
 * Cheapest first, except that an option priced from a suspiciously cheap
 * catalog row (spot deeper than GCP's documented discount, or far under the
 * machine's median) ranks after every checked option: an outlier never wins
 * silently. Ties (to the cent) go to the simpler option (the API, then a
 * pure fleet, then a split), then fewer nodes, then fewer pipeline stages
 * (TP before PP).
 */
function rankOptions(options: UnrankedOption[]): RecommendOption[] {
  const kindOrder = { api: 0, "self-host": 1, hybrid: 2 } as const;
  const suspicious = (o: UnrankedOption) => (isSuspiciouslyCheap(o.selfHost?.priceFlags) ? 1 : 0);
  const cents = (o: UnrankedOption) => Math.round(o.monthlyUsd * 100);
  const nodes = (o: UnrankedOption) => (o.selfHost ? o.selfHost.replicas * o.selfHost.nodesPerReplica : 0);
  const stages = (o: UnrankedOption) => o.selfHost?.parallel.pipelineParallel ?? 0;
  const label = (o: UnrankedOption) => `${o.selfHost?.machineType ?? ""}|${o.selfHost?.pricing ?? ""}`;
  const sorted = [...options].sort(
    (a, b) =>
      suspicious(a) - suspicious(b) ||
      cents(a) - cents(b) ||
      kindOrder[a.kind] - kindOrder[b.kind] ||
      nodes(a) - nodes(b) ||
      stages(a) - stages(b) ||
      label(a).localeCompare(label(b)),
  );
  return sorted.map((o, i) => ({ ...o, rank: i + 1 }));
}

/** Warnings on the prices the best option stands on: its node price (age, flags) and the API's price data (age). */
function priceWarningsFor(best: RecommendOption | undefined, base: EvaluationInputs): string[] {
  const plan = best?.selfHost;
  const node = plan
    ? nodePriceWarnings({ ...plan, asOf: plan.priceAsOf, flags: plan.priceFlags }, base.today, base.assumptions)
    : [];
  // Every option is compared with the API, so the API data's age matters whichever wins.
  return [...node, ...apiPriceWarnings(base.apiPrice, base.today, base.assumptions)];
}

/** Searches every feasible layout and price and ranks the options, cheapest first. */
export function recommend(search: RecommendSearch): Recommendation {
  const { base } = search;
  const declared = evaluate(base);
  const apiAllowed = base.scenario.api.allowed;
  const excluded: Exclusion[] = [];
  const { candidates, layouts } = feasibleLayouts(search, excluded);
  const { best, evaluations, offers } = bestLayouts(search, candidates, excluded);
  const ranked = rankOptions(optionsOf(best, declared, apiAllowed, base.scenario.workload.outputTokensPerMonth));
  return {
    options: ranked,
    excluded: excluded.sort((a, b) => a.machineType.localeCompare(b.machineType)),
    apiAllowed,
    api: {
      provider: declared.api.provider,
      model: declared.api.model,
      monthlyUsd: declared.api.monthlyUsd,
      pricesAsOf: declared.pricesAsOf.api,
    },
    priceWarnings: priceWarningsFor(ranked[0], base),
    searched: { machineTypes: search.machines.length, layouts, offers, evaluations: evaluations + 1 },
    scope: {
      regions: search.constraints.regions ?? "all",
      pricing: search.constraints.pricing ?? "any",
      allowSpot: search.constraints.allowSpot,
    },
  };
}
