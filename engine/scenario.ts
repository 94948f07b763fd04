import { z } from "zod";
import { WeightDtypeSchema } from "./model-config";
import { HOURS_PER_MONTH } from "./units";

/**
 * The scenario: what to serve, on what, for how much traffic, against which
 * API. One schema serves the CLI's scenario YAML and the Pulumi stack config
 * (each top-level key is a `llm-breakeven:<key>` config value). Every field's
 * default is named in its description; `.strict()` everywhere so a typo in a
 * key is an error, not a silently ignored setting.
 */

/** Pricing models GCP sells GPU machines under. */
export const PricingModelSchema = z.enum(["spot", "on-demand", "commit-1y", "commit-3y"]);
/** A GCP pricing model, e.g. `"spot"`. */
export type PricingModel = z.infer<typeof PricingModelSchema>;

const nonNegative = z.number().finite().nonnegative();
const positive = z.number().finite().positive();
const share = z.number().finite().min(0).max(1);

/** The GPU nodes one replica runs on. */
export const NodeSchema = z
  .object({
    /** GCP machine type, e.g. `a3-highgpu-8g`. Required. */
    machineType: z.string().min(1),
    /** GCP region used for the price. Defaults to `us-central1`. */
    region: z.string().min(1).default("us-central1"),
    /** Defaults to `spot`. */
    pricing: PricingModelSchema.default("spot"),
    /** Override of the catalog's price, USD per node-hour. Defaults to the catalog price. */
    hourlyUsd: positive.optional(),
    /** Nodes one replica spans (pipeline parallel across nodes). Defaults to 1. */
    nodesPerReplica: z.number().int().positive().default(1),
    /** Tensor-parallel size inside a node. Defaults to every GPU of the node. */
    tensorParallel: z.number().int().positive().optional(),
    /** Pipeline-parallel size. Defaults to `nodesPerReplica`. */
    pipelineParallel: z.number().int().positive().optional(),
    /** Spot preemptions per node per day. Defaults to 0.5 for spot, 0 otherwise. */
    preemptionsPerDay: nonNegative.optional(),
    /** Minutes from preemption until the replica serves again. Defaults to the engine's estimate (VM, driver, image pull, weight load). */
    coldStartMinutes: positive.optional(),
  })
  .strict();

/** Replica bounds of the deployment. */
export const ReplicasSchema = z
  .object({
    /** Replicas kept running whatever the volume. Defaults to 1. */
    min: z.number().int().nonnegative().default(1),
    /** Most replicas the autoscaler may add. Defaults to 4. */
    max: z.number().int().positive().default(4),
  })
  .strict()
  .refine((r) => r.max >= r.min, { message: "replicas.max must be at least replicas.min", path: ["max"] });

