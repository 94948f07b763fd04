import { recommend, type RecommendSearch } from "../../engine/recommend";
import { UserInputError } from "../../catalog/errors";
import { loadCatalog, type Catalog } from "../../catalog/load";
import { offersFromPriceBook } from "../../catalog/offers";
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
    regions: { type: "string", value: "r1,r2", default: "every region the price catalog has", description: "search only these regions" },
    "no-spot": { type: "boolean", description: "leave spot (preemptible) pricing out of the search" },
    format: FORMAT_FLAG,
  },
  examples: ["breakeven recommend Pulumi.dev.yaml", "breakeven recommend examples/scenario.yaml --regions us-central1,europe-west4 --no-spot --top 3"],
});

/** The search over the whole catalog for resolved inputs, with `--regions` checked against the regions the catalog prices. */
export function catalogSearch(base: EvaluationInputs, catalog: Catalog, constraints: { regions?: string[] | undefined; allowSpot: boolean }): RecommendSearch {
  if (constraints.regions) {
    const known = new Set(catalog.prices.rows.map((r) => r.region));
    const unknown = constraints.regions.find((r) => !known.has(r));
    if (unknown !== undefined) throw new UserInputError("command line", "--regions", `unknown region ${JSON.stringify(unknown)}; valid: ${[...known].sort().join(", ")}`);
  }
  return { base, machines: [...catalog.machineTypes.values()], gpus: catalog.gpus, offers: offersFromPriceBook(catalog.prices), constraints };
}

/** `breakeven recommend`: the cheapest machine, region, pricing and layout for the declared workload, the API, or a hybrid. */
export function runRecommend(argv: string[]): number {
  const { values, positionals } = parseCommand(RECOMMEND_COMMAND, argv);
  const format = formatOption(values.format);
  const file = positionals[0] as string;
  const top = numberOption("top", values.top, { integer: true, min: 1, max: 1000 }) ?? DEFAULT_TOP;
  const regions = values.regions?.split(",").map((r) => r.trim()).filter((r) => r.length > 0);
  if (regions !== undefined && regions.length === 0) throw new UserInputError("command line", "--regions", "is empty; give regions separated by commas, e.g. us-central1,europe-west4");
  const { loaded, inputs } = inputsFromFile(file);
  const rec = recommend(catalogSearch(inputs, loadCatalog(), { regions, allowSpot: !values["no-spot"] }));
  const render = format === "json" ? renderRecommendJson : format === "markdown" ? renderRecommendMarkdown : renderRecommendTable;
  process.stdout.write(`${render(rec, loaded.scenario, top)}\n`);
  return EXIT.ok;
}
