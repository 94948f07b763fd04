import { estimateCapacity, type Capacity, type CapacityInputs, type ResolvedServing } from "../../engine/capacity";
import type { Gpu, MachineType } from "../../engine/hardware";
import type { RequestShape } from "../../engine/throughput";
import { replicaFigures } from "../../engine/replica-figures";
import { resolveServing } from "../../engine/evaluate";
import { WeightDtypeSchema, type ModelConfig } from "../../engine/model-config";
import { BENCHMARK_FLAGS, benchmarkProtocolOption, runServeBenchmark } from "./capacity-benchmark";
import { layoutRefusal, type RequestedLayout } from "../../engine/vllm-layout";
import { ServingSchema } from "../../engine/scenario";
import type { z } from "zod";
import { parseWith, UserInputError } from "../../catalog/errors";
import { loadCatalog, type Catalog } from "../../catalog/load";
import { findById, pickVariant } from "../../catalog/resolve";
import { num, textTable, tokens } from "../../reports/format";
import { toJson } from "../../reports/json";
import { formatOption, numberOption } from "../args";
import { defineCommand, parseCommand, type FlagValues } from "../command";
import { EXIT } from "../errors";

/** The serving flags of `capacity` and the scenario keys they set. */
const SERVING_FLAGS = {
  "gpu-memory-utilization": "gpuMemoryUtilization",
  "max-model-len": "maxModelLen",
  "max-num-seqs": "maxNumSeqs",
  "max-num-batched-tokens": "maxNumBatchedTokens",
  "kv-cache-dtype": "kvCacheDtype",
  "block-size": "blockSize",
} as const;

/** The serving flags through the scenario's own schema, a bad one named by its flag and shown as typed. */
function parseServingFlags(values: Partial<Record<keyof typeof SERVING_FLAGS, string>>): z.infer<typeof ServingSchema> {
  const raw: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(SERVING_FLAGS) as [keyof typeof SERVING_FLAGS, string][]) {
    const v = values[flag];
    if (v === undefined) continue;
    if (key === "kvCacheDtype") raw[key] = v;
    else if (Number.isFinite(Number(v)) && v.trim() !== "") raw[key] = Number(v);
    else throw new UserInputError("command line", `--${flag}`, `${JSON.stringify(v)} is not valid; expected a number`);
  }
  try {
    return parseWith(ServingSchema, raw, "command line");
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    const flag = Object.entries(SERVING_FLAGS).find(([, key]) => key === err.field)?.[0];
    if (!flag) throw err;
    const value = raw[err.field];
    throw new UserInputError(
      "command line",
      `--${flag}`,
      err.message
        .slice(`command line: ${err.field}: `.length)
        .replace(/^\S+ is not valid/, `${JSON.stringify(String(value))} is not valid`),
    );
  }
}

