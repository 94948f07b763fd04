import { recommend, type RecommendConstraints, type RecommendSearch } from "../../engine/recommend";
import { PricingModelSchema, type PricingModel } from "../../engine/scenario";
import { UserInputError } from "../../catalog/errors";
import { loadCatalog, type Catalog } from "../../catalog/load";
import { offersFromPriceBook } from "../../catalog/offers";
import { geographyOf } from "../../catalog/price-checks";
import type { EvaluationInputs } from "../../engine/evaluate";
import { renderRecommendJson, renderRecommendMarkdown, renderRecommendTable } from "../../reports/recommend";
import { formatOption, numberOption } from "../args";
import { defineCommand, parseCommand } from "../command";
import { EXIT } from "../errors";
import { FORMAT_FLAG, inputsFromFile, SCENARIO_ARGUMENT } from "./evaluate";

/** Options shown when `--top` is not given. */
export const DEFAULT_TOP = 5;

/** `breakeven recommend`: its arguments, flags and examples (help and parser read this). */
export const RECOMMEND_COMMAND = defineCommand({
  name: "recommend",
  summary: "the cheapest machine, region, pricing and layout for the declared workload, the API, or a hybrid of both.",
  arguments: [SCENARIO_ARGUMENT],
  flags: {
    top: { type: "string", value: "N", default: String(DEFAULT_TOP), description: "how many options to list" },
    regions: {
      type: "string",
      value: "all|r1,r2",
      default: "the declared node.region",
      description: "search these regions; all: every region the price catalog has (a far region is flagged)",
    },
    pricing: {
      type: "string",
      value: "any|m1,m2",
      default: "the declared node.pricing",
      description: "search these pricing models (spot, on-demand, commit-1y, commit-3y); any: all of them",
    },
    "no-spot": { type: "boolean", description: "leave spot (preemptible) pricing out of the search" },
    format: FORMAT_FLAG,
  },
  examples: [
    "breakeven recommend Pulumi.dev.yaml",
    "breakeven recommend examples/scenario.yaml --regions all --pricing any --top 10",
    "breakeven recommend examples/scenario.yaml --regions us-central1,europe-west4 --pricing on-demand,commit-1y",
  ],
});

/** The word that widens `--regions` / `--pricing` to the whole catalog. */
const ALL_REGIONS = "all";
const ANY_PRICING = "any";

function commaList(flag: string, value: string, example: string): string[] {
  const items = value
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  if (items.length === 0) throw new UserInputError("command line", flag, `is empty; give ${example}`);
  return items;
}

/**
 * The regions `recommend` searches: the declared region by default, every
 * priced region for `--regions all`, or the list given (each checked against
 * the regions the catalog prices).
 */
export function regionScope(value: string | undefined, declaredRegion: string, catalog: Catalog): string[] | undefined {
  if (value === undefined) return [declaredRegion];
  if (value.trim() === ALL_REGIONS) return undefined;
  const regions = commaList("--regions", value, `"all" or regions separated by commas, e.g. us-central1,europe-west4`);
  const known = new Set(catalog.prices.rows.map((r) => r.region));
  const unknown = regions.find((r) => !known.has(r));
  if (unknown !== undefined)
    throw new UserInputError(
      "command line",
      "--regions",
      `unknown region ${JSON.stringify(unknown)}; valid: ${ALL_REGIONS}, ${[...known].sort().join(", ")}`,
    );
  return regions;
}

/** The pricing models `recommend` searches: the declared one by default, every one for `--pricing any`, or the list given. */
export function pricingScope(value: string | undefined, declaredPricing: PricingModel): PricingModel[] | undefined {
  if (value === undefined) return [declaredPricing];
  if (value.trim() === ANY_PRICING) return undefined;
  const valid = PricingModelSchema.options;
  return commaList("--pricing", value, `"any" or pricing models separated by commas, e.g. spot,on-demand`).map((p) => {
    if (!(valid as readonly string[]).includes(p))
      throw new UserInputError(
        "command line",
        "--pricing",
        `${JSON.stringify(p)} is not valid; expected ${ANY_PRICING} or one of ${valid.join(", ")}`,
      );
    return p as PricingModel;
  });
}

/** The search over the catalog for resolved inputs: its offers with their sanity flags, and each region's geography for far-region flags. */
export function catalogSearch(
  base: EvaluationInputs,
  catalog: Catalog,
  constraints: RecommendConstraints,
): RecommendSearch {
  const regionGeography = new Map<string, string>();
  for (const row of catalog.prices.rows) {
    const geo = geographyOf(row.region, catalog.priceChecks);
    if (geo !== undefined) regionGeography.set(row.region, geo);
  }
  const offers = offersFromPriceBook(catalog.prices, catalog.priceFlags);
  return {
    base,
    machines: [...catalog.machineTypes.values()],
    gpus: catalog.gpus,
    offers,
    constraints,
    regionGeography,
  };
}

/** `breakeven recommend`: the cheapest machine, region, pricing and layout for the declared workload, the API, or a hybrid. */
export function runRecommend(argv: string[]): number {
  const { values, positionals } = parseCommand(RECOMMEND_COMMAND, argv);
  const format = formatOption(values.format);
  const file = positionals[0] as string;
  const top = numberOption("top", values.top, { integer: true, min: 1, max: 1000 }) ?? DEFAULT_TOP;
  const { loaded, inputs } = inputsFromFile(file);
  const catalog = loadCatalog();
  const node = inputs.scenario.node;
  const constraints: RecommendConstraints = {
    regions: regionScope(values.regions, node.region, catalog),
    pricing: pricingScope(values.pricing, node.pricing),
    allowSpot: !values["no-spot"],
  };
  const rec = recommend(catalogSearch(inputs, catalog, constraints));
  const render =
    format === "json" ? renderRecommendJson : format === "markdown" ? renderRecommendMarkdown : renderRecommendTable;
  process.stdout.write(`${render(rec, loaded.scenario, top)}\n`);
  return EXIT.ok;
}
