import type { Assumptions } from "./assumptions";
import type { PriceFlag } from "./price-flags";
import type { PricingModel } from "./scenario";

/** Whole days from one YYYY-MM-DD date to another. */
export function daysBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 86_400_000;
}

/** A catalog node price as the warnings need it. */
export interface DatedNodePrice {
  machineType: string;
  region: string;
  pricing: PricingModel;
  asOf?: string | undefined;
  flags?: readonly PriceFlag[] | undefined;
}

/**
 * Warnings on one node price: older than `priceMaxAgeDays` (spot prices move
 * up to daily), and each flag of the catalog's sanity check.
 */
export function nodePriceWarnings(
  price: DatedNodePrice,
  today: string,
  assumptions: Pick<Assumptions, "priceMaxAgeDays">,
): string[] {
  const { machineType, pricing, region } = price;
  const warnings: string[] = [];
  if (price.asOf && daysBetween(price.asOf, today) > assumptions.priceMaxAgeDays) {
    warnings.push(
      `The ${machineType} ${pricing} price in ${region} is from ${price.asOf}, more than ${assumptions.priceMaxAgeDays} days old; refresh it (breakeven prices refresh), check it or set node.hourlyUsd.`,
    );
  }
  for (const flag of price.flags ?? [])
    warnings.push(`The ${machineType} ${pricing} price in ${region} is flagged: ${flag.message}.`);
  return warnings;
}

/** A warning when the API price data (its `dataDate`) is older than `apiPriceMaxAgeDays`; none for prices set in the stack. */
export function apiPriceWarnings(
  api: { source: string; asOf?: string | undefined; dataDate?: string | undefined },
  today: string,
  assumptions: Pick<Assumptions, "apiPriceMaxAgeDays">,
): string[] {
  if (api.source !== "genai-prices" || !api.dataDate) return [];
  const days = Math.floor(daysBetween(api.dataDate, today));
  if (days <= assumptions.apiPriceMaxAgeDays) return [];
  return [
    `The API price data (${api.asOf ?? "genai-prices"}) is from ${api.dataDate}, ${days} days old, more than ${assumptions.apiPriceMaxAgeDays}; update it (README "Refreshing prices") or set api.inputUsdPerMTok and api.outputUsdPerMTok.`,
  ];
}
