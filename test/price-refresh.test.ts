import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, test, vi } from "vitest";
import { listSkus, skuPageUrl, type Sku } from "../catalog/billing-catalog";
import { BillingSkuRulesSchema, composeMachinePrice } from "../catalog/billing-compose";
import { parseWith } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
import { priceListing } from "../catalog/price-listing";
import { parsePriceBook } from "../catalog/prices";
import { mergeRows, priceCsv, refreshRows, writePriceCsvAtomically } from "../catalog/price-refresh";
import { readYaml } from "../catalog/read";
import { refreshPrices } from "../cli/commands/prices";
import { catalog } from "./decision-fixture";
import { userErrorOf } from "./user-error";
import { tempDir } from "./temp-dir";

// Two pages of services.skus.list, synthesized from the documented schema (test/fixtures/billing-catalog/README.md).
const FIXTURES = path.join(__dirname, "fixtures", "billing-catalog");
const page = (n: number) =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, `compute-skus-page${n}.json`), "utf8")) as unknown;
const rulesFile = fromRoot("catalog", "data", "billing-skus.yaml");
const rules = parseWith(BillingSkuRulesSchema, readYaml(rulesFile), rulesFile);
const machine = (id: string) => catalog.machineTypes.get(id)!;

/** A fetcher that serves the recorded pages by pageToken and remembers the URLs asked for. */
function recorded() {
  const urls: string[] = [];
  const fetchPage = async (url: string) => {
    urls.push(url);
    return new URL(url).searchParams.get("pageToken") === "SYNTHETIC-PAGE-2" ? page(2) : page(1);
  };
  return { urls, fetchPage };
}

let skus: Sku[] = [];
const dir = tempDir("price-refresh-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("reading the Billing Catalog", () => {
  test("listSkus follows nextPageToken through both pages (14 + 14 SKUs) and asks for USD from Compute Engine's service", async () => {
    const { urls, fetchPage } = recorded();
    skus = await listSkus(fetchPage, "6F81-5844-456A", "KEY");
    expect(skus).toHaveLength(28);
    expect(urls).toEqual([
      skuPageUrl("6F81-5844-456A", undefined, "KEY"),
      skuPageUrl("6F81-5844-456A", "SYNTHETIC-PAGE-2", "KEY"),
    ]);
    expect(urls[0]).toBe(
      "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus?currencyCode=USD&pageSize=5000&key=KEY",
    );
  });

  test("a page off the documented schema (unitPrice.units not an int64 string) is exit 2 naming the field", async () => {
    const bad = structuredClone(page(1)) as {
      skus: { pricingInfo: { pricingExpression: { tieredRates: { unitPrice: { units: unknown } }[] } }[] }[];
    };
    bad.skus[0]!.pricingInfo[0]!.pricingExpression.tieredRates[0]!.unitPrice.units = "two";
    const err = await listSkus(async () => bad).catch((e: unknown) => e);
    expect(String(err)).toContain(
      'Cloud Billing Catalog API: services/6F81-5844-456A/skus page 1.skus[0].pricingInfo[0].pricingExpression.tieredRates[0].unitPrice.units: "two" is not valid',
    );
  });
});

