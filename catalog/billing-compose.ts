import { z } from "zod";
import type { MachineType } from "../engine/hardware";
import { PricingModelSchema, type PricingModel } from "../engine/scenario";
import { unitPriceUsd, type Sku } from "./billing-catalog";

/** `catalog/data/billing-skus.yaml`: which SKUs make up a machine type's price. */
export const BillingSkuRulesSchema = z
  .object({
    version: z.literal(1),
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    serviceId: z.string().min(1),
    source: z.string().min(1),
    usageTypes: z.record(PricingModelSchema, z.string().min(1)),
    hoursPerMonth: z.number().positive(),
    excludeDescriptions: z.array(z.string().min(1)),
    families: z
      .array(z.object({ prefix: z.string().min(1), host: z.string().min(1), gpu: z.string().min(1) }).strict())
      .min(1),
    localSsd: z.string().min(1),
  })
  .strict();
/** Validated SKU rules. */
export type BillingSkuRules = z.infer<typeof BillingSkuRulesSchema>;

/** One part of a machine's price: which SKU, how many units, at what hourly unit price. */
export interface PricePart {
  part: "gpu" | "core" | "ram" | "local-ssd";
  skuId: string;
  description: string;
  quantity: number;
  usdPerUnitHour: number;
}

/** A composed hourly price with its parts, or why there is none. */
export type Composed = { hourlyUsd: number; parts: PricePart[] } | { missing: string };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The family rule of a machine type: the longest matching prefix. */
export function familyOf(machineType: string, rules: BillingSkuRules): BillingSkuRules["families"][number] | undefined {
  return rules.families
    .filter((f) => machineType.startsWith(f.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
}

/** Hourly USD per unit from a SKU's price and usage unit (`h`, `GiBy.h`, `GiBy.mo`); another unit is refused, never guessed. */
function perUnitHour(sku: Sku, rules: BillingSkuRules): number | undefined {
  const { usd, usageUnit } = unitPriceUsd(sku);
  if (usageUnit === "h" || usageUnit === "GiBy.h") return usd;
  if (usageUnit === "GiBy.mo") return usd / rules.hoursPerMonth;
  return undefined;
}

/** The one SKU of a part in a region under a pricing model; several with different prices is ambiguity, reported as missing. */
function pick(
  skus: readonly Sku[],
  matches: (sku: Sku) => boolean,
  rules: BillingSkuRules,
): { sku: Sku; usdPerUnitHour: number } | string {
  const found = skus.filter(matches);
  const priced = found.map((sku) => ({ sku, usdPerUnitHour: perUnitHour(sku, rules) }));
  const usable = priced.filter((p): p is { sku: Sku; usdPerUnitHour: number } => p.usdPerUnitHour !== undefined);
  if (!usable.length)
    return found.length ? `SKU ${found[0]?.skuId} has usage unit ${unitPriceUsd(found[0] as Sku).usageUnit}` : "no SKU";
  const prices = new Set(usable.map((p) => p.usdPerUnitHour));
  if (prices.size > 1)
    return `${usable.length} SKUs with different prices (${usable.map((p) => p.sku.skuId).join(", ")})`;
  return usable[0] as { sku: Sku; usdPerUnitHour: number };
}

/**
 * A machine type's hourly price in a region under a pricing model, as GCP
 * bills it: GPUs x GPU SKU + vCPUs x core SKU + GiB x RAM SKU + bundled local
 * SSD GiB x local SSD SKU (catalog/data/billing-skus.yaml says which SKUs and
 * why). Pure. A part without exactly one price is "missing": the machine gets
 * no price for that model, never a partial one.
 */
export function composeMachinePrice(
  machine: MachineType,
  region: string,
  pricing: PricingModel,
  skus: readonly Sku[],
  rules: BillingSkuRules,
): Composed {
  const family = familyOf(machine.id, rules);
  if (!family) return { missing: `no SKU family rule for ${machine.id}` };
  const usageType = rules.usageTypes[pricing];
  const excluded = new RegExp(rules.excludeDescriptions.map(escape).join("|"), "i");
  const inScope = skus.filter(
    (s) => s.category.usageType === usageType && s.serviceRegions.includes(region) && !excluded.test(s.description),
  );
  const host = new RegExp(`\\b${escape(family.host)}\\b`);
  const isGpu = (s: Sku) => s.description.includes(family.gpu);
  const wanted: [PricePart["part"], number, (s: Sku) => boolean][] = [
    ["gpu", machine.gpuCount, isGpu],
    [
      "core",
      machine.vcpu,
      (s) => !/GPU/.test(s.description) && host.test(s.description) && /\b(Core|Cpu)\b/i.test(s.description),
    ],
    [
      "ram",
      machine.memoryGB,
      (s) => !/GPU/.test(s.description) && host.test(s.description) && /\bRam\b/i.test(s.description),
    ],
  ];
  if (machine.localSsdGB > 0)
    wanted.push(["local-ssd", machine.localSsdGB, (s) => new RegExp(rules.localSsd, "i").test(s.description)]);
  const parts: PricePart[] = [];
  for (const [part, quantity, matches] of wanted) {
    const got = pick(inScope, matches, rules);
    if (typeof got === "string") return { missing: `${part} of ${machine.id} ${pricing} in ${region}: ${got}` };
    parts.push({
      part,
      skuId: got.sku.skuId,
      description: got.sku.description,
      quantity,
      usdPerUnitHour: got.usdPerUnitHour,
    });
  }
  return { hourlyUsd: parts.reduce((sum, p) => sum + p.quantity * p.usdPerUnitHour, 0), parts };
}
