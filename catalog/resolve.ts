import { layoutRefusal } from "../engine/vllm-layout";
import type { EvaluationInputs, MeasuredThroughput } from "../engine/evaluate";
import { resolveParallelism } from "../engine/evaluate";
import type { MachineType } from "../engine/hardware";
import type { ModelConfig, WeightDtype, WeightVariant } from "../engine/model-config";
import type { Scenario } from "../engine/scenario";
import type { UsageProfile } from "../engine/fleet-evaluate";
import * as path from "node:path";
import { apiPriceFor } from "./api-prices";
import { readBenchmarkThroughput } from "./benchmark";
import { appliedLatencyTarget } from "../engine/latency-target";
import { UserInputError } from "./errors";
import type { Catalog } from "./load";
import { nodePrice } from "./prices";

/** Where a scenario came from, for error messages and relative paths. */
export interface ScenarioOrigin {
  /** The file the scenario was read from (or "stack config"). */
  file: string;
  /** Prefix of field paths in messages: "" for a scenario file, "llm-breakeven:" for stack config. */
  fieldPrefix?: string;
  /**
   * Folder that relative `throughput.fromBenchmark` paths start from (the
   * config file's). Without it benchmark files are not read: a policy sees
   * resources, not the user's files.
   */
  benchmarkDir?: string;
  /** The hourly profile of workload.fromUsage, which the fleets follow. */
  usage?: UsageProfile | undefined;
}