/** `breakeven capacity`: its flags and examples (help and parser read this). */
export const CAPACITY_COMMAND = defineCommand({
  name: "capacity",
  summary:
    "does the model fit one replica, and how many tokens a second does it serve? Memory, KV cache and a concurrency sweep.",
  arguments: [],
  flags: {
    model: {
      type: "string",
      value: "id",
      required: true,
      description: "a model of model-configs/, e.g. llama-3.1-8b-instruct",
    },
    "machine-type": {
      type: "string",
      value: "type",
      required: true,
      description: "a GCP machine type of the catalog, e.g. a3-highgpu-1g",
    },
    "weight-dtype": {
      type: "string",
      value: "dtype",
      default: "the model's first checkpoint",
      description: "the checkpoint to serve (bf16, fp8, ...)",
    },
    tp: { type: "string", value: "N", default: "every GPU of the machine", description: "tensor-parallel size" },
    pp: { type: "string", value: "N", default: "1", description: "pipeline-parallel size" },
    "input-tokens": { type: "string", value: "N", required: true, description: "input tokens of one request" },
    "output-tokens": { type: "string", value: "N", required: true, description: "output tokens of one request" },
    concurrency: {
      type: "string",
      value: "N",
      default: "the most the memory, vLLM's limits and the latency target allow",
      description: "requests in flight on the replica",
    },
    "gpu-memory-utilization": {
      type: "string",
      value: "U",
      default: "0.9, vLLM's",
      description: "vLLM --gpu-memory-utilization",
    },
    "max-model-len": {
      type: "string",
      value: "L",
      default:
        "the smaller of the model's context and 4x the request, at least 4096, lowered to the largest power of two the KV cache holds when that does not fit",
      description: "vLLM --max-model-len",
    },
    "max-num-seqs": {
      type: "string",
      value: "S",
      default: "vLLM's per-GPU default",
      description: "vLLM --max-num-seqs",
    },
    "max-num-batched-tokens": {
      type: "string",
      value: "B",
      default: "vLLM's per-GPU default",
      description: "vLLM --max-num-batched-tokens",
    },
    "kv-cache-dtype": { type: "string", value: "auto|fp8", default: "auto", description: "vLLM --kv-cache-dtype" },
    "block-size": {
      type: "string",
      value: "B",
      default: "16 (64 for MLA models, as vLLM picks)",
      description: "vLLM --block-size: 1, 8, 16, 32, 64, 128 or 256",
    },
    "vllm-version": {
      type: "string",
      value: "V",
      default: "the model's pinned release",
      description: "the vLLM release whose memory profile applies (the sampler warm-up is larger before 0.17.0)",
    },
    "min-output-tokens-per-second-per-request": {
      type: "string",
      value: "R",
      default: "none",
      description: "latency target: slowest acceptable decode speed of one request",
    },
    "max-ttft-ms": {
      type: "string",
      value: "T",
      default: "none",
      description: "latency target: longest acceptable time to first token, ms",
    },
    format: { type: "string", value: "table|json", default: "table", description: "output format" },
    ...BENCHMARK_FLAGS,
  },
  examples: [
    "breakeven capacity --model llama-3.1-8b-instruct --machine-type a3-highgpu-1g --input-tokens 1500 --output-tokens 500",
    "breakeven capacity --model qwen3-32b --machine-type a2-ultragpu-1g --input-tokens 2000 --output-tokens 400 --max-ttft-ms 2000 --format json",
    "breakeven capacity --model qwen3-8b --machine-type a3-highgpu-1g --input-tokens 220 --output-tokens 190 --num-prompts 1000 --dataset sharegpt",
  ],
});

/** The `capacity` JSON contract. */
export function capacityJson(c: Capacity, extra: Record<string, unknown>) {
  return {
    ...extra,
    ...replicaFigures(c),
    doesNotFitReason: c.memory.reason ?? null,
    maxModelLen: c.maxModelLen,
    maxModelLenNote: c.maxModelLenNote ?? null,
    kvBytesPerToken: c.memory.kvBytesPerToken,
    throughputSource: c.throughputSource,
    estimateMethod: c.estimateMethod,
    sweep: c.sweep,
  };
}

/** The parsed flags of `capacity`. */
type CapacityFlags = FlagValues<(typeof CAPACITY_COMMAND)["flags"]>;

/** The replica the flags name: model, checkpoint, machine, its GPU, the parallel layout and the request shape. */
interface ReplicaChoice {
  model: ModelConfig;
  variant: ReturnType<typeof pickVariant>;
  machine: MachineType;
  gpu: Gpu;
  tp: number;
  pp: number;
  request: RequestShape;
}

