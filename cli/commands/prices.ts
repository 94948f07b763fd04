import * as path from "node:path";
import { listSkus, type FetchSkuPage } from "../../catalog/billing-catalog";
import { BillingSkuRulesSchema } from "../../catalog/billing-compose";
import { liveFetcher } from "../../catalog/billing-fetch";
import { parseWith, UserInputError } from "../../catalog/errors";
import { loadCatalog } from "../../catalog/load";
import { fromRoot } from "../../catalog/paths";
import { checkPriceBook } from "../../catalog/price-checks";
import { priceListing } from "../../catalog/price-listing";
import { mergeRows, refreshRows, writePriceCsvAtomically } from "../../catalog/price-refresh";
import { readYaml } from "../../catalog/read";
import { todayIso } from "../../catalog/resolve";
import { renderPricesJson, renderPricesMarkdown, renderPricesTable } from "../../reports/prices";
import { formatOption } from "../args";
import { defineCommand, parseCommand } from "../command";
import { EXIT } from "../errors";
import { FORMAT_FLAG } from "./evaluate";

/** `breakeven prices show MACHINE | refresh`: its arguments, flags and examples (help and parser read this). */
export const PRICES_COMMAND = defineCommand({
  name: "prices",
  summary:
    "show: the GPU prices the engine uses for one machine type, per region and pricing model, with dates, sources and sanity checks; refresh: fetch them from the Cloud Billing Catalog API (API key in BREAKEVEN_BILLING_API_KEY, or application-default credentials), compose each machine's hourly price and rewrite the catalog atomically.",
  arguments: [
    { name: "show|refresh", description: "show the prices of a machine type, or refresh the catalog" },
    {
      name: "machine",
      optional: true,
      description: "(show) a machine type of catalog/data/machine-types.yaml, e.g. a3-highgpu-8g",
    },
  ],
  flags: {
    region: { type: "string", value: "R", default: "every priced region", description: "(show) one region" },
    format: FORMAT_FLAG,
    regions: {
      type: "string",
      value: "r1,r2",
      default: "every region the catalog prices",
      description: "(refresh) these regions; the others keep their rows and dates",
    },
    out: {
      type: "string",
      value: "file",
      default: "catalog/data/gcp-gpu-machine-prices.csv",
      description: "(refresh) where to write the CSV",
    },
  },
  examples: [
    "breakeven prices show a3-highgpu-8g --region us-central1",
    "breakeven prices show g2-standard-8 --format json",
    "breakeven prices refresh --regions us-central1,europe-west4",
  ],
});

type PricesValues = ReturnType<typeof parseCommand<typeof PRICES_COMMAND.flags>>["values"];

/** Flags of the other subcommand are refused, not ignored. */
function refuseFlags(values: PricesValues, flags: (keyof PricesValues)[], sub: string): void {
  const given = flags.find((f) => values[f] !== undefined);
  if (given !== undefined)
    throw new UserInputError("command line", `--${String(given)}`, `is not a flag of prices ${sub}`);
}

function runShow(values: PricesValues, machine: string | undefined): number {
  refuseFlags(values, ["regions", "out"], "show");
  if (machine === undefined)
    throw new UserInputError(
      "command line",
      "",
      `prices show needs a machine type; e.g. ${PRICES_COMMAND.examples[0]}`,
    );
  const format = formatOption(values.format);
  const listing = priceListing(loadCatalog(), machine, values.region, todayIso());
  const render =
    format === "json" ? renderPricesJson : format === "markdown" ? renderPricesMarkdown : renderPricesTable;
  process.stdout.write(`${render(listing)}\n`);
  return EXIT.ok;
}

/** The refresh with its page fetcher injected (tests pass recorded pages); returns the lines it reports. */
export async function refreshPrices(opts: {
  regions?: string | undefined;
  out?: string | undefined;
  fetchPage: FetchSkuPage;
  apiKey?: string | undefined;
  today: string;
}): Promise<string[]> {
  const catalog = loadCatalog();
  const rulesFile = fromRoot("catalog", "data", "billing-skus.yaml");
  const rules = parseWith(BillingSkuRulesSchema, readYaml(rulesFile), rulesFile);
  const known = [...new Set(catalog.prices.rows.map((r) => r.region))].sort();
  const regions =
    opts.regions === undefined
      ? known
      : opts.regions
          .split(",")
          .map((r) => r.trim())
          .filter(Boolean);
  if (!regions.length)
    throw new UserInputError(
      "command line",
      "--regions",
      "is empty; give regions separated by commas, e.g. us-central1,europe-west4",
    );
  const skus = await listSkus(opts.fetchPage, rules.serviceId, opts.apiKey);
  const { rows, missing } = refreshRows([...catalog.machineTypes.values()], regions, skus, rules, opts.today);
  const out = path.resolve(opts.out ?? fromRoot("catalog", "data", "gcp-gpu-machine-prices.csv"));
  const merged = mergeRows(catalog.prices.rows, rows, new Set(regions));
  if (!rows.length)
    throw new UserInputError(
      "Cloud Billing Catalog API",
      "",
      `no machine type could be priced in ${regions.join(", ")} from ${skus.length} SKUs; ${out} is left as it was`,
    );
  const book = writePriceCsvAtomically(out, merged);
  const flagged = [...checkPriceBook(book, catalog.priceChecks).keys()].filter((k) =>
    rows.some((r) => k.startsWith(`${r.machine_type}@${r.region}/`)),
  );
  return [
    `Wrote ${out}: ${rows.length} machine/region rows refreshed from ${skus.length} SKUs (as of ${opts.today}), ${merged.length - rows.length} kept from before.`,
    `${missing.length} machine/region/pricing combinations have no complete set of SKUs and no price${missing.length ? `, e.g. ${missing.slice(0, 3).join("; ")}` : ""}.`,
    `${flagged.length} refreshed prices are flagged by the sanity check (see breakeven prices show MACHINE).`,
  ];
}

async function runRefresh(values: PricesValues, extra: string | undefined): Promise<number> {
  refuseFlags(values, ["region", "format"], "refresh");
  if (extra !== undefined)
    throw new UserInputError(
      "command line",
      "",
      `prices refresh takes no machine type (got ${JSON.stringify(extra)}); use --regions to narrow it`,
    );
  const live = liveFetcher();
  const lines = await refreshPrices({
    regions: values.regions,
    out: values.out,
    fetchPage: live.fetchPage,
    apiKey: live.apiKey,
    today: todayIso(),
  });
  process.stdout.write(`${[`Authenticated with ${live.auth}.`, ...lines].join("\n")}\n`);
  return EXIT.ok;
}

/** `breakeven prices show|refresh`. */
export async function runPrices(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(PRICES_COMMAND, argv);
  const [sub, machine] = positionals;
  if (sub === "show") return runShow(values, machine);
  if (sub === "refresh") return runRefresh(values, machine);
  throw new UserInputError(
    "command line",
    "",
    `expected show or refresh, got ${JSON.stringify(sub)}; e.g. ${PRICES_COMMAND.examples[0]}`,
  );
}
