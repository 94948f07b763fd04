import { REMOTE_DATA_JSON_URL, updatePrices, type Provider } from "@pydantic/genai-prices";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { parseWith, UserInputError } from "./errors";
import { fromRoot } from "./paths";
import { readText, readYaml } from "./read";

/** `catalog/data/api-prices.yaml`: which API price data the engine uses and how old it is. */
export const ApiPriceDataFileSchema = z
  .object({
    version: z.literal(1),
    package: z
      .object({
        name: z.literal("@pydantic/genai-prices"),
        version: z.string().min(1),
        dataDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        source: z.string().min(1),
      })
      .strict(),
    override: z
      .object({ file: z.string().min(1), fetchedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) })
      .strict()
      .optional(),
  })
  .strict();
/** Validated `api-prices.yaml`. */
export type ApiPriceDataFile = z.infer<typeof ApiPriceDataFileSchema>;

/** The API price data in use: a label for reports and its date (undefined when it cannot be known). */
export interface ApiPriceData {
  /** E.g. `@pydantic/genai-prices 0.1.8, data of 2026-09-23`. */
  label: string;
  dataDate?: string | undefined;
  /** Where the date comes from. */
  dateSource: string;
}

/** An override file is the package's data.json: at most this many bytes (the 0.1.8 bundle's data is about 0.5 MB). */
const MAX_OVERRIDE_BYTES = 20 * 1024 * 1024;

const ProviderListSchema = z
  .array(
    z
      .object({
        id: z.string().min(1),
        name: z.string(),
        api_pattern: z.string(),
        models: z.array(z.object({ id: z.string().min(1) }).passthrough()),
      })
      .passthrough(),
  )
  .min(1);

/** Reads an override data file (the package's own data.json format), bounded and checked, as the provider list the package takes. */
export function readOverrideProviders(file: string): Provider[] {
  const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  if (size > MAX_OVERRIDE_BYTES)
    throw new UserInputError(
      file,
      "",
      `is ${size} bytes, more than the ${MAX_OVERRIDE_BYTES} an API price data file may be`,
    );
  let data: unknown;
  try {
    data = JSON.parse(readText(file));
  } catch (err) {
    if (err instanceof UserInputError) throw err;
    throw new UserInputError(
      file,
      "",
      `is not valid JSON (${(err as Error).message}); save ${REMOTE_DATA_JSON_URL} unchanged`,
    );
  }
  return parseWith(ProviderListSchema, data, file) as unknown as Provider[];
}

/**
 * Which data the API prices come from (pure apart from reading the override
 * file): the override when `api-prices.yaml` names one, else the bundled data
 * of the installed package, dated only when its version is the one the file
 * dates. Applies the override through the package's `updatePrices`.
 */
export function resolveApiPriceData(
  config: ApiPriceDataFile,
  installedVersion: string,
  dir: string,
  apply = applyProviders,
): ApiPriceData {
  if (config.override) {
    const file = path.resolve(dir, config.override.file);
    apply(readOverrideProviders(file));
    return {
      label: `@pydantic/genai-prices ${installedVersion} with ${config.override.file} of ${config.override.fetchedOn}`,
      dataDate: config.override.fetchedOn,
      dateSource: `override ${file}`,
    };
  }
  if (config.package.version !== installedVersion) {
    return {
      label: `@pydantic/genai-prices ${installedVersion}, data date unknown`,
      dataDate: undefined,
      dateSource: `catalog/data/api-prices.yaml dates ${config.package.version}, not the installed ${installedVersion}: update its package.version and dataDate`,
    };
  }
  return {
    label: `@pydantic/genai-prices ${installedVersion}, data of ${config.package.dataDate}`,
    dataDate: config.package.dataDate,
    dateSource: config.package.source,
  };
}

/** Hands a provider list to @pydantic/genai-prices: its documented update path (`updatePrices`), applied synchronously. */
function applyProviders(providers: Provider[]): void {
  updatePrices(({ setProviderData }) => setProviderData(providers));
}

let cached: ApiPriceData | undefined;

/** The API price data of this install, read once per process from `catalog/data/api-prices.yaml`. */
export function apiPriceData(installedVersion: string): ApiPriceData {
  if (cached) return cached;
  const file = fromRoot("catalog", "data", "api-prices.yaml");
  cached = resolveApiPriceData(
    parseWith(ApiPriceDataFileSchema, readYaml(file), file),
    installedVersion,
    path.dirname(file),
  );
  return cached;
}
