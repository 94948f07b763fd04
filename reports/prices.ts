import type { PriceFlag } from "../engine/price-flags";
import type { PricingModel } from "../engine/scenario";
import { markdownTable, textTable, usd } from "./format";
import { toJson } from "./json";

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

const HEADER = ["Region", "Pricing", "USD/h", "As of", "Source", "Checks"];
const RIGHT = [false, false, true, false, false, false];

function cells(l: PriceLine): string[] {
  return [l.region, l.pricing, usd(l.hourlyUsd), l.asOf, l.source, l.flags.length ? l.flags.map((f) => `[!] ${f.message}`).join("; ") : "ok"];
}

function footer(p: PriceListing): string[] {
  return [`Source file: ${p.file}. API prices: ${p.api.label} (${p.api.dateSource}).`, ...p.warnings.map((w) => `Warning: ${w}`)];
}

/** Plain-text listing. */
export function renderPricesTable(p: PriceListing): string {
  return [`${p.machineType}: the prices the engine uses`, "", textTable([HEADER, ...p.lines.map(cells)], RIGHT), "", ...footer(p)].join("\n");
}

/** Markdown listing. */
export function renderPricesMarkdown(p: PriceListing): string {
  return [`#### ${p.machineType}: the prices the engine uses`, "", markdownTable(HEADER, p.lines.map(cells), RIGHT), "", ...footer(p).map((l) => `_${l}_`)].join("\n");
}

/** JSON listing. */
export function renderPricesJson(p: PriceListing): string {
  return toJson(p);
}
