import { describe, expect, test } from "vitest";
import { offersFromPriceBook } from "../catalog/offers";
import { catalogSearch, pricingScope, regionScope } from "../cli/commands/recommend";
import { recommend, type NodeOffer, type RecommendConstraints } from "../engine/recommend";
import type { PriceFlag } from "../engine/price-flags";
import { renderRecommendTable } from "../reports/recommend";
import { catalog, fixtureInputs } from "./decision-fixture";
import { userErrorOf } from "./user-error";

const h100 = [catalog.machineTypes.get("a3-highgpu-1g")!];
const offer = (region: string, hourlyUsd: number, flags?: PriceFlag[]): NodeOffer => ({
  machineType: "a3-highgpu-1g",
  region,
  pricing: "on-demand",
  hourlyUsd,
  reference: "test",
  flags,
});
const geography = new Map([
  ["us-central1", "north-america"],
  ["us-east4", "north-america"],
  ["asia-east1", "asia"],
]);

function run(offers: NodeOffer[], constraints: RecommendConstraints, base = fixtureInputs()) {
  return recommend({ base, machines: h100, gpus: catalog.gpus, offers, constraints, regionGeography: geography });
}

describe("a price flagged as suspiciously cheap never wins on its own", () => {
  const tooCheap: PriceFlag = { kind: "below-region-median", message: "on-demand at $2.00/h is 0.18x the median" };

  test("us-central1 at USD 11/h (checked) ranks before us-east4 at USD 2/h (flagged), and within one plan the checked region is the one priced", () => {
    const rec = run([offer("us-central1", 11), offer("us-east4", 2, [tooCheap])], { allowSpot: true });
    const best = rec.options.find((o) => o.kind === "self-host")!;
    expect(best.selfHost).toMatchObject({
      region: "us-central1",
      hourlyUsd: 11,
      priceFlags: [],
      nextRegion: { region: "us-east4", hourlyUsd: 2 },
    });
  });

  test("when only the flagged price is allowed it ranks after the API (USD 26,250) although it costs 4,300 + 2 x 730 x 1.3 = USD 6,198, and says why", () => {
    const rec = run([offer("us-east4", 2, [tooCheap])], { allowSpot: true, regions: ["us-east4"] });
    expect(rec.options.map((o) => o.kind)).toEqual(["api", "self-host"]);
    expect(rec.options[1]!.monthlyUsd).toBeCloseTo(4300 + 2 * 730 * 1.3, 6);
    const text = renderRecommendTable(rec, fixtureInputs().scenario, 5);
    expect(text).toContain("a month less than #1 on a flagged price");
    expect(text).toContain(
      "[!] Price check: on-demand at $2.00/h is 0.18x the median (ranked after checked prices: an outlier never wins on its own).",
    );
  });

  test("a flag that says a price is dear (spot discount under 60 %) informs but does not demote", () => {
    const dear: PriceFlag = { kind: "spot-discount-low", message: "spot is 40 % below on-demand" };
    const rec = run([offer("us-central1", 11, [dear])], { allowSpot: true });
    expect(rec.options[0]).toMatchObject({ kind: "self-host", selfHost: { priceFlags: [dear] } });
  });
});

describe("far regions", () => {
  test("asia-east1 at USD 10.50/h is flagged far from the declared us-central1; us-east4 (same geography) is not", () => {
    const rec = run([offer("asia-east1", 10.5), offer("us-east4", 12)], { allowSpot: true });
    const [asia] = rec.options.filter((o) => o.kind === "self-host");
    expect(asia!.selfHost!.region).toBe("asia-east1");
    expect(asia!.selfHost!.priceFlags.map((f) => f.kind)).toEqual(["far-region"]);
    const us = run([offer("us-east4", 12)], { allowSpot: true }).options.find((o) => o.kind === "self-host")!;
    expect(us.selfHost!.priceFlags).toEqual([]);
  });
});

