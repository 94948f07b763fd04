import type { NodeOffer } from "../engine/recommend";
import { PricingModelSchema } from "../engine/scenario";
import { flagKey, hourlyUsdOf, type PriceBook, type PriceFlagIndex } from "./prices";

const PRICE_FILE = "catalog/data/gcp-gpu-machine-prices.csv";

/**
 * Every priced (machine type, region, pricing model) of the price book, for
 * `recommend`, each with what the sanity check says of it; a missing price
 * is no offer, never $0.
 */
export function offersFromPriceBook(book: PriceBook, flags: PriceFlagIndex = new Map()): NodeOffer[] {
  const offers: NodeOffer[] = [];
  for (const row of book.rows) {
    for (const pricing of PricingModelSchema.options) {
      const hourlyUsd = hourlyUsdOf(row, pricing);
      if (hourlyUsd === undefined || hourlyUsd <= 0) continue;
      const rowFlags = flags.get(flagKey(row.machine_type, row.region, pricing));
      offers.push({
        machineType: row.machine_type,
        region: row.region,
        pricing,
        hourlyUsd,
        asOf: row.as_of,
        reference: `${PRICE_FILE} (${row.source})`,
        flags: rowFlags,
      });
    }
  }
  return offers;
}
