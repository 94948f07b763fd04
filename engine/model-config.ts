import { z } from "zod";

/**
 * An image pinned by digest: `repository[:tag]@sha256:<64 hex>`, the form a
 * registry cannot move (OCI image spec, descriptor digests). One home for the
 * model configs, the program's config and the pinned-versions policy.
 */
export const IMAGE_BY_DIGEST = /^[\w.\-/:]+@sha256:[0-9a-f]{64}$/;

/**
 * Weight formats a checkpoint can ship in. `int4` is a generic group-quantized
 * 4-bit format (compressed-tensors pack-quantized, as Kimi K2.5 ships);
 * `awq-int4` and `gptq-int4` are the AutoAWQ and GPTQ checkpoints vLLM loads
 * with `--quantization awq|gptq`; `nvfp4` is NVIDIA's FP4 with an FP8 scale
 * per 16 weights.
 */
export const WeightDtypeSchema = z.enum(["bf16", "fp16", "fp8", "int8", "int4", "awq-int4", "gptq-int4", "nvfp4"]);
/** A weight format, e.g. `"bf16"` or `"fp8"`. */
export type WeightDtype = z.infer<typeof WeightDtypeSchema>;

/** The parts of a model that a quantized checkpoint may keep in 16-bit. */
export const ModulePartSchema = z.enum([
  "embeddings",
  "lm_head",
  "attention",
  "dense_mlp",
  "shared_experts",
  "routed_experts",
  "router",
]);
/** One part of a model, e.g. `"lm_head"`. */
export type ModulePart = z.infer<typeof ModulePartSchema>;

const positiveInt = z.number().int().positive();
const url = z.string().url();

/** Multi-head latent attention (DeepSeek-V3, Kimi K2): the KV cache holds one latent per token and layer. */
export const MlaSchema = z
  .object({
    kvLoraRank: positiveInt,
    /** null where the model projects queries without a low-rank step. */
    qLoraRank: positiveInt.nullable(),
    qkRopeHeadDim: positiveInt,
    qkNopeHeadDim: positiveInt,
    vHeadDim: positiveInt,
  })
  .strict();

/** Mixture-of-experts shape, from config.json. */
export const MoeSchema = z
  .object({
    numExperts: positiveInt,
    numExpertsPerToken: positiveInt,
    numSharedExperts: z.number().int().nonnegative().default(0),
    /** Width of one expert's MLP (`moe_intermediate_size`, or `intermediate_size` for Mixtral). */
    moeIntermediateSize: positiveInt,
    /** Leading layers with a dense MLP instead of experts (`first_k_dense_replace`). */
    firstKDenseLayers: z.number().int().nonnegative().default(0),
  })
  .strict();

/** Interleaved sliding-window attention (Gemma 2/3): most layers keep only `windowTokens` of KV. */
export const SlidingWindowSchema = z
  .object({
    windowTokens: positiveInt,
    /** One global (full-context) layer every N layers; 2 for Gemma 2, 6 for Gemma 3. */
    globalLayerEvery: positiveInt,
  })
  .strict();

/** Architecture numbers, each copied from the model's published config.json. */
export const ArchitectureSchema = z
  .object({
    /** Where these numbers were read: the config.json URL at a revision. */
    source: url,
    numLayers: positiveInt,
    hiddenSize: positiveInt,
    /** Dense MLP width (`intermediate_size`); for MoE models, the width of the dense layers. */
    intermediateSize: positiveInt,
    numAttentionHeads: positiveInt,
    numKeyValueHeads: positiveInt,
    /** The config's `head_dim`, which is not always hidden_size / heads. */
    headDim: positiveInt,
    vocabSize: positiveInt,
    maxContextTokens: positiveInt,
    tieWordEmbeddings: z.boolean(),
    /** Whether the Q, K, V projections carry a bias (Qwen2). */
    qkvBias: z.boolean().default(false),
    mla: MlaSchema.optional(),
    moe: MoeSchema.optional(),
    slidingWindow: SlidingWindowSchema.optional(),
    /**
     * Parameters of the vision encoder and projector a multimodal checkpoint
     * loads with the language model (vLLM loads them even for text-only
     * serving); counted from the config's `vision_config`. Absent for text-only models.
     */
    visionEncoderParams: positiveInt.optional(),
  })
  .strict();

/** Published parameter counts, in billions. */
export const ParamsSchema = z
  .object({
    /** Where the counts were read: usually the model card. */
    source: url,
    totalBillions: z.number().positive(),
    /** Parameters used per token; equal to the total for a dense model. */
    activeBillions: z.number().positive(),
  })
  .strict();

/** One checkpoint the model ships in. */
export const WeightVariantSchema = z
  .object({
    dtype: WeightDtypeSchema,
    /** The Hugging Face repository holding this checkpoint. */
    huggingFaceRepo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "owner/name"),
    /** A commit of that repository, so the deployment loads what was priced. */
    revision: z.string().min(1),
    /** Group size of a group-quantized format (int4: 32 for Kimi K2.5, 128 for most AWQ/GPTQ). */
    groupSize: positiveInt.optional(),
    /** Parts the checkpoint keeps in 16-bit although `dtype` is lower. */
    unquantized: z.array(ModulePartSchema).default([]),
    /** vLLM `--quantization` value when the checkpoint needs one; omitted when vLLM reads it from the checkpoint. */
    vllmQuantization: z.string().optional(),
    source: url,
  })
  .strict();

/** The exact versions a deployment of this model is pinned to. */
export const ServingPinsSchema = z
  .object({
    vllmVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "a release such as 0.15.0"),
    /** Image by digest: `repository@sha256:<64 hex>` (a tag may precede the digest). */
    vllmImage: z
      .string()
      .regex(IMAGE_BY_DIGEST, "an image pinned by digest, e.g. vllm/vllm-openai:v0.15.0@sha256:<64 hex>"),
    /** NVIDIA driver, an exact release such as 580.95.05. */
    nvidiaDriverVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/, "an exact driver release such as 580.95.05"),
    /** NCCL installed into the serving image (`nvidia-nccl-cu12==<this>`). */
    ncclVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "a release such as 2.29.3"),
    extraVllmArgs: z.array(z.string()).default([]),
    /** Why these pins: the report or release notes that show they work together. */
    source: url,
  })
  .strict();

/** A model the project can price and deploy: one `model-configs/<id>.yaml`. */
export const ModelConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, "lower-case letters, digits, dots and dashes"),
    displayName: z.string().min(1),
    license: z.string().min(1),
    architecture: ArchitectureSchema,
    params: ParamsSchema,
    /** The checkpoints; the first is the model's native (default) precision. */
    weights: z.array(WeightVariantSchema).min(1),
    serving: ServingPinsSchema,
    notes: z.string().optional(),
  })
  .strict()
  .superRefine((model, ctx) => {
    const seen = new Set<string>();
    model.weights.forEach((variant, index) => {
      if (seen.has(variant.dtype)) {
        ctx.addIssue({
          code: "custom",
          path: ["weights", index, "dtype"],
          message: `dtype ${variant.dtype} is listed twice`,
        });
      }
      seen.add(variant.dtype);
    });
    if (model.params.activeBillions > model.params.totalBillions) {
      ctx.addIssue({
        code: "custom",
        path: ["params", "activeBillions"],
        message: "active parameters exceed the total",
      });
    }
  });

/** A validated model config. */
export type ModelConfig = z.infer<typeof ModelConfigSchema>;
/** One checkpoint of a model. */
export type WeightVariant = z.infer<typeof WeightVariantSchema>;
