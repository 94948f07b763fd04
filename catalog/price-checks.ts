import { z } from "zod";
import type { PriceFlag } from "../engine/price-flags";
import { PricingModelSchema, type PricingModel } from "../engine/scenario";
import { flagKey, hourlyUsdOf, type MachinePriceRow, type PriceBook } from "./prices";

/** `catalog/data/price-checks.yaml`: the rules every price row is checked against, each with its source. */
export const PriceChecksSchema = z
  .object({
    version: z.literal(1),
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    spotDiscount: z
      .object({ minPct: z.number().min(0).max(100), maxPct: z.number().min(0).max(100), source: z.string().min(1) })
      .strict(),
    regionMedian: z
      .object({ lowRatio: z.number().positive().max(1), highRatio: z.number().min(1), source: z.string().min(1) })
      .strict(),
    geographies: z
      .object({ source: z.string().min(1), byPrefix: z.record(z.string().min(1), z.string().min(1)) })
      .strict(),
    availability: z.array(
      z
        .object({
          machineTypes: z.array(z.string().min(1)).min(1),
          pricing: z.array(PricingModelSchema).min(1),
          note: z.string().min(1),
          source: z.string().min(1),
        })
        .strict(),
    ),
  })
  .strict()
  .refine((r) => r.spotDiscount.minPct <= r.spotDiscount.maxPct, {
    message: "spotDiscount.minPct must not exceed maxPct",
    path: ["spotDiscount"],
  });
/** Validated price-check rules. */
export type PriceChecks = z.infer<typeof PriceChecksSchema>;

const pct = (x: number) => `${Math.round(x)} %`;

/** Spot against on-demand in the same region, against GCP's documented discount range (whole percent, as GCP states it). */
function spotDiscountFlag(row: MachinePriceRow, rules: PriceChecks): PriceFlag | undefined {
  const onDemand = row.hour_usd;
  const spot = row.hour_spot_usd;
  if (!onDemand || !spot) return undefined;
  const discountPct = (1 - spot / onDemand) * 100;
  const { minPct, maxPct } = rules.spotDiscount;
  const shown = Math.round(discountPct);
  if (shown >= minPct && shown <= maxPct) return undefined;
  const what = `spot at $${spot.toFixed(2)}/h is ${pct(discountPct)} below on-demand ($${onDemand.toFixed(2)}/h)`;
  if (shown > maxPct)
    return {
      kind: "spot-discount-high",
      message: `${what}, more than GCP's documented ${minPct}-${maxPct} % spot discount`,
    };
  if (shown < minPct)
    return {
      kind: "spot-discount-low",
      message: `${what}, less than GCP's documented ${minPct}-${maxPct} % spot discount`,
    };
  return undefined;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Each price against its machine's median across regions for the same pricing model. */
function regionMedianFlags(book: PriceBook, rules: PriceChecks, add: (key: string, flag: PriceFlag) => void): void {
  const groups = new Map<string, { row: MachinePriceRow; hourlyUsd: number }[]>();
  for (const row of book.rows) {
    for (const pricing of PricingModelSchema.options) {
      const hourlyUsd = hourlyUsdOf(row, pricing);
      if (!hourlyUsd) continue;
      const group = groups.get(`${row.machine_type}/${pricing}`) ?? [];
      groups.set(`${row.machine_type}/${pricing}`, group);
      group.push({ row, hourlyUsd });
    }
  }
  const { lowRatio, highRatio } = rules.regionMedian;
  for (const [group, prices] of groups) {
    // Three regions at least: a median of two is no reference.
    if (prices.length < 3) continue;
    const pricing = group.split("/")[1] as PricingModel;
    const m = median(prices.map((p) => p.hourlyUsd));
    for (const { row, hourlyUsd } of prices) {
      const ratio = hourlyUsd / m;
      if (ratio >= lowRatio && ratio <= highRatio) continue;
      const what = `${pricing} at $${hourlyUsd.toFixed(2)}/h is ${ratio.toFixed(2)}x the median of ${prices.length} regions ($${m.toFixed(2)}/h)`;
      const key = flagKey(row.machine_type, row.region, pricing);
      if (ratio < lowRatio)
        add(key, { kind: "below-region-median", message: `${what}, under the ${lowRatio}x the check allows` });
      else if (ratio > highRatio)
        add(key, { kind: "above-region-median", message: `${what}, over the ${highRatio}x the check allows` });
    }
  }
}

/**
 * Checks every price of the book: spot against on-demand within GCP's
 * documented discount range, each price against its machine's median across
 * regions, and the pricing models the catalog marks as possibly unavailable.
 * Pure; the same check runs on the shipped snapshot and on a refresh.
 */
export function checkPriceBook(book: PriceBook, rules: PriceChecks): Map<string, PriceFlag[]> {
  const flags = new Map<string, PriceFlag[]>();
  const add = (key: string, flag: PriceFlag) => flags.set(key, [...(flags.get(key) ?? []), flag]);
  for (const row of book.rows) {
    const spot = spotDiscountFlag(row, rules);
    if (spot) add(flagKey(row.machine_type, row.region, "spot"), spot);
    for (const rule of rules.availability) {
      if (!rule.machineTypes.includes(row.machine_type)) continue;
      for (const pricing of rule.pricing)
        if (hourlyUsdOf(row, pricing))
          add(flagKey(row.machine_type, row.region, pricing), { kind: "may-be-unavailable", message: rule.note });
    }
  }
  regionMedianFlags(book, rules, add);
  return flags;
}

/** The geography of a region from its name's prefix (`europe-west4` -> `europe`), or undefined for a prefix the rules lack. */
export function geographyOf(region: string, rules: PriceChecks): string | undefined {
  return rules.geographies.byPrefix[region.split("-")[0] ?? ""];
}