/** Measured throughput, which wins over the estimate. */
export const ThroughputSchema = z
  .object({
    /** Measured output tokens a second for one replica at the workload's load. */
    outputTokensPerSecond: positive.optional(),
    /** One or more `vllm bench serve --save-result` JSON files (a concurrency sweep); relative to the config file. */
    fromBenchmark: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .strict()
  .refine((t) => !(t.outputTokensPerSecond !== undefined && t.fromBenchmark !== undefined), {
    message: "give either outputTokensPerSecond or fromBenchmark, not both",
  });

/** Latency the product needs; throughput is credited only where both hold. */
export const LatencySchema = z
  .object({
    /** Slowest acceptable decode speed of one request (1000 / TPOT ms). */
    minOutputTokensPerSecondPerRequest: positive.optional(),
    /** Longest acceptable time to first token, ms. */
    maxTimeToFirstTokenMs: positive.optional(),
  })
  .strict();

/**
 * Who waits for the tokens. `interactive` (a person reading a reply) is sized
 * against a latency target, the default one of catalog/data/assumptions.yaml
 * when `latency` is absent; `batch` (nobody waits) is credited at peak throughput.
 */
export const WorkloadKindSchema = z.enum(["interactive", "batch"]);

/** Usage exports the workload comes from: the volumes, request sizes and hourly profile are derived from them. */
export const FromUsageSchema = z
  .object({
    /** Usage export files (see `breakeven workload`), relative to the config file. Required. */
    files: z.array(z.string().min(1)).min(1),
    /** Models whose traffic the stack would replace. Defaults to every model in the files. */
    models: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** The traffic to serve. */
export const WorkloadSchema = z
  .object({
    /** `interactive` or `batch`. Defaults to `interactive`. */
    kind: WorkloadKindSchema.default("interactive"),
    /** Input (prompt) tokens a month. Required. */
    inputTokensPerMonth: nonNegative,
    /** Output (generated) tokens a month. Required. */
    outputTokensPerMonth: positive,
    /** Mean input tokens of one request; sets the API price tier and the KV cache per request. Required. */
    inputTokensPerRequest: z.number().int().nonnegative(),
    /** Mean output tokens of one request. Required. */
    outputTokensPerRequest: z.number().int().positive(),
    /** Share of provisioned capacity the traffic really uses (bursts, idle nights). Defaults to 0.6. */
    utilization: z.number().finite().gt(0).max(1).default(0.6),
    /** Hours the fleet runs a month. Defaults to 730 (a month of 24/7). */
    hoursPerMonth: z.number().finite().positive().max(744).default(HOURS_PER_MONTH),
    /** The latency the product needs. Defaults, for an interactive workload, to the published chat target in catalog/data/assumptions.yaml. */
    latency: LatencySchema.optional(),
    /** Extra tokens the self-hosted side serves that the API bill does not show (retries, safety passes), %. Defaults to 0. */
    tokenOverheadPct: z.number().finite().min(0).max(500).default(0),
    /** Usage exports the volumes were derived from (relative to the config file); the loader fills the volumes in. */
    fromUsage: FromUsageSchema.optional(),
  })
  .strict();

/** Costs beyond compute. */
export const OpsSchema = z
  .object({
    /** Share of an engineer who runs the stack. Defaults to 0.25. */
    fteFraction: nonNegative.default(0.25),
    /** Loaded monthly cost of that engineer, USD. Defaults to 16000. */
    fteMonthlyUsd: nonNegative.default(16000),
    /** Monitoring and other fixed costs, USD a month. Defaults to 300. */
    fixedMonthlyUsd: nonNegative.default(300),
    /** Overhead on compute for storage, software, safety passes, evals, %. Defaults to 30. */
    overheadPct: z.number().finite().min(0).max(500).default(30),
    /** One-time cost of moving to self-hosting (migration, setup, the first debugging days), USD. Defaults to 0. */
    oneTimeUsd: nonNegative.default(0),
    /** Months the one-time cost is spread over. Defaults to 12. */
    amortizeMonths: z.number().int().positive().max(120).default(12),
  })
  .strict();

/** The API the self-hosted stack is compared with. */
export const ApiSchema = z
  .object({
    /** Provider id as @pydantic/genai-prices names it (`google`, `openai`, `anthropic`, `groq`, ...). Required. */
    provider: z.string().min(1),
    /** Model id as @pydantic/genai-prices names it, e.g. `gemini-3-pro-preview`. Required. */
    model: z.string().min(1),
    /** Override: USD per 1M input tokens. Defaults to the library's price at the workload's request shape. */
    inputUsdPerMTok: nonNegative.optional(),
    /** Override: USD per 1M output tokens. */
    outputUsdPerMTok: nonNegative.optional(),
    /** Override: USD per 1M cached input tokens. Defaults to the library's cache-read price, else 10 % of input. */
    cachedInputUsdPerMTok: nonNegative.optional(),
    /** Share of input tokens served from the provider's prompt cache. Defaults to 0. */
    cachedInputShare: share.default(0),
    /** Share of traffic sent through the batch API. Defaults to 0. */
    batchShare: share.default(0),
    /** Discount of the batch API. Defaults to 0.5. */
    batchDiscount: share.default(0.5),
    /** False when privacy or residency rules forbid the API; the verdict then says so. Defaults to true. */
    allowed: z.boolean().default(true),
  })
  .strict()
  .refine((a) => (a.inputUsdPerMTok === undefined) === (a.outputUsdPerMTok === undefined), {
    message: "override both inputUsdPerMTok and outputUsdPerMTok, or neither",
    path: ["outputUsdPerMTok"],
  });

/** vLLM's own settings; the model sizes with them and the deployment passes them as arguments. */
export const ServingSchema = z
  .object({
    /** `--gpu-memory-utilization`. Defaults to 0.9 (vLLM's default). */
    gpuMemoryUtilization: z.number().finite().gt(0).max(1).default(0.9),
    /** `--max-model-len`. Defaults to the smaller of the model's context and 4x the workload's request. */
    maxModelLen: z.number().int().positive().optional(),
    /** `--max-num-seqs`. Defaults to vLLM's per-GPU default (1024 on H100/H200, 256 on A100/L4). */
    maxNumSeqs: z.number().int().positive().optional(),
    /** `--max-num-batched-tokens`. Defaults to vLLM's per-GPU default for `vllm serve` (8192 on H100/H200, 2048 on A100/L4). */
    maxNumBatchedTokens: z.number().int().positive().optional(),
    /** `--kv-cache-dtype`. Defaults to `auto` (the model's dtype). */
    kvCacheDtype: z.enum(["auto", "fp8"]).default("auto"),
    /** `--block-size`. Defaults to 16 (vLLM picks 64 for MLA itself). */
    blockSize: z.number().int().positive().default(16),
  })
  .strict();

/** A whole scenario, as written in YAML or stack config. */
export const ScenarioSchema = z
  .object({
    /** Id of a file in `model-configs/`. Required. */
    model: z.string().min(1),
    /** Weight format to serve; defaults to the model's native one. */
    weightDtype: WeightDtypeSchema.optional(),
    node: NodeSchema,
    // `.prefault({})` parses an absent block as `{}` through its schema, so each
    // field's own default applies; zod 4's `.default({...})` would skip them.
    replicas: ReplicasSchema.prefault({}),
    throughput: ThroughputSchema.prefault({}),
    workload: WorkloadSchema,
    ops: OpsSchema.prefault({}),
    api: ApiSchema,
    serving: ServingSchema.prefault({}),
  })
  .strict();

/** A scenario with every default applied. */
export type Scenario = z.infer<typeof ScenarioSchema>;
/** A scenario as a user may write it (defaults not yet applied). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** The scenario's top-level keys: the `llm-breakeven:` stack config keys. */
export const SCENARIO_KEYS = Object.keys(ScenarioSchema.shape) as (keyof Scenario)[];