/** `breakeven capacity`: the fit and throughput of one replica. */
export function runCapacity(argv: string[]): number {
  const { values } = parseCommand(CAPACITY_COMMAND, argv);
  const format = formatOption(values.format, ["table", "json"]);
  const catalog = loadCatalog();
  const replica = replicaFromFlags(values, catalog);
  const { model, variant, machine, gpu, tp, pp, request } = replica;
  const serving = servingFromFlags(values, replica);
  const vllmVersion = vllmVersionOption(values["vllm-version"]) ?? model.serving.vllmVersion;
  const concurrency = numberOption("concurrency", values.concurrency, { integer: true, min: 1, max: 100_000 });
  const latency = latencyTargetFromFlags(values);
  const capacityInputs: CapacityInputs = {
    model,
    variant,
    gpu,
    parallel: { tensorParallel: tp, pipelineParallel: pp },
    serving,
    request,
    calibration: catalog.calibration,
    concurrency,
    latency,
    vllmVersion,
  };
  const protocol = benchmarkProtocolOption(values);
  const capacity = estimateCapacity(capacityInputs);
  const bench = protocol === undefined ? undefined : runServeBenchmark(capacityInputs, protocol);
  const title = `${model.displayName} (${variant.dtype}) on ${machine.id}, TP ${tp} PP ${pp}`;
  if (format === "json") {
    const extra = {
      model: model.id,
      weightDtype: variant.dtype,
      machineType: machine.id,
      gpu: gpu.id,
      gpus: tp * pp,
      tensorParallel: tp,
      pipelineParallel: pp,
      serving,
      vllmVersion,
      latencyTarget: latency ?? null,
      errorBandPct: catalog.calibration.errorBandPct,
      calibrationFittedOn: catalog.calibration.fittedOn,
    };
    process.stdout.write(
      `${toJson({ ...capacityJson(capacity, extra), ...(bench ? { benchmark: bench.json } : {}) })}\n`,
    );
  } else if (bench) process.stdout.write(`${title}, vLLM ${vllmVersion}\n${bench.table}\n`);
  else process.stdout.write(`${renderCapacityTable(capacity, title, catalog.calibration.errorBandPct)}\n`);
  return EXIT.ok;
}

/** The model, checkpoint, machine, GPU, layout and request the flags name, each checked against the catalog. */
function replicaFromFlags(values: CapacityFlags, catalog: Catalog): ReplicaChoice {
  const need = (name: "model" | "machine-type" | "input-tokens" | "output-tokens") => values[name] as string;
  const model = findById(catalog.models, need("model"), "command line", "--model", "model");
  const machine = findById(
    catalog.machineTypes,
    need("machine-type"),
    "command line",
    "--machine-type",
    "machine type",
  );
  const gpu = findById(catalog.gpus, machine.gpu, "command line", "--machine-type", "GPU");
  const dtype =
    values["weight-dtype"] === undefined
      ? undefined
      : parseWith(WeightDtypeSchema, values["weight-dtype"], "command line", "--weight-dtype");
  const variant = pickVariant(model, dtype, "command line", "--weight-dtype");
  const pp = numberOption("pp", values.pp, { integer: true, min: 1, max: 64 }) ?? 1;
  const tp = numberOption("tp", values.tp, { integer: true, min: 1, max: machine.gpuCount }) ?? machine.gpuCount;
  const request = {
    inputTokens: numberOption("input-tokens", need("input-tokens"), { integer: true, min: 0, max: 10_000_000 })!,
    outputTokens: numberOption("output-tokens", need("output-tokens"), { integer: true, min: 1, max: 10_000_000 })!,
  };
  return { model, variant, machine, gpu, tp, pp, request };
}

/**
 * The serving flags resolved as a scenario's would be; exit 2 naming the flag
 * when the request outgrows the model's context, --max-model-len is shorter
 * than the request, or vLLM would refuse the layout.
 */
function servingFromFlags(values: CapacityFlags, replica: ReplicaChoice): ResolvedServing {
  const { model, machine, gpu, tp, pp, request } = replica;
  const servingInput = parseServingFlags(values);
  const requestTokens = request.inputTokens + request.outputTokens;
  if (requestTokens > model.architecture.maxContextTokens)
    throw new UserInputError(
      "command line",
      "--input-tokens",
      `${request.inputTokens} input + ${request.outputTokens} output tokens exceed ${model.id}'s context of ${model.architecture.maxContextTokens} tokens`,
    );
  if (servingInput.maxModelLen !== undefined)
    numberOption("max-model-len", values["max-model-len"], {
      integer: true,
      min: requestTokens,
      max: model.architecture.maxContextTokens,
    });
  const serving = resolveServing(servingInput, request, model, gpu);
  refuseLayout(model, {
    tensorParallel: tp,
    pipelineParallel: pp,
    gpus: machine.gpuCount * Math.ceil((tp * pp) / machine.gpuCount),
    blockSize: serving.blockSize,
  });
  return serving;
}