/** Today's date as YYYY-MM-DD in UTC. */
export function todayIso(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** A catalog entry by id, or a UserInputError naming the field and listing the valid ids. */
export function findById<T>(map: ReadonlyMap<string, T>, id: string, file: string, field: string, what: string): T {
  const found = map.get(id);
  if (found) return found;
  const known = [...map.keys()].sort();
  throw new UserInputError(file, field, `unknown ${what} ${JSON.stringify(id)}; valid: ${known.join(", ")}`);
}

/** The model's checkpoint in `dtype`, or its native (first) one when no dtype is asked for. */
export function pickVariant(
  model: ModelConfig,
  dtype: WeightDtype | undefined,
  file: string,
  field: string,
): WeightVariant {
  const variant = dtype === undefined ? model.weights[0] : model.weights.find((w) => w.dtype === dtype);
  if (variant) return variant;
  if (dtype === undefined) throw new UserInputError(file, field, `${model.id} lists no weights`);
  throw new UserInputError(
    file,
    field,
    `${model.id} ships no ${dtype} checkpoint; valid: ${model.weights.map((w) => w.dtype).join(", ")}`,
  );
}

/**
 * The workload's request against the model's context and `serving.maxModelLen`,
 * as vLLM takes them: above the model's context vLLM refuses to start, and a
 * request longer than max-model-len is rejected, so neither can be priced.
 */
function checkMaxModelLen(
  scenario: Scenario,
  maxContextTokens: number,
  modelId: string,
  file: string,
  p: string,
): void {
  const requestTokens = scenario.workload.inputTokensPerRequest + scenario.workload.outputTokensPerRequest;
  if (requestTokens > maxContextTokens) {
    throw new UserInputError(
      file,
      `${p}workload.inputTokensPerRequest`,
      `${scenario.workload.inputTokensPerRequest} input + ${scenario.workload.outputTokensPerRequest} output tokens per request exceed ${modelId}'s context of ${maxContextTokens} tokens; valid: a request of at most ${maxContextTokens} tokens`,
    );
  }
  const maxModelLen = scenario.serving.maxModelLen;
  if (maxModelLen === undefined) return;
  if (maxModelLen > maxContextTokens) {
    throw new UserInputError(
      file,
      `${p}serving.maxModelLen`,
      `${maxModelLen} is above ${modelId}'s context of ${maxContextTokens} tokens, which vLLM refuses; valid: ${requestTokens} to ${maxContextTokens}`,
    );
  }
  if (maxModelLen < requestTokens) {
    throw new UserInputError(
      file,
      `${p}serving.maxModelLen`,
      `${maxModelLen} is shorter than one request (workload.inputTokensPerRequest ${scenario.workload.inputTokensPerRequest} + outputTokensPerRequest ${scenario.workload.outputTokensPerRequest}), which vLLM would reject; valid: ${requestTokens} to ${maxContextTokens}`,
    );
  }
}

/**
 * Resolves a validated scenario against the catalogs: the model and its
 * checkpoint, the machine and GPU, the node and API prices. Every unknown id
 * or missing price is a UserInputError naming the field.
 */
export function resolveInputs(
  scenario: Scenario,
  catalog: Catalog,
  origin: ScenarioOrigin,
  today = todayIso(),
): EvaluationInputs {
  const { file } = origin;
  const p = origin.fieldPrefix ?? "";
  const model = findById(catalog.models, scenario.model, file, `${p}model`, "model (a file in model-configs/)");
  const variant = pickVariant(model, scenario.weightDtype, file, `${p}weightDtype`);
  const machine = findById(
    catalog.machineTypes,
    scenario.node.machineType,
    file,
    `${p}node.machineType`,
    "machine type",
  );
  const gpu = findById(catalog.gpus, machine.gpu, file, `${p}node.machineType`, "GPU");
  checkLayout(scenario, model, machine, file, p);
  checkMaxModelLen(scenario, model.architecture.maxContextTokens, model.id, file, p);
  const node = nodePrice(catalog.prices, scenario.node, file, catalog.priceFlags, p);
  const apiPrice = apiPriceFor(scenario, file, p);
  const measured = measuredThroughput(scenario, model, catalog, origin);
  return {
    scenario,
    model,
    variant,
    machine,
    gpu,
    nodePrice: node,
    apiPrice,
    calibration: catalog.calibration,
    assumptions: catalog.assumptions,
    measured,
    today,
    usage: origin.usage,
  };
}

/** The scenario's fields that a vLLM layout refusal names, by the setting refused. */
const LAYOUT_FIELDS = {
  tensorParallel: "node.tensorParallel",
  pipelineParallel: "node.pipelineParallel",
  gpus: "node.tensorParallel",
  blockSize: "serving.blockSize",
} as const;

/**
 * The replica's parallel layout against its machines: TP x PP fills the
 * replica's GPUs, tensor parallelism stays inside a node, and vLLM accepts
 * the layout (engine/vllm-layout.ts).
 */
function checkLayout(scenario: Scenario, model: ModelConfig, machine: MachineType, file: string, p: string): void {
  const parallel = resolveParallelism(scenario, machine);
  const gpusPerReplica = machine.gpuCount * scenario.node.nodesPerReplica;
  if (parallel.tensorParallel * parallel.pipelineParallel !== gpusPerReplica) {
    throw new UserInputError(
      file,
      `${p}node.tensorParallel`,
      `tensorParallel ${parallel.tensorParallel} x pipelineParallel ${parallel.pipelineParallel} must equal the replica's ${gpusPerReplica} GPUs (${machine.gpuCount} per ${machine.id} x nodesPerReplica ${scenario.node.nodesPerReplica})`,
    );
  }
  if (parallel.tensorParallel > machine.gpuCount) {
    throw new UserInputError(
      file,
      `${p}node.tensorParallel`,
      `${parallel.tensorParallel} exceeds the ${machine.gpuCount} GPUs of one ${machine.id}; tensor parallelism stays inside a node`,
    );
  }
  const refusal = layoutRefusal(model, { ...parallel, gpus: gpusPerReplica, blockSize: scenario.serving.blockSize });
  if (refusal) throw new UserInputError(file, `${p}${LAYOUT_FIELDS[refusal.setting]}`, refusal.message);
}

/**
 * The throughput the scenario measured, when it did: a figure it states, or
 * the benchmark files it names (read relative to the config file's folder).
 */
function measuredThroughput(
  scenario: Scenario,
  model: ModelConfig,
  catalog: Catalog,
  origin: ScenarioOrigin,
): MeasuredThroughput | undefined {
  const { file } = origin;
  const p = origin.fieldPrefix ?? "";
  if (scenario.throughput.outputTokensPerSecond !== undefined) {
    return {
      outputTokensPerSecond: scenario.throughput.outputTokensPerSecond,
      reference: `${p}throughput.outputTokensPerSecond in ${file}`,
    };
  }
  if (scenario.throughput.fromBenchmark === undefined) return undefined;
  const paths = Array.isArray(scenario.throughput.fromBenchmark)
    ? scenario.throughput.fromBenchmark
    : [scenario.throughput.fromBenchmark];
  const dir = origin.benchmarkDir;
  if (dir === undefined)
    throw new UserInputError(file, `${p}throughput.fromBenchmark`, "benchmark files cannot be read in this context");
  return readBenchmarkThroughput(
    paths.map((bench) => path.resolve(dir, bench)),
    scenario,
    model,
    `${p}throughput.fromBenchmark`,
    appliedLatencyTarget(scenario.workload, catalog.assumptions).target,
  );
}
