import { parse } from "csv-parse/sync";
import { z } from "zod";
import type { PricingModel } from "../engine/scenario";
import type { NodePrice } from "../engine/evaluate";
import type { PriceFlag } from "../engine/price-flags";
import { HOURS_PER_MONTH } from "../engine/units";
import { parseWith, UserInputError } from "./errors";

const optionalNumber = z.preprocess(
  (v) => (v === "" || v === undefined ? undefined : Number(v)),
  z.number().nonnegative().optional(),
);

/** One row of `catalog/data/gcp-gpu-machine-prices.csv`. */
export const MachinePriceRowSchema = z.object({
  machine_type: z.string().min(1),
  gpu: z.string().min(1),
  gpu_count: z.coerce.number().int().positive(),
  vcpu: z.coerce.number().int().positive(),
  ram_gb: z.coerce.number().positive(),
  local_ssd_gb: optionalNumber,
  region: z.string().min(1),
  hour_usd: optionalNumber,
  hour_spot_usd: optionalNumber,
  month_1y_usd: optionalNumber,
  month_3y_usd: optionalNumber,
  as_of: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
});
/** A machine price row. */
export type MachinePriceRow = z.infer<typeof MachinePriceRowSchema>;

/** Machine prices indexed by machine type and region. */
export interface PriceBook {
  rows: MachinePriceRow[];
  byKey: Map<string, MachinePriceRow>;
}

/** Flags of one price, keyed by {@link flagKey}; a price without an entry passed the check. */
export type PriceFlagIndex = ReadonlyMap<string, readonly PriceFlag[]>;

/** The key of one price (machine type, region, pricing model) in a {@link PriceFlagIndex}. */
export const flagKey = (machineType: string, region: string, pricing: PricingModel) =>
  `${machineType}@${region}/${pricing}`;

const key = (machineType: string, region: string) => `${machineType}@${region}`;

/** Parses the price CSV (pure); every row is validated. */
export function parsePriceBook(text: string, file: string): PriceBook {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const rows = records.map((record, index) => parseWith(MachinePriceRowSchema, record, file, `row ${index + 2}`));
  const byKey = new Map<string, MachinePriceRow>();
  for (const row of rows) byKey.set(key(row.machine_type, row.region), row);
  return { rows, byKey };
}

/** Hourly price of one node of a row under a pricing model; commitments are monthly prices over HOURS_PER_MONTH (730 h). */
export function hourlyUsdOf(row: MachinePriceRow, pricing: PricingModel): number | undefined {
  switch (pricing) {
    case "on-demand":
      return row.hour_usd;
    case "spot":
      return row.hour_spot_usd;
    case "commit-1y":
      return row.month_1y_usd === undefined ? undefined : row.month_1y_usd / HOURS_PER_MONTH;
    case "commit-3y":
      return row.month_3y_usd === undefined ? undefined : row.month_3y_usd / HOURS_PER_MONTH;
    default: {
      const never: never = pricing;
      throw new Error(`unhandled pricing ${String(never)}`);
    }
  }
}

/**
 * The price of one node: the override when the stack sets `node.hourlyUsd`,
 * else the catalog row with what the sanity check says of it. A missing price is an error that says how to supply
 * one; it is never $0. `fieldPrefix` is the config file's key prefix
 * (`config.llm-breakeven:` in a stack file), so the field is named as the
 * user wrote it, like every other resolver's.
 */
export function nodePrice(
  book: PriceBook,
  query: { machineType: string; region: string; pricing: PricingModel; hourlyUsd?: number | undefined },
  file: string,
  flags: PriceFlagIndex = new Map(),
  fieldPrefix = "",
): NodePrice {
  const p = fieldPrefix;
  if (query.hourlyUsd !== undefined)
    return { hourlyUsd: query.hourlyUsd, source: "override", reference: `${p}node.hourlyUsd` };
  const row = book.byKey.get(key(query.machineType, query.region));
  if (!row) {
    const regions = book.rows.filter((r) => r.machine_type === query.machineType).map((r) => r.region);
    const hint = regions.length
      ? `priced regions for it: ${regions.slice(0, 12).join(", ")}${regions.length > 12 ? ", ..." : ""}`
      : "the catalog has no price for this machine type in any region";
    throw new UserInputError(
      file,
      `${p}node.region`,
      `no ${query.machineType} price in region "${query.region}" (${hint}); set ${p}node.hourlyUsd to price it yourself`,
    );
  }
  const hourly = hourlyUsdOf(row, query.pricing);
  if (hourly === undefined || hourly <= 0) {
    throw new UserInputError(
      file,
      `${p}node.pricing`,
      `the catalog has no ${query.pricing} price for ${query.machineType} in ${query.region} (snapshot ${row.as_of}); choose another pricing model or set ${p}node.hourlyUsd`,
    );
  }
  const rowFlags = flags.get(flagKey(query.machineType, query.region, query.pricing));
  return {
    hourlyUsd: hourly,
    source: "catalog",
    asOf: row.as_of,
    reference: `catalog/data/gcp-gpu-machine-prices.csv (${row.source})`,
    flags: rowFlags,
  };
}
