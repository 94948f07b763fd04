import { recommend, type RecommendSearch } from "../../engine/recommend";
import { UserInputError } from "../../catalog/errors";
import { loadCatalog, type Catalog } from "../../catalog/load";
import { offersFromPriceBook } from "../../catalog/offers";
import type { EvaluationInputs } from "../../engine/evaluate";
import { renderRecommendJson, renderRecommendMarkdown, renderRecommendTable } from "../../reports/recommend";
import { formatOption, numberOption, parseCommandLine } from "../args";
import { EXIT } from "../errors";
import { inputsFromFile } from "./evaluate";

/** Usage of `breakeven recommend`. */
export const RECOMMEND_USAGE = "breakeven recommend <scenario.yaml | Pulumi.<stack>.yaml> [--top N] [--regions r1,r2] [--no-spot] [--format table|json|markdown]";

/** Options shown when `--top` is not given. */
export const DEFAULT_TOP = 5;

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
  const { values, positionals } = parseCommandLine(argv, {
    top: { type: "string" },
    regions: { type: "string" },
    "no-spot": { type: "boolean" },
    format: { type: "string" },
  });
  const format = formatOption(values.format);
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UserInputError("command line", "", `expected one scenario file; usage: ${RECOMMEND_USAGE}`);
  const top = numberOption("top", values.top, { integer: true, min: 1, max: 1000 }) ?? DEFAULT_TOP;
  const regions = values.regions?.split(",").map((r) => r.trim()).filter((r) => r.length > 0);
  if (regions !== undefined && regions.length === 0) throw new UserInputError("command line", "--regions", "is empty; give regions separated by commas, e.g. us-central1,europe-west4");
  const { loaded, inputs } = inputsFromFile(file);
  const rec = recommend(catalogSearch(inputs, loadCatalog(), { regions, allowSpot: !values["no-spot"] }));
  const render = format === "json" ? renderRecommendJson : format === "markdown" ? renderRecommendMarkdown : renderRecommendTable;
  process.stdout.write(`${render(rec, loaded.scenario, top)}\n`);
  return EXIT.ok;
}
