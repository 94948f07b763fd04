import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { PriceFlag } from "../engine/price-flags";
import { AssumptionsSchema, type Assumptions } from "../engine/assumptions";
import { CalibrationSchema, type Calibration } from "../engine/calibration";
import { GpuSchema, MachineTypeSchema, type Gpu, type MachineType } from "../engine/hardware";
import { ModelConfigSchema, type ModelConfig } from "../engine/model-config";
import { parseWith, UserInputError } from "./errors";
import { gpuEfficiency, parseHardwareEfficiencyCsv } from "./hardware-efficiency";
import { fromRoot } from "./paths";
import { checkPriceBook, PriceChecksSchema, type PriceChecks } from "./price-checks";
import { parsePriceBook, type PriceBook } from "./prices";
import { readText, readYaml } from "./read";

/** Every catalog the engine prices and sizes with, loaded and validated. */
export interface Catalog {
  models: Map<string, ModelConfig>;
  gpus: Map<string, Gpu>;
  machineTypes: Map<string, MachineType>;
  prices: PriceBook;
  /** The rules every price row is checked against (`catalog/data/price-checks.yaml`). */
  priceChecks: PriceChecks;
  /** What the check says of each price, keyed by `flagKey`; a price without an entry passed. */
  priceFlags: Map<string, PriceFlag[]>;
  calibration: Calibration;
  assumptions: Assumptions;
}

const GpuFileSchema = z.object({ version: z.literal(1), asOf: z.string(), gpus: z.array(GpuSchema).min(1) }).strict();
const MachineFileSchema = z
  .object({
    version: z.literal(1),
    asOf: z.string(),
    source: z.string(),
    machineTypes: z.array(MachineTypeSchema).min(1),
  })
  .strict();

/** Parses one model config's YAML (pure apart from the file name used in errors); the id must match the file name. */
export function parseModelConfig(data: unknown, file: string): ModelConfig {
  const model = parseWith(ModelConfigSchema, data, file);
  const expected = path.basename(file).replace(/\.ya?ml$/, "");
  if (model.id !== expected)
    throw new UserInputError(file, "id", `${JSON.stringify(model.id)} must match the file name "${expected}"`);
  return model;
}

/** Loads every `model-configs/*.yaml`. */
export function loadModelConfigs(dir = fromRoot("model-configs")): Map<string, ModelConfig> {
  const models = new Map<string, ModelConfig>();
  for (const name of fs.readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const file = path.join(dir, name);
    const model = parseModelConfig(readYaml(file), file);
    models.set(model.id, model);
  }
  return models;
}

function indexBy<T extends { id: string }>(items: T[], file: string, what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.id)) throw new UserInputError(file, what, `id ${item.id} appears twice`);
    map.set(item.id, item);
  }
  return map;
}

/** The calibration file `calibration/constants.json`. */
export function loadCalibration(file = fromRoot("calibration", "constants.json")): Calibration {
  return parseWith(CalibrationSchema, JSON.parse(readText(file)), file);
}

/**
 * The GPU catalog with each GPU's measured efficiencies attached from
 * calibration/data/hardware-efficiency.csv; a GPU the file does not cover,
 * or a row for a GPU the catalog does not have, is an error.
 */
export function loadGpus(
  gpuFile = fromRoot("catalog", "data", "gpus.yaml"),
  efficiencyFile = fromRoot("calibration", "data", "hardware-efficiency.csv"),
): Map<string, Gpu> {
  const specs = indexBy(parseWith(GpuFileSchema, readYaml(gpuFile), gpuFile).gpus, gpuFile, "gpus");
  const rows = parseHardwareEfficiencyCsv(readText(efficiencyFile), efficiencyFile);
  for (const r of rows)
    if (!specs.has(r.gpu)) throw new UserInputError(efficiencyFile, "gpu", `${r.gpu} is not a GPU of ${gpuFile}`);
  const gpus = new Map<string, Gpu>();
  for (const [id, spec] of specs) gpus.set(id, { ...spec, efficiency: gpuEfficiency(rows, id, efficiencyFile) });
  return gpus;
}

let cached: Catalog | undefined;

/** Loads and cross-checks all catalogs once per process. */
export function loadCatalog(): Catalog {
  if (cached) return cached;
  const gpuFile = fromRoot("catalog", "data", "gpus.yaml");
  const machineFile = fromRoot("catalog", "data", "machine-types.yaml");
  const priceFile = fromRoot("catalog", "data", "gcp-gpu-machine-prices.csv");
  const assumptionsFile = fromRoot("catalog", "data", "assumptions.yaml");
  const checksFile = fromRoot("catalog", "data", "price-checks.yaml");
  const gpus = loadGpus(gpuFile);
  const machineTypes = indexBy(
    parseWith(MachineFileSchema, readYaml(machineFile), machineFile).machineTypes,
    machineFile,
    "machineTypes",
  );
  for (const m of machineTypes.values()) {
    if (!gpus.has(m.gpu)) throw new UserInputError(machineFile, `machineTypes.${m.id}.gpu`, `unknown GPU ${m.gpu}`);
  }
  const prices = parsePriceBook(readText(priceFile), priceFile);
  const priceChecks = parseWith(PriceChecksSchema, readYaml(checksFile), checksFile);
  cached = {
    models: loadModelConfigs(),
    gpus,
    machineTypes,
    prices,
    priceChecks,
    priceFlags: checkPriceBook(prices, priceChecks),
    calibration: loadCalibration(),
    assumptions: parseWith(AssumptionsSchema, readYaml(assumptionsFile), assumptionsFile),
  };
  return cached;
}
