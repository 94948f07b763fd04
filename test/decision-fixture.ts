import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { loadCatalog } from "../catalog/load";
import type { Calibration } from "../engine/calibration";
import type { ApiPrice, EvaluationInputs, NodePrice } from "../engine/evaluate";
import { ScenarioSchema, type ScenarioInput } from "../engine/scenario";

/**
 * Inputs for the decision-view tests (chart, sensitivity, recommend), built
 * by hand so the figures can be checked on paper: the node and API prices
 * are overrides, throughput is a measured figure, and the throughput
 * constants are pinned here, so a recalibration of the live constants does
 * not move these views' numbers. The memory reserve is the live one (only
 * whether an 8B model fits an H100 depends on it).
 */

export const catalog = loadCatalog();

/** Pinned overheads (round figures, not a fit); the GPUs' rates are the catalog's measured ones. */
export const FIXTURE_CALIBRATION: Calibration = {
  ...catalog.calibration,
  fittedOn: "2026-11-23",
  // Pinned over the live ones, so a constant the model gains later still has a value.
  throughput: {
    ...catalog.calibration.throughput,
    stepOverheadUs: 1500,
    layerOverheadUs: 20,
    moeLayerOverheadUs: 40,
    sequenceOverheadUs: 0,
  },
  errorBandPct: 35,
};

/** One H100 on demand at a round USD 11 an hour. */
export const NODE_PRICE: NodePrice = { hourlyUsd: 11, source: "override", reference: "node.hourlyUsd" };

/** GPT-4o's list price: USD 2.5 / 10 per 1M input / output tokens. */
export const API_PRICE: ApiPrice = {
  inputUsdPerMTok: 2.5,
  outputUsdPerMTok: 10,
  cachedInputUsdPerMTok: 1.25,
  cachedInputShare: 0,
  batchShare: 0,
  batchDiscount: 0.5,
  source: "override",
  provider: "openai",
  model: "gpt-4o",
};

/**
 * Llama 3.1 8B on one a3-highgpu-1g (on demand, USD 11/h), measured at
 * 2,000 output tok/s, utilization 0.5, against GPT-4o. One replica serves
 * 2,000 x 3,600 x 730 x 0.5 = 2.628B output tokens a month and costs
 * 11 x 730 x 1.3 = USD 10,439; ops 0.25 x 16,000 + 300 = USD 4,300.
 * The API costs USD 17.50 per 1M output tokens with 3 input tokens each.
 */
export function fixtureInputs(
  overrides: Partial<ScenarioInput> & { outputTokensPerMonth?: number } = {},
): EvaluationInputs {
  const { outputTokensPerMonth = 1.5e9, ...rest } = overrides;
  const scenario = ScenarioSchema.parse({
    model: "llama-3.1-8b-instruct",
    node: { machineType: "a3-highgpu-1g", region: "us-central1", pricing: "on-demand" },
    throughput: { outputTokensPerSecond: 2000 },
    workload: {
      inputTokensPerMonth: 3 * outputTokensPerMonth,
      outputTokensPerMonth,
      inputTokensPerRequest: 1500,
      outputTokensPerRequest: 500,
      utilization: 0.5,
    },
    ops: { fteFraction: 0.25, fteMonthlyUsd: 16000, fixedMonthlyUsd: 300, overheadPct: 30 },
    api: { provider: "openai", model: "gpt-4o" },
    ...rest,
  });
  const model = catalog.models.get(scenario.model)!;
  const machine = catalog.machineTypes.get(scenario.node.machineType)!;
  return {
    scenario,
    model,
    variant: model.weights.find((w) => w.dtype === scenario.weightDtype) ?? model.weights[0]!,
    machine,
    gpu: catalog.gpus.get(machine.gpu)!,
    nodePrice: NODE_PRICE,
    apiPrice: API_PRICE,
    calibration: FIXTURE_CALIBRATION,
    assumptions: catalog.assumptions,
    measured:
      scenario.throughput.outputTokensPerSecond === undefined
        ? undefined
        : { outputTokensPerSecond: scenario.throughput.outputTokensPerSecond, reference: "fixture" },
    today: "2026-11-23",
  };
}

/** Compares text with `test/golden/<name>`; `UPDATE_GOLDEN=1 npx vitest run ...` rewrites it. */
export function expectGolden(name: string, text: string): void {
  const file = path.join(__dirname, "golden", name);
  if (process.env.UPDATE_GOLDEN === "1") {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  expect(fs.existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1 to write it`).toBe(true);
  expect(text).toBe(fs.readFileSync(file, "utf8"));
}
