import { parse } from "yaml";
import { describe, expect, test, vi } from "vitest";
import { offersFromPriceBook } from "../catalog/offers";
import { scenarioFromStackConfig } from "../catalog/scenario-file";
import { runRecommend } from "../cli/commands/recommend";
import { runCommand } from "../cli/errors";
import { evaluate, type EvaluationInputs } from "../engine/evaluate";
import { layoutsFor, recommend, type NodeOffer, type RecommendConstraints } from "../engine/recommend";
import { ScenarioSchema } from "../engine/scenario";
import { renderStackSnippet } from "../reports/recommend-snippet";
import { catalog, fixtureInputs } from "./decision-fixture";

// Fixture arithmetic (decision-fixture.ts): a replica serves 2.628B output tokens a month; ops USD 4,300;
// the API USD 17.5 per 1M output tokens; on demand a node costs hourly x 730 x 1.3 a month.
const PER_REPLICA_TOKENS = 2000 * 3600 * 730 * 0.5;
const OPS_USD = 4300;
const nodeMonthly = (hourlyUsd: number) => hourlyUsd * 730 * 1.3;

const allMachines = [...catalog.machineTypes.values()];
const allOffers = offersFromPriceBook(catalog.prices);
const h100 = [catalog.machineTypes.get("a3-highgpu-1g")!];
const onDemand = (region: string, hourlyUsd: number): NodeOffer => ({
  machineType: "a3-highgpu-1g",
  region,
  pricing: "on-demand",
  hourlyUsd,
  reference: "test",
});

function run(
  base: EvaluationInputs,
  machines = allMachines,
  offers: NodeOffer[] = allOffers,
  constraints: RecommendConstraints = { allowSpot: true },
) {
  return recommend({ base, machines, gpus: catalog.gpus, offers, constraints });
}

/** The snippet's config merged over the declared scenario, as a stack would read it. */
function scenarioFromSnippet(base: EvaluationInputs, yamlText: string) {
  const { config } = parse(yamlText) as { config: Record<string, unknown> };
  const { data } = scenarioFromStackConfig(config, "snippet");
  return ScenarioSchema.parse({ ...base.scenario, ...data });
}

test("Llama 3.1 405B in FP8 (377 GiB of weights) fits only 8-GPU machines or larger, and is never recommended on smaller ones", () => {
  const rec = run(
    fixtureInputs({
      model: "llama-3.1-405b-instruct",
      weightDtype: "fp8",
      throughput: {},
      node: { machineType: "a3-highgpu-8g" },
    }),
  );
  const fleets = rec.options.filter((o) => o.selfHost);
  expect(fleets.length).toBeGreaterThan(0);
  expect(fleets.every((o) => o.selfHost!.gpusPerNode >= 8)).toBe(true);
  const small = allMachines
    .filter((m) => m.gpuCount < 8)
    .map((m) => m.id)
    .sort();
  expect(rec.excluded.filter((x) => x.kind === "does-not-fit").map((x) => x.machineType)).toEqual(
    expect.arrayContaining(small),
  );
});

describe("one H100 priced in three regions, nothing else different", () => {
  const base = fixtureInputs();
  const offers = [onDemand("us-central1", 11), onDemand("europe-west4", 12), onDemand("asia-east1", 10.5)];

  test("the cheapest region, asia-east1 at USD 10.50/h, ranks first: 4,300 + 10.5 x 730 x 1.3 = USD 14,264.50", () => {
    const best = run(base, h100, offers).options[0]!;
    expect(best.selfHost).toMatchObject({
      region: "asia-east1",
      hourlyUsd: 10.5,
      regionsPriced: 3,
      nextRegion: { region: "us-central1", hourlyUsd: 11 },
    });
    expect(best.monthlyUsd).toBeCloseTo(OPS_USD + nodeMonthly(10.5), 6);
  });

  test("with asia-east1 not allowed, us-central1 at USD 11/h wins and costs what evaluate says of the declared stack", () => {
    const best = run(base, h100, offers, { allowSpot: true, regions: ["us-central1", "europe-west4"] }).options[0]!;
    expect(best.selfHost?.region).toBe("us-central1");
    expect(best.monthlyUsd).toBeCloseTo(evaluate(base).selfHost.monthlyUsd.total, 6);
  });

  test("the stack config snippet of the best, merged over the declared stack, costs what the ranking says", () => {
    const rec = run(base, h100, offers);
    const scenario = scenarioFromSnippet(base, renderStackSnippet(rec, base.scenario));
    expect(scenario.node).toMatchObject({
      machineType: "a3-highgpu-1g",
      region: "asia-east1",
      pricing: "on-demand",
      tensorParallel: 1,
    });
    const e = evaluate({ ...base, scenario, nodePrice: { hourlyUsd: 10.5, source: "catalog", reference: "test" } });
    expect(e.selfHost.monthlyUsd.total).toBeCloseTo(rec.options[0]!.monthlyUsd, 6);
  });
});

test("at 1M output tokens a month the API (USD 17.50) ranks first and the snippet says there is nothing to stand up", () => {
  const base = fixtureInputs({ outputTokensPerMonth: 1e6 });
  const rec = run(base);
  expect(rec.options[0]).toMatchObject({ kind: "api", rank: 1 });
  expect(rec.options[0]!.monthlyUsd).toBeCloseTo(17.5, 9);
  expect(renderStackSnippet(rec, base.scenario)).toContain("# #1 is the API (openai gpt-4o): no stack to stand up.");
});

