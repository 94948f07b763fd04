import type { PriceLine, PriceListing } from "../catalog/price-listing";
import { markdownTable, textTable, usd } from "./format";
import { toJson } from "./json";

const HEADER = ["Region", "Pricing", "USD/h", "As of", "Source", "Checks"];
const RIGHT = [false, false, true, false, false, false];

function cells(l: PriceLine): string[] {
  return [
    l.region,
    l.pricing,
    usd(l.hourlyUsd),
    l.asOf,
    l.source,
    l.flags.length ? l.flags.map((f) => `[!] ${f.message}`).join("; ") : "ok",
  ];
}

function footer(p: PriceListing): string[] {
  return [
    `Source file: ${p.file}. API prices: ${p.api.label} (${p.api.dateSource}).`,
    ...p.warnings.map((w) => `Warning: ${w}`),
  ];
}

/** Plain-text listing. */
export function renderPricesTable(p: PriceListing): string {
  return [
    `${p.machineType}: the prices the engine uses`,
    "",
    textTable([HEADER, ...p.lines.map(cells)], RIGHT),
    "",
    ...footer(p),
  ].join("\n");
}

/** Markdown listing. */
export function renderPricesMarkdown(p: PriceListing): string {
  return [
    `#### ${p.machineType}: the prices the engine uses`,
    "",
    markdownTable(HEADER, p.lines.map(cells), RIGHT),
    "",
    ...footer(p).map((l) => `_${l}_`),
  ].join("\n");
}

/** JSON listing. */
export function renderPricesJson(p: PriceListing): string {
  return toJson(p);
}
