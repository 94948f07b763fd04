import * as fs from "node:fs";
import * as path from "node:path";
import type { MachineType } from "../engine/hardware";
import type { PricingModel } from "../engine/scenario";
import { composeMachinePrice, type BillingSkuRules } from "./billing-compose";
import type { Sku } from "./billing-catalog";
import { UserInputError } from "./errors";
import { MachinePriceRowSchema, parsePriceBook, type MachinePriceRow, type PriceBook } from "./prices";

/** The `source` column of a refreshed row. */
export const REFRESH_SOURCE = "cloud-billing-catalog-api";

/** The CSV's columns, in the shipped order. */
const COLUMNS = Object.keys(MachinePriceRowSchema.shape) as (keyof MachinePriceRow)[];

/** What a refresh produced: the new rows, and every (machine, region, pricing) it could not price, with why. */
export interface RefreshResult {
  rows: MachinePriceRow[];
  missing: string[];
}

const round = (x: number) => Math.round(x * 1e9) / 1e9;

/** One machine in one region: each pricing model composed from the SKUs; undefined when none could be. */
function refreshedRow(
  machine: MachineType,
  region: string,
  skus: readonly Sku[],
  rules: BillingSkuRules,
  today: string,
  missing: string[],
): MachinePriceRow | undefined {
  const hourly = (pricing: PricingModel): number | undefined => {
    const c = composeMachinePrice(machine, region, pricing, skus, rules);
    if ("missing" in c) {
      missing.push(c.missing);
      return undefined;
    }
    return round(c.hourlyUsd);
  };
  const [onDemand, spot, c1, c3] = [hourly("on-demand"), hourly("spot"), hourly("commit-1y"), hourly("commit-3y")];
  if (onDemand === undefined && spot === undefined && c1 === undefined && c3 === undefined) return undefined;
  const monthly = (h: number | undefined) => (h === undefined ? undefined : round(h * rules.hoursPerMonth));
  return {
    machine_type: machine.id,
    gpu: machine.gpu,
    gpu_count: machine.gpuCount,
    vcpu: machine.vcpu,
    ram_gb: machine.memoryGB,
    local_ssd_gb: machine.localSsdGB || undefined,
    region,
    hour_usd: onDemand,
    hour_spot_usd: spot,
    month_1y_usd: monthly(c1),
    month_3y_usd: monthly(c3),
    as_of: today,
    source: REFRESH_SOURCE,
  };
}

/**
 * Composes every catalog machine type in every asked region from the SKUs
 * (pure). A region no SKU serves, or a machine with no complete set of SKUs
 * there, gets no row and is listed in `missing`.
 */
export function refreshRows(
  machines: readonly MachineType[],
  regions: readonly string[],
  skus: readonly Sku[],
  rules: BillingSkuRules,
  today: string,
): RefreshResult {
  const rows: MachinePriceRow[] = [];
  const missing: string[] = [];
  for (const machine of machines) {
    for (const region of regions) {
      const row = refreshedRow(machine, region, skus, rules, today, missing);
      if (row) rows.push(row);
    }
  }
  return { rows, missing };
}

/** The refreshed rows replace the old ones of the refreshed regions; other regions keep their rows and dates. Sorted by machine, then region. */
export function mergeRows(
  old: readonly MachinePriceRow[],
  fresh: readonly MachinePriceRow[],
  refreshedRegions: ReadonlySet<string>,
): MachinePriceRow[] {
  const kept = old.filter((r) => !refreshedRegions.has(r.region));
  return [...kept, ...fresh].sort(
    (a, b) => a.machine_type.localeCompare(b.machine_type) || a.region.localeCompare(b.region),
  );
}

/** The rows as the catalog CSV (the shipped column order; a missing price is an empty cell). */
export function priceCsv(rows: readonly MachinePriceRow[]): string {
  const cell = (v: unknown) => (v === undefined ? "" : String(v));
  const lines = [COLUMNS.join(","), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(","))];
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the CSV atomically: the text is parsed back with the catalog's own
 * parser first (a row the engine would refuse is never written), written to
 * a temporary file beside the target, then renamed over it, so a reader
 * sees the old file or the new one, never half of either.
 */
export function writePriceCsvAtomically(file: string, rows: readonly MachinePriceRow[]): PriceBook {
  if (!rows.length) throw new UserInputError(file, "", "the refresh priced no machine; the file is left as it was");
  const text = priceCsv(rows);
  const book = parsePriceBook(text, file);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return book;
}
