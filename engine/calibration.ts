import { z } from "zod";

/**
 * The overheads the capacity model is calibrated with (the hardware rates
 * are measured per GPU, `GpuEfficiency`, not fitted), and the record of how
 * they were fitted. Lives in `calibration/constants.json`,
 * written by `npm run calibrate`; the engine only reads it.
 */
export const CalibrationConstantsSchema = z
  .object({
    /** Fixed cost of one engine step (scheduler, sampling, launch), microseconds. */
    stepOverheadUs: z.number().nonnegative(),
    /** Fixed cost per transformer layer per step (kernel launches), microseconds. */
    layerOverheadUs: z.number().nonnegative(),
    /** Extra time per MoE layer per step for routing and expert dispatch, microseconds. */
    moeLayerOverheadUs: z.number().nonnegative(),
    /**
     * Time per sequence a decode step carries, whatever the model's size
     * (vLLM's per-request work each step: input preparation, sampling and
     * output processing, and kernels whose cost grows with the batch beyond
     * the measured GEMM, attention and all-reduce terms), microseconds.
     */
    sequenceOverheadUs: z.number().nonnegative(),
    /** Time per token per MoE layer to route it and move its hidden state to and from its experts (permute, gather, scatter), nanoseconds. */
    moeTokenOverheadNs: z.number().nonnegative(),
    /**
     * Extra time per MoE layer per step when the routed experts are AWQ or
     * GPTQ group-quantized int4 (vLLM's weight-only int4 MoE kernels,
     * `moe_wna16` or Marlin MoE, dequantize inside the GEMM), microseconds.
     * Fitted on the only such rows here (DeepSeek-R1-0528-AWQ on 8xH100 and
     * aiconfigurator's Kimi K2.5 int4 rows on 8xH200): two sources.
     */
    wna16MoeLayerOverheadUs: z.number().nonnegative(),
  })
  .strict();
/** Throughput constants. */
export type CalibrationConstants = z.infer<typeof CalibrationConstantsSchema>;

/**
 * The memory vLLM keeps outside weights and KV cache, per GPU, as a linear
 * model whose coefficients `npm run calibrate` fits on the V1 startup logs.
 */
export const ReserveConstantsSchema = z
  .object({
    /** Non-torch memory, CUDA graphs and allocator slack on one GPU with no tensor parallelism, GiB. */
    baseGiB: z.number(),
    /** Extra for NCCL buffers, communicators and the custom all-reduce once TP > 1, GiB. */
    tensorParallelGiB: z.number(),
    /** Activation peak of the profile run, bytes per batched token per unit of hidden size (x max-num-batched-tokens x hidden). */
    activationBytesPerTokenHidden: z.number(),
    /** Sampler peak on the last PP stage, bytes per sequence per vocabulary entry (warm-up samples max-num-seqs rows of the full vocabulary on every TP rank). */
    logitsBytesPerSeqVocab: z.number(),
    /**
     * Extra sampler warm-up peak of vLLM releases before
     * `legacySamplerBeforeVllm`, bytes per sequence per vocabulary entry on
     * the last PP stage (x max-num-seqs x vocabulary, on every TP rank).
     * The profile run (`profile_run` -> `_dummy_sampler_run` in
     * vllm/v1/worker/gpu_model_runner.py) samples max-num-seqs rows of the
     * full vocabulary; before 0.17 that peak was about 5.6 GiB on an H100 at
     * 1024 sequences and a 152k vocabulary whatever the model size
     * (llm-d-incubation/llm-d-planner docs/empirical-vllm-memory-results.md,
     * accuracy/results/version-sweep: 5.64 GiB in 0.16.0, 2.23 GiB in 0.17.0).
     */
    legacySamplerBytesPerSeqVocab: z.number(),
    /** First vLLM release with the small sampler peak (0.17.0 in the version sweep). */
    legacySamplerBeforeVllm: z.string().regex(/^\d+\.\d+\.\d+$/),
  })
  .strict();
/** Memory reserve constants. */
export type ReserveConstants = z.infer<typeof ReserveConstantsSchema>;

/** Error statistics of a fit, absolute percent. */
export const FitErrorSchema = z
  .object({
    rows: z.number().int().nonnegative(),
    medianAbsPct: z.number().nonnegative(),
    p90AbsPct: z.number().nonnegative(),
  })
  .strict();

/** The calibration file. */
export const CalibrationSchema = z
  .object({
    version: z.literal(1),
    /** Date the constants were fitted. */
    fittedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    throughput: CalibrationConstantsSchema,
    reserve: ReserveConstantsSchema,
    /**
     * Output-throughput ratio of other engines over vLLM at the same point,
     * fitted on their rows; used only to compare their measurements, never to
     * price a vLLM deployment.
     */
    engineFactors: z.record(z.string(), z.number().positive()),
    /** Ids of the measurement rows the constants were fitted on. */
    fittedOnRows: z.array(z.string()),
    /** Error of the fit by engine (`throughput:vllm`, `throughput:sglang`, ...) and of the memory model. */
    fitError: z.record(z.string(), FitErrorSchema),
    /** The error band quoted next to every estimate, percent (p90 of the vLLM rows). */
    errorBandPct: z.number().nonnegative(),
  })
  .strict();
/** A validated calibration. */
export type Calibration = z.infer<typeof CalibrationSchema>;