describe("a machine's hourly price as GCP bills it: GPUs + vCPUs + RAM (+ bundled local SSD)", () => {
  const price = (id: string, region: string, pricing: "on-demand" | "spot" | "commit-1y" | "commit-3y") => {
    const c = composeMachinePrice(machine(id), region, pricing, skus, rules);
    return "hourlyUsd" in c ? c.hourlyUsd : c.missing;
  };

  test("A2: a2-highgpu-1g on demand in us-central1 is 2.933908 + 12 x 0.031611 + 85 x 0.004237 = USD 3.673385/h, the shipped snapshot's price", () => {
    expect(price("a2-highgpu-1g", "us-central1", "on-demand")).toBeCloseTo(3.673385, 9);
    expect(catalog.prices.byKey.get("a2-highgpu-1g@us-central1")!.hour_usd).toBeCloseTo(3.673385, 9);
  });

  test("A2 spot: 0.8802 + 12 x 0.0095 + 85 x 0.00127 = USD 1.10215/h; a 1-year commitment 1.8484 + 12 x 0.019915 + 85 x 0.002669 = USD 2.314245/h", () => {
    expect(price("a2-highgpu-1g", "us-central1", "spot")).toBeCloseTo(1.10215, 9);
    expect(price("a2-highgpu-1g", "us-central1", "commit-1y")).toBeCloseTo(2.314245, 9);
  });

  test("A3: a3-highgpu-8g on demand is 8 x 10 + 208 x 0.0293 + 1872 x 0.00254 + 6000 GiB x 0.08 / 730 of local SSD = USD 91.506814/h", () => {
    expect(price("a3-highgpu-8g", "us-central1", "on-demand")).toBeCloseTo(80 + 6.0944 + 4.75488 + 480 / 730, 9);
  });

  test("G2: g2-standard-8 is 0.5 + 8 x 0.025 + 32 x 0.003 = USD 0.796/h in us-central1 and 0.55 + 8 x 0.0275 + 32 x 0.0033 = USD 0.8756/h in europe-west4", () => {
    expect(price("g2-standard-8", "us-central1", "on-demand")).toBeCloseTo(0.796, 9);
    expect(price("g2-standard-8", "europe-west4", "on-demand")).toBeCloseTo(0.8756, 9);
    expect(price("g2-standard-8", "us-central1", "spot")).toBeCloseTo(0.3184, 9);
  });

  test("a part without a SKU leaves the pricing model unpriced, never partly priced: A3 has no spot SKUs here", () => {
    expect(price("a3-highgpu-8g", "us-central1", "spot")).toBe("gpu of a3-highgpu-8g spot in us-central1: no SKU");
  });

  test("the A100 80GB, custom-core, A3Plus and N1 SKUs are never mistaken for A2/A3 parts", () => {
    const c = composeMachinePrice(machine("a2-highgpu-1g"), "us-central1", "on-demand", skus, rules);
    expect("parts" in c && c.parts.map((p) => p.description)).toEqual([
      "Nvidia Tesla A100 GPU running in Americas",
      "A2 Instance Core running in Americas",
      "A2 Instance Ram running in Americas",
    ]);
  });
});

