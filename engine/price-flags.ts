/**
 * What a price sanity check or the search scope says about one catalog price.
 * Built by catalog/price-checks.ts (row checks) and engine/recommend.ts (far
 * region); reports print `message`.
 */
export interface PriceFlag {
  kind: PriceFlagKind;
  message: string;
}

/**
 * - `spot-discount-high`: spot is more than GCP's documented discount below on-demand (suspiciously cheap);
 * - `spot-discount-low`: spot is less than the documented discount below on-demand (dear or stale);
 * - `below-region-median` / `above-region-median`: far from the machine's median across regions;
 * - `far-region`: in another geography than the declared region;
 * - `may-be-unavailable`: the catalog lists a price GCP may not sell.
 */
export type PriceFlagKind =
  | "spot-discount-high"
  | "spot-discount-low"
  | "below-region-median"
  | "above-region-median"
  | "far-region"
  | "may-be-unavailable";

/** Flags that say a price may be too low to be true: such a price must never win silently, so it ranks after checked prices. */
const OUTLIER_LOW: ReadonlySet<PriceFlagKind> = new Set(["spot-discount-high", "below-region-median"]);

/** Whether a price carries a flag saying it may be too low to be true. */
export function isSuspiciouslyCheap(flags: readonly PriceFlag[] | undefined): boolean {
  return (flags ?? []).some((f) => OUTLIER_LOW.has(f.kind));
}
