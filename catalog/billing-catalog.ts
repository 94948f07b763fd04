import { z } from "zod";
import { parseWith, UserInputError } from "./errors";

/**
 * The Cloud Billing Catalog API's `services.skus.list` response, as far as the
 * price refresh reads it. Field names and shapes from the API reference
 * (https://cloud.google.com/billing/docs/reference/rest/v1/services.skus/list
 * and the Sku / Category / PricingExpression / TierRate / Money resources):
 * `units` is an int64 sent as a string, `nanos` an int32; a SKU's current
 * price is `pricingInfo[0]` (pricingInfo is one entry unless a time range is
 * asked for). Unknown fields pass: the API adds fields over time.
 */
export const MoneySchema = z
  .object({
    currencyCode: z.string().optional(),
    units: z.union([z.string().regex(/^-?\d+$/), z.number().int()]).optional(),
    nanos: z.number().int().optional(),
  })
  .passthrough();

const TierRateSchema = z
  .object({ startUsageAmount: z.number().nonnegative().optional(), unitPrice: MoneySchema })
  .passthrough();

/** One SKU. */
export const SkuSchema = z
  .object({
    name: z.string().optional(),
    skuId: z.string().min(1),
    description: z.string(),
    category: z
      .object({
        serviceDisplayName: z.string().optional(),
        resourceFamily: z.string(),
        resourceGroup: z.string(),
        usageType: z.string(),
      })
      .passthrough(),
    serviceRegions: z.array(z.string()),
    pricingInfo: z
      .array(
        z
          .object({
            effectiveTime: z.string().optional(),
            pricingExpression: z
              .object({
                usageUnit: z.string().min(1),
                usageUnitDescription: z.string().optional(),
                tieredRates: z.array(TierRateSchema).min(1),
              })
              .passthrough(),
          })
          .passthrough(),
      )
      .min(1),
  })
  .passthrough();
/** A validated SKU. */
export type Sku = z.infer<typeof SkuSchema>;

/** One page of `services.skus.list`. */
export const SkuPageSchema = z
  .object({ skus: z.array(SkuSchema).default([]), nextPageToken: z.string().optional() })
  .passthrough();

/** Compute Engine's service id in the Billing Catalog (https://cloud.google.com/skus; SkyPilot's GCE_SERVICE_ID). */
export const COMPUTE_ENGINE_SERVICE_ID = "6F81-5844-456A";

/** Fetches one page (the query string is built by the caller); returns the parsed JSON body. Injected: tests pass recorded pages. */
export type FetchSkuPage = (url: string) => Promise<unknown>;

/** Pages at most: Compute Engine has tens of thousands of SKUs, a few pages at pageSize 5000; a runaway token loop stops here. */
const MAX_PAGES = 100;

/** The URL of one page of Compute Engine SKUs, prices in USD. */
export function skuPageUrl(serviceId: string, pageToken: string | undefined, apiKey?: string): string {
  const q = new URLSearchParams({ currencyCode: "USD", pageSize: "5000" });
  if (pageToken) q.set("pageToken", pageToken);
  if (apiKey) q.set("key", apiKey);
  return `https://cloudbilling.googleapis.com/v1/services/${serviceId}/skus?${q.toString()}`;
}

/** Every SKU of a service, following `nextPageToken` until it is empty; each page is validated against the documented schema. */
export async function listSkus(
  fetchPage: FetchSkuPage,
  serviceId = COMPUTE_ENGINE_SERVICE_ID,
  apiKey?: string,
): Promise<Sku[]> {
  const skus: Sku[] = [];
  let token: string | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await fetchPage(skuPageUrl(serviceId, token, apiKey));
    const parsed = parseWith(
      SkuPageSchema,
      body,
      "Cloud Billing Catalog API",
      `services/${serviceId}/skus page ${page}`,
    );
    skus.push(...parsed.skus);
    token = parsed.nextPageToken;
    if (!token) return skus;
  }
  throw new UserInputError(
    "Cloud Billing Catalog API",
    "nextPageToken",
    `still set after ${MAX_PAGES} pages; refusing to read more`,
  );
}

/** USD of a Money: units + nanos / 1e9 (the Money resource). */
export function moneyUsd(m: z.infer<typeof MoneySchema>): number {
  return Number(m.units ?? 0) + (m.nanos ?? 0) / 1e9;
}

/** A SKU's current unit price: the first tier of its current pricing (SkyPilot's _get_unit_price reads the same). */
export function unitPriceUsd(sku: Sku): { usd: number; usageUnit: string } {
  const expr = (sku.pricingInfo[0] as Sku["pricingInfo"][number]).pricingExpression;
  const tier = [...expr.tieredRates].sort(
    (a, b) => (a.startUsageAmount ?? 0) - (b.startUsageAmount ?? 0),
  )[0] as z.infer<typeof TierRateSchema>;
  return { usd: moneyUsd(tier.unitPrice), usageUnit: expr.usageUnit };
}