describe("breakeven prices refresh", () => {
  test("writes the CSV with today's date and the API as source; regions not refreshed keep their rows and dates", async () => {
    const out = path.join(dir, "prices.csv");
    const lines = await refreshPrices({
      regions: "us-central1,europe-west4",
      out,
      fetchPage: recorded().fetchPage,
      today: "2026-12-01",
    });
    const book = parsePriceBook(fs.readFileSync(out, "utf8"), out);
    const g2 = book.byKey.get("g2-standard-8@us-central1")!;
    expect(g2).toMatchObject({
      hour_usd: 0.796,
      hour_spot_usd: 0.3184,
      as_of: "2026-12-01",
      source: "cloud-billing-catalog-api",
    });
    expect(book.byKey.get("a2-highgpu-1g@us-central1")!.month_1y_usd).toBeCloseTo(2.314245 * 730, 6);
    expect(book.byKey.get("g2-standard-8@asia-east1")).toMatchObject({
      as_of: "2026-07-30",
      source: "cyclenerd-pricing-yml",
    });
    // a2-highgpu-1g in europe-west4 has no SKU in the recorded pages: its old row is gone, not kept with a stale date beside fresh ones.
    expect(book.byKey.has("a2-highgpu-1g@europe-west4")).toBe(false);
    // Every machine whose parts the pages price: 5 A2 40GB + 4 A2 80GB (the A100 80GB SKU and local SSD) + 4 A3 High in us-central1, 8 G2 in each region.
    expect(lines[0]).toMatch(
      /^Wrote .*prices\.csv: 29 machine\/region rows refreshed from 28 SKUs \(as of 2026-12-01\)/,
    );
  });

  test("a refresh that prices nothing leaves the file as it was", async () => {
    const out = path.join(dir, "untouched.csv");
    fs.writeFileSync(out, "old");
    const err = await refreshPrices({
      regions: "asia-east1",
      out,
      fetchPage: recorded().fetchPage,
      today: "2026-12-01",
    }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/no machine type could be priced in asia-east1 from 28 SKUs/);
    expect(fs.readFileSync(out, "utf8")).toBe("old");
  });

  test("the CSV is written whole or not at all: a row the catalog's parser refuses is never written", () => {
    const out = path.join(dir, "atomic.csv");
    fs.writeFileSync(out, "old");
    const { rows } = refreshRows([machine("g2-standard-8")], ["us-central1"], skus, rules, "2026-12-01");
    expect(userErrorOf(() => writePriceCsvAtomically(out, [{ ...rows[0]!, as_of: "yesterday" }])).message).toMatch(
      /as_of/,
    );
    expect(fs.readFileSync(out, "utf8")).toBe("old");
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test("the written CSV round-trips through the catalog's parser with the shipped columns", () => {
    const merged = mergeRows(catalog.prices.rows, [], new Set());
    expect(parsePriceBook(priceCsv(merged), "x.csv").rows).toEqual(
      catalog.prices.rows
        .slice()
        .sort((a, b) => a.machine_type.localeCompare(b.machine_type) || a.region.localeCompare(b.region)),
    );
  });
});

describe("breakeven prices show", () => {
  test("a3-highgpu-8g in us-central1: four prices as the engine reads them (1-year commitment 44,810.08 / 730 = USD 61.38/h), dated, sourced, spot flagged", () => {
    const listing = priceListing(catalog, "a3-highgpu-8g", "us-central1", "2026-12-01");
    expect(listing.lines.map((l) => [l.pricing, Math.round(l.hourlyUsd * 100) / 100, l.asOf, l.source])).toEqual([
      ["spot", 50.61, "2026-07-30", "cyclenerd-pricing-yml"],
      ["on-demand", 88.49, "2026-07-30", "cyclenerd-pricing-yml"],
      ["commit-1y", 61.38, "2026-07-30", "cyclenerd-pricing-yml"],
      ["commit-3y", 38.86, "2026-07-30", "cyclenerd-pricing-yml"],
    ]);
    expect(listing.lines[0]!.flags.map((f) => f.kind)).toEqual(["spot-discount-low", "above-region-median"]);
    expect(listing.warnings).toEqual([
      "Prices from 2026-07-30 are more than 90 days old; refresh them with breakeven prices refresh, or set node.hourlyUsd.",
    ]);
    expect(listing.api.label).toMatch(/^@pydantic\/genai-prices \d+\.\d+\.\d+, data of \d{4}-\d{2}-\d{2}$/);
  });

  test("an unknown machine type is exit 2 listing the valid ones", () => {
    expect(userErrorOf(() => priceListing(catalog, "a9-bogus", undefined, "2026-12-01")).message).toMatch(
      /MACHINE: unknown machine type "a9-bogus"; valid: a2-highgpu-1g, /,
    );
  });
});

describe("breakeven prices on the command line", () => {
  async function run(...argv: string[]) {
    const { runPrices } = await import("../cli/commands/prices.js");
    const { runCommand } = await import("../cli/errors.js");
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const code = await runCommand(() => runPrices(argv));
      return {
        code,
        stdout: out.mock.calls.map((c) => String(c[0])).join(""),
        stderr: err.mock.calls.map((c) => String(c[0])).join(""),
      };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }

  test("prices show g2-standard-8 --region us-east4 --format json is exit 0 with the four prices", async () => {
    const r = await run("show", "g2-standard-8", "--region", "us-east4", "--format", "json");
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { lines: unknown[] }).lines).toHaveLength(4);
  });

  test("a flag of the other subcommand is refused, exit 2", async () => {
    const r = await run("show", "g2-standard-8", "--out", "x.csv");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: command line: --out: is not a flag of prices show/);
  });
});