/** The latency target of the two latency flags, or none when neither is given. */
function latencyTargetFromFlags(values: CapacityFlags): CapacityInputs["latency"] {
  const minSpeed = numberOption(
    "min-output-tokens-per-second-per-request",
    values["min-output-tokens-per-second-per-request"],
    { min: 0.001, max: 1e6 },
  );
  const maxTtft = numberOption("max-ttft-ms", values["max-ttft-ms"], { min: 0.001, max: 1e9 });
  return minSpeed === undefined && maxTtft === undefined
    ? undefined
    : { minOutputTokensPerSecondPerRequest: minSpeed, maxTimeToFirstTokenMs: maxTtft };
}

/** The flag each layout setting comes from on this command line. */
const LAYOUT_FLAGS = {
  tensorParallel: "--tp",
  pipelineParallel: "--pp",
  gpus: "--tp",
  blockSize: "--block-size",
} as const;

/** Exit 2 naming the flag when vLLM would refuse the layout (engine/vllm-layout.ts). */
function refuseLayout(model: ModelConfig, layout: RequestedLayout): void {
  const refusal = layoutRefusal(model, layout);
  if (refusal) throw new UserInputError("command line", LAYOUT_FLAGS[refusal.setting], refusal.message);
}

/** `--vllm-version`: a release such as 0.11.0 (its memory profile applies). */
function vllmVersionOption(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+\.\d+\.\d+$/.test(v))
    throw new UserInputError(
      "command line",
      "--vllm-version",
      `${JSON.stringify(v)} is not valid; expected a release such as 0.11.0`,
    );
  return v;
}

/** Plain-text capacity report with the concurrency sweep, the point used marked. */
export function renderCapacityTable(c: Capacity, title: string, errorBandPct: number): string {
  const m = c.memory;
  // When weights and reserve overflow the GPU, "usable = weights + reserve + KV" would be a false sum.
  const overflow = m.weightsGiBPerGpu + m.reserveGiBPerGpu > m.usableGiBPerGpu;
  const lines = overflow
    ? [
        title,
        `Memory per GPU: weights ${num(m.weightsGiBPerGpu, 2)} + reserve ${num(m.reserveGiBPerGpu, 2)} GiB needed, ${num(m.usableGiBPerGpu, 2)} GiB usable: no room for a KV cache`,
      ]
    : [
        title,
        `Memory per GPU: usable ${num(m.usableGiBPerGpu, 2)} GiB = weights ${num(m.weightsGiBPerGpu, 2)} + reserve ${num(m.reserveGiBPerGpu, 2)} + KV cache ${num(m.kvCacheGiBPerGpu, 2)} GiB`,
        `KV cache: ${tokens(m.kvCacheTokens)} tokens at ${num(m.kvBytesPerToken, 0)} B/token; ${num(m.maxConcurrencyAtMaxModelLen, 2)}x requests of max-model-len`,
      ];
  if (c.maxModelLenNote) lines.push(`Note: ${c.maxModelLenNote}`);
  if (!c.fits) {
    lines.push(`Does not fit: ${m.reason ?? "no KV room for one request"}`);
    return lines.join("\n");
  }
  lines.push(
    `Max concurrency at this request shape: ${c.maxConcurrency}; the point used (=>) is set by: ${c.bindingLimit}`,
  );
  if (!c.meetsLatencyTarget)
    lines.push("Even one request at a time misses the latency target: no throughput is credited.");
  lines.push(
    `Estimates, ±${errorBandPct} % (calibration p90), each the vLLM V1 scheduler simulated in a closed loop at that concurrency:`,
    "",
  );
  const rows = [["", "concurrency", "output tok/s", "per request tok/s", "TTFT ms", "bound"]];
  const points = c.sweep.some((p) => p.concurrency === c.point.concurrency)
    ? c.sweep
    : [...c.sweep, c.point].sort((a, b) => a.concurrency - b.concurrency);
  for (const p of points) {
    rows.push([
      p.concurrency === c.point.concurrency ? "=>" : "",
      String(p.concurrency),
      num(p.outputTokensPerSecond, 0),
      num(p.perRequestOutputTokensPerSecond, 1),
      num(p.ttftMs, 0),
      p.decodeBound,
    ]);
  }
  lines.push(textTable(rows, [false, true, true, true, true, false]));
  return lines.join("\n");
}
