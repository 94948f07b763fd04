import { daysBetween } from "../engine/price-age";
import { PricingModelSchema } from "../engine/scenario";
import type { PriceFlag } from "../engine/price-flags";
import type { PricingModel } from "../engine/scenario";
import { apiPriceData } from "./api-price-data";
import { GENAI_PRICES_VERSION } from "./api-prices";
import { UserInputError } from "./errors";
import type { Catalog } from "./load";
import { flagKey, hourlyUsdOf } from "./prices";

/** One price the engine would use for a machine: a region and pricing model, with its date, source and flags. */
export interface PriceLine {
  region: string;
  pricing: PricingModel;
  /** Hourly USD as the engine prices a node (a commitment is its monthly price over 730 h). */
  hourlyUsd: number;
  asOf: string;
  source: string;
  flags: readonly PriceFlag[];
}

/** What `breakeven prices show` prints: one machine's prices, and where the API prices come from. */
export interface PriceListing {
  machineType: string;
  file: string;
  lines: PriceLine[];
  /** Where the API prices come from and how their date is known. */
  api: { label: string; dateSource: string };
  /** Age warnings of the prices shown and of the API price data. */
  warnings: string[];
}

const PRICE_FILE = "catalog/data/gcp-gpu-machine-prices.csv";

/**
 * What the engine would price a machine at in each region and pricing model
 * (a commitment as its monthly price over 730 h, as `nodePrice` reads it),
 * with the row's date, source and sanity flags; `region` narrows it to one.
 */
export function priceListing(
  catalog: Catalog,
  machineType: string,
  region: string | undefined,
  today: string,
): PriceListing {
  if (!catalog.machineTypes.has(machineType)) {
    throw new UserInputError(
      "command line",
      "MACHINE",
      `unknown machine type ${JSON.stringify(machineType)}; valid: ${[...catalog.machineTypes.keys()].sort().join(", ")}`,
    );
  }
  const rows = catalog.prices.rows.filter((r) => r.machine_type === machineType);
  const shown = region === undefined ? rows : rows.filter((r) => r.region === region);
  if (region !== undefined && !shown.length) {
    throw new UserInputError(
      "command line",
      "--region",
      `no ${machineType} price in ${JSON.stringify(region)}; priced regions: ${
        rows
          .map((r) => r.region)
          .sort()
          .join(", ") || "none"
      }`,
    );
  }
  const lines: PriceLine[] = [];
  const warnings = new Set<string>();
  for (const row of shown) {
    for (const pricing of PricingModelSchema.options) {
      const hourlyUsd = hourlyUsdOf(row, pricing);
      if (!hourlyUsd) continue;
      const flags = catalog.priceFlags.get(flagKey(machineType, row.region, pricing)) ?? [];
      lines.push({ region: row.region, pricing, hourlyUsd, asOf: row.as_of, source: row.source, flags });
      // Only the age here: the flags are in the listing's own column.
      if (daysBetween(row.as_of, today) > catalog.assumptions.priceMaxAgeDays) {
        warnings.add(
          `Prices from ${row.as_of} are more than ${catalog.assumptions.priceMaxAgeDays} days old; refresh them with breakeven prices refresh, or set node.hourlyUsd.`,
        );
      }
    }
  }
  const api = apiPriceData(GENAI_PRICES_VERSION);
  return {
    machineType,
    file: PRICE_FILE,
    lines,
    api: { label: api.label, dateSource: api.dateSource },
    warnings: [...warnings],
  };
}