test("ties go to the faster layout: an 8B model on a3-highgpu-2g needs one replica either way, and TP 2 is chosen over TP 1 x PP 2", () => {
  const machine = catalog.machineTypes.get("a3-highgpu-2g")!;
  const base = fixtureInputs({ throughput: {}, outputTokensPerMonth: 1e8 });
  const offers: NodeOffer[] = [
    { machineType: machine.id, region: "us-central1", pricing: "on-demand", hourlyUsd: 22, reference: "test" },
  ];
  const rec = recommend({ base, machines: [machine], gpus: catalog.gpus, offers, constraints: { allowSpot: true } });
  const plan = rec.options.find((o) => o.kind === "self-host")!.selfHost!;
  expect(plan.parallel).toEqual({ tensorParallel: 2, pipelineParallel: 1 });
  expect(plan.otherLayouts).toEqual([{ parallel: { tensorParallel: 1, pipelineParallel: 2 }, replicas: 1 }]);
});

describe("the search scope of breakeven recommend", () => {
  const base = fixtureInputs({ throughput: {} });

  test("by default only the declared region and pricing model (us-central1, on-demand) are searched", () => {
    const constraints = {
      regions: regionScope(undefined, "us-central1", catalog),
      pricing: pricingScope(undefined, "on-demand"),
      allowSpot: true,
    };
    const rec = recommend(catalogSearch(base, catalog, constraints));
    const fleets = rec.options.filter((o) => o.selfHost);
    expect(fleets.length).toBeGreaterThan(0);
    expect(fleets.every((o) => o.selfHost!.region === "us-central1" && o.selfHost!.pricing === "on-demand")).toBe(true);
    expect(rec.scope).toEqual({ regions: ["us-central1"], pricing: ["on-demand"], allowSpot: true });
  });

  test("--regions all --pricing any searches the whole catalog, and every offer outside North America is flagged far", () => {
    const rec = recommend(
      catalogSearch(base, catalog, {
        regions: regionScope("all", "us-central1", catalog),
        pricing: pricingScope("any", "on-demand"),
        allowSpot: true,
      }),
    );
    expect(rec.scope).toMatchObject({ regions: "all", pricing: "any" });
    const far = rec.options.filter((o) => o.selfHost && !/^(us|northamerica)-/.test(o.selfHost.region));
    expect(far.length).toBeGreaterThan(0);
    for (const o of far)
      expect(
        o.selfHost!.priceFlags.some((f) => f.kind === "far-region"),
        o.selfHost!.region,
      ).toBe(true);
  });

  test("a3-highgpu-1g on demand, which GCP may not sell, says so", () => {
    const rec = recommend(
      catalogSearch(base, catalog, { regions: ["us-central1"], pricing: ["on-demand"], allowSpot: true }),
    );
    const a3 = rec.options.find((o) => o.selfHost?.machineType === "a3-highgpu-1g")!;
    expect(a3.selfHost!.priceFlags.map((f) => f.kind)).toContain("may-be-unavailable");
    expect(renderRecommendTable(rec, base.scenario, 50)).toContain("only as Spot or Flex-start");
  });

  test("--pricing with a model that does not exist is exit 2 naming the valid ones", () => {
    expect(userErrorOf(() => pricingScope("spot,reserved", "spot")).message).toMatch(
      /--pricing: "reserved" is not valid; expected any or one of spot, on-demand, commit-1y, commit-3y$/,
    );
  });

  test("offersFromPriceBook carries the sanity flags: a3-highgpu-8g spot in us-central1 ($50.61 against $88.49 on demand, 43 % off) is flagged under GCP's 60-91 %", () => {
    const offers = offersFromPriceBook(catalog.prices, catalog.priceFlags);
    const a3 = offers.find(
      (o) => o.machineType === "a3-highgpu-8g" && o.region === "us-central1" && o.pricing === "spot",
    )!;
    expect(a3.flags?.map((f) => f.kind)).toContain("spot-discount-low");
    expect(a3.flags?.find((f) => f.kind === "spot-discount-low")?.message).toBe(
      "spot at $50.61/h is 43 % below on-demand ($88.49/h), less than GCP's documented 60-91 % spot discount",
    );
  });
});
