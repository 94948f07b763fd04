import { describe, expect, test } from "vitest";
import { checkPriceBook, geographyOf } from "../catalog/price-checks";
import { parsePriceBook, flagKey } from "../catalog/prices";
import { apiPriceWarnings, nodePriceWarnings } from "../engine/price-age";
import { catalog } from "./decision-fixture";

const rules = catalog.priceChecks;
const HEADER =
  "machine_type,gpu,gpu_count,vcpu,ram_gb,local_ssd_gb,region,hour_usd,hour_spot_usd,month_1y_usd,month_3y_usd,as_of,source";
const row = (region: string, onDemand: number | "", spot: number | "") =>
  `g2-standard-8,l4,1,8,32,,${region},${onDemand},${spot},,,2026-11-01,test`;
const book = (...rows: string[]) => parsePriceBook([HEADER, ...rows].join("\n"), "test.csv");
const kinds = (flags: Map<string, { kind: string }[]>, region: string, pricing: "spot" | "on-demand") =>
  (flags.get(flagKey("g2-standard-8", region, pricing)) ?? []).map((f) => f.kind);

describe("spot against on-demand, within GCP's documented 60-91 % discount", () => {
  const flags = checkPriceBook(
    book(row("us-central1", 1, 0.2), row("us-east1", 1, 0.05), row("us-west1", 1, 0.5), row("us-east4", 1, 0.091)),
    rules,
  );

  test("80 % off (USD 0.20 against 1.00) passes", () =>
    expect(kinds(flags, "us-central1", "spot")).not.toContain("spot-discount-high"));
  test("95 % off (USD 0.05) is deeper than documented: suspiciously cheap", () =>
    expect(kinds(flags, "us-east1", "spot")).toContain("spot-discount-high"));
  test("50 % off (USD 0.50) is shallower than documented", () =>
    expect(kinds(flags, "us-west1", "spot")).toContain("spot-discount-low"));
  test("90.9 % off rounds to 91 %, GCP's own top figure, and passes", () =>
    expect(kinds(flags, "us-east4", "spot")).not.toContain("spot-discount-high"));
});

describe("a region's price against the machine's median across regions (0.5x-2x)", () => {
  // On demand: 1.00, 1.10, 1.20, 0.40, 3.00: median 1.10; 0.40 is 0.36x, 3.00 is 2.73x.
  const flags = checkPriceBook(
    book(
      row("us-central1", 1, ""),
      row("us-east1", 1.1, ""),
      row("us-west1", 1.2, ""),
      row("asia-east1", 0.4, ""),
      row("europe-west4", 3, ""),
    ),
    rules,
  );

  test("USD 0.40/h against a median of 1.10 (0.36x) is flagged below the median", () => {
    expect(flags.get(flagKey("g2-standard-8", "asia-east1", "on-demand"))).toEqual([
      {
        kind: "below-region-median",
        message: "on-demand at $0.40/h is 0.36x the median of 5 regions ($1.10/h), under the 0.5x the check allows",
      },
    ]);
  });
  test("USD 3.00/h (2.73x) is flagged above it", () =>
    expect(kinds(flags, "europe-west4", "on-demand")).toEqual(["above-region-median"]));
  test("USD 1.00-1.20/h pass", () => {
    for (const r of ["us-central1", "us-east1", "us-west1"]) expect(kinds(flags, r, "on-demand"), r).toEqual([]);
  });
  test("two regions are no median: nothing is flagged", () => {
    expect(checkPriceBook(book(row("us-central1", 1, ""), row("asia-east1", 0.1, "")), rules).size).toBe(0);
  });
});

describe("the shipped snapshot", () => {
  const flagged = (kind: string) =>
    [...catalog.priceFlags.entries()].filter(([, fs]) => fs.some((f) => f.kind === kind)).map(([k]) => k);

  test("no on-demand price is more than 2x from its machine's median: regional list prices agree", () => {
    expect(
      [...flagged("below-region-median"), ...flagged("above-region-median")].filter((k) => k.endsWith("/on-demand")),
    ).toEqual([]);
  });

  test("every spot price outside 60-91 % off on demand is flagged, and none is deeper than 91 % (a2-megagpu-16g in us-west2, the deepest, is 91.0 %)", () => {
    let outside = 0;
    for (const r of catalog.prices.rows) {
      if (!r.hour_usd || !r.hour_spot_usd) continue;
      const pct = Math.round((1 - r.hour_spot_usd / r.hour_usd) * 100);
      if (pct < 60 || pct > 91) {
        outside++;
        expect(
          catalog.priceFlags.get(flagKey(r.machine_type, r.region, "spot"))?.length,
          `${r.machine_type}@${r.region}`,
        ).toBeGreaterThan(0);
      }
    }
    expect(outside).toBeGreaterThan(0);
    expect(flagged("spot-discount-high")).toEqual([]);
  });

  test("regions map to geographies by name: europe-north1 is Europe, northamerica-northeast1 North America", () => {
    expect(geographyOf("europe-north1", rules)).toBe("europe");
    expect(geographyOf("northamerica-northeast1", rules)).toBe(geographyOf("us-central1", rules));
    for (const r of new Set(catalog.prices.rows.map((x) => x.region))) expect(geographyOf(r, rules), r).toBeDefined();
  });
});

describe("staleness warnings", () => {
  const assumptions = { priceMaxAgeDays: 90, apiPriceMaxAgeDays: 90 };

  test("a GPU price from 2026-07-30 is more than 90 days old on 2026-11-23 (116 days); one from 2026-11-01 is not", () => {
    const price = { machineType: "a3-highgpu-8g", region: "us-central1", pricing: "spot" as const };
    expect(nodePriceWarnings({ ...price, asOf: "2026-07-30" }, "2026-11-23", assumptions)).toEqual([
      "The a3-highgpu-8g spot price in us-central1 is from 2026-07-30, more than 90 days old; refresh it (breakeven prices refresh), check it or set node.hourlyUsd.",
    ]);
    expect(nodePriceWarnings({ ...price, asOf: "2026-11-01" }, "2026-11-23", assumptions)).toEqual([]);
  });

  test("API price data of 2026-09-23 is 69 days old on 2026-12-01 (no warning) and 100 days old on 2027-01-01 (warning)", () => {
    const api = {
      source: "genai-prices",
      asOf: "@pydantic/genai-prices 0.1.8, data of 2026-09-23",
      dataDate: "2026-09-23",
    };
    expect(apiPriceWarnings(api, "2026-12-01", assumptions)).toEqual([]);
    expect(apiPriceWarnings(api, "2027-01-01", assumptions)).toEqual([
      'The API price data (@pydantic/genai-prices 0.1.8, data of 2026-09-23) is from 2026-09-23, 100 days old, more than 90; update it (README "Refreshing prices") or set api.inputUsdPerMTok and api.outputUsdPerMTok.',
    ]);
  });

  test("API prices set in the stack carry no data date and no warning", () => {
    expect(apiPriceWarnings({ source: "override" }, "2030-01-01", assumptions)).toEqual([]);
  });
});