test("at 2.9B output tokens, where a second replica would serve only 272M, the hybrid wins: 14,739 + 272M x 17.5 per 1M = USD 19,499", () => {
  const base = fixtureInputs({ outputTokensPerMonth: 2.9e9 });
  const rec = run(base, h100, [onDemand("us-central1", 11)]);
  expect(rec.options.map((o) => o.kind)).toEqual(["hybrid", "self-host", "api"]);
  const [hybrid, twoReplicas, api] = rec.options;
  expect(hybrid!.monthlyUsd).toBeCloseTo(OPS_USD + nodeMonthly(11) + ((2.9e9 - PER_REPLICA_TOKENS) / 1e6) * 17.5, 6);
  expect(hybrid!.hybrid!.selfHostedShare).toBeCloseTo(PER_REPLICA_TOKENS / 2.9e9, 9);
  expect(twoReplicas!.monthlyUsd).toBeCloseTo(OPS_USD + 2 * nodeMonthly(11), 6);
  expect(api!.monthlyUsd).toBeCloseTo(2900 * 17.5, 6);
  // The hybrid's stack serves its share: one replica, pinned.
  const scenario = scenarioFromSnippet(base, renderStackSnippet(rec, base.scenario));
  expect(scenario.replicas).toEqual({ min: 1, max: 1 });
  expect(scenario.workload.outputTokensPerMonth).toBeCloseTo(PER_REPLICA_TOKENS, 0);
});

test("with --no-spot no spot offer is used; with spot allowed the 8B model's best fleet is spot", () => {
  const base = fixtureInputs({ throughput: {} });
  expect(
    run(base, allMachines, allOffers, { allowSpot: false }).options.some((o) => o.selfHost?.pricing === "spot"),
  ).toBe(false);
  expect(run(base).options.find((o) => o.selfHost)?.selfHost?.pricing).toBe("spot");
});

test("a latency floor no GPU can meet (1M tok/s per request) leaves the API alone, every machine excluded", () => {
  const w = fixtureInputs().scenario.workload;
  const rec = run(
    fixtureInputs({ throughput: {}, workload: { ...w, latency: { minOutputTokensPerSecondPerRequest: 1e6 } } }),
  );
  expect(rec.options.map((o) => o.kind)).toEqual(["api"]);
  expect(rec.excluded.map((x) => x.machineType).sort()).toEqual(allMachines.map((m) => m.id).sort());
  expect(rec.excluded.find((x) => x.machineType === "a3-highgpu-1g")?.kind).toBe("misses-latency");
});

test("when the API is not allowed neither the API nor a hybrid is offered", () => {
  const rec = run(
    fixtureInputs({ outputTokensPerMonth: 2.9e9, api: { provider: "openai", model: "gpt-4o", allowed: false } }),
    h100,
    [onDemand("us-central1", 11)],
  );
  expect(rec.options.map((o) => o.kind)).toEqual(["self-host"]);
  expect(rec.options[0]!.savingsVsApiMonthlyUsd).toBeNull();
});

describe("breakeven recommend", () => {
  const file = `${__dirname}/../examples/scenario.yaml`;

  test("--top 2 --format json prints two ranked options with reasons and the stack config", async () => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(await runCommand(() => runRecommend([file, "--top", "2", "--format", "json"]))).toBe(0);
      const out = JSON.parse(String(write.mock.calls[0]?.[0])) as {
        options: { rank: number; reason: string }[];
        stackConfig: { config: Record<string, unknown> };
      };
      expect(out.options.map((o) => o.rank)).toEqual([1, 2]);
      expect(out.options[0]!.reason).toMatch(/^Wins by /);
      expect(out.stackConfig.config["llm-breakeven:model"]).toBe("llama-3.1-8b-instruct");
    } finally {
      write.mockRestore();
    }
  });

  test("an unknown region is a one-line error with exit 2", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await runCommand(() => runRecommend([file, "--regions", "mars-1"]))).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toMatch(
        /^error: command line: --regions: unknown region "mars-1"; valid: all, africa-south1,/,
      );
    } finally {
      err.mockRestore();
    }
  });
});

describe("recommend enumerates only layouts vLLM starts with (engine/vllm-layout.ts, one set of rules)", () => {
  // Qwen2.5-0.5B-Instruct: 14 attention heads, 2 KV heads, 24 layers. vLLM's ModelConfig.verify_with_parallel_config
  // (vllm-project/vllm vllm/config/model.py) requires the 14 heads to divide by TP: TP 1, 2, 7 or 14; machines
  // have 1, 2, 4 or 8 GPUs, so only TP 1 and 2 are possible; 2 KV heads split over TP 2.
  const qwen = catalog.models.get("qwen2.5-0.5b-instruct")!;
  const eightGpus = catalog.machineTypes.get("a3-highgpu-8g")!;

  test("on 8 GPUs: TP 1 x PP 8 and TP 2 x PP 4 are accepted; TP 4 and TP 8 are refused, naming the 14 heads", () => {
    const { accepted, refused } = layoutsFor(qwen, eightGpus, 1, 16);
    expect(accepted).toEqual([
      { tensorParallel: 1, pipelineParallel: 8 },
      { tensorParallel: 2, pipelineParallel: 4 },
    ]);
    expect(refused.map((r) => r.setting)).toEqual(["tensorParallel", "tensorParallel"]);
    expect(refused[1]!.message).toMatch(/^8 does not divide .*14 attention heads/);
  });

  test("over the whole catalog, no option or alternative layout for Qwen2.5-0.5B has TP 4 or 8", () => {
    const base = fixtureInputs({ model: "qwen2.5-0.5b-instruct" });
    const rec = run(base);
    const tps = rec.options.flatMap((o) =>
      o.selfHost ? [o.selfHost.parallel, ...o.selfHost.otherLayouts.map((l) => l.parallel)] : [],
    );
    expect(tps.length).toBeGreaterThan(0);
    expect(new Set(tps.map((p) => p.tensorParallel))).toEqual(new Set([1, 2]));
  });
});
