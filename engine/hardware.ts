import { z } from "zod";

/** Dense TFLOPS by compute dtype; a GPU lists only the dtypes it runs natively. */
export const DenseTflopsSchema = z
  .object({
    bf16: z.number().positive(),
    fp16: z.number().positive(),
    fp8: z.number().positive().optional(),
    int8: z.number().positive().optional(),
  })
  .strict();

const share = z.number().gt(0).max(1);

/**
 * Measured shares of a GPU's datasheet peaks (and its all-reduce costs), by
 * the weight or KV dtype they were measured in. Derived from NVIDIA
 * aiconfigurator's per-op tables measured under vLLM by
 * `npm run aiconfigurator-ops` into calibration/data/hardware-efficiency.csv
 * (each value with its table, shapes, statistic and source commit); the
 * capacity model uses them as they are, never fits them.
 */
export const GpuEfficiencySchema = z
  .object({
    /** Weight-read bandwidth of memory-bound (small-M) GEMMs, share of HBM peak, by weight dtype. */
    weightBandwidth: z.object({ bf16: share, fp8: share.optional() }).strict(),
    /** Dense compute of large GEMMs, share of the dtype's dense peak. */
    matmulCompute: z.object({ bf16: share, fp8: share.optional() }).strict(),
    /** Exponent p of the GEMM time (read^p + compute^p)^(1/p) that fits the measured GEMMs of every M, by weight dtype. */
    gemmRooflineExponent: z.object({ bf16: z.number().min(1), fp8: z.number().min(1).optional() }).strict(),
    /** KV-cache read bandwidth of decode attention, share of HBM peak, by KV-cache dtype. */
    kvReadBandwidth: z.object({ bf16: share, fp8: share.optional() }).strict(),
    /** Decode attention's fixed cost per layer and cost per (sequence x KV head on the GPU), by KV-cache dtype. */
    decodeAttention: z
      .object({
        bf16: z.object({ fixedUs: z.number().nonnegative(), itemNs: z.number().nonnegative() }).strict(),
        fp8: z.object({ fixedUs: z.number().nonnegative(), itemNs: z.number().nonnegative() }).strict().optional(),
      })
      .strict(),
    /** Causal prefill attention compute, share of the 16-bit dense peak. */
    prefillAttentionCompute: share,
    /** Routed-expert weight-read bandwidth of vLLM's fused MoE kernels at few tokens, share of HBM peak, by expert dtype. */
    moeExpertBandwidth: z.object({ bf16: share, fp8: share.optional(), int4: share.optional() }).strict(),
    /** Routed-expert compute of vLLM's fused MoE kernels at many tokens, share of the 16-bit dense peak, by expert dtype. */
    moeExpertCompute: z.object({ bf16: share, fp8: share.optional(), int4: share.optional() }).strict(),
    /** vLLM custom all-reduce per GPU count: fixed latency and bus bandwidth (ring bytes per GPU per second). */
    allReduce: z
      .array(
        z
          .object({
            gpus: z.number().int().min(2),
            latencyUs: z.number().nonnegative(),
            busGBps: z.number().positive(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
/** A GPU's measured efficiencies. */
export type GpuEfficiency = z.infer<typeof GpuEfficiencySchema>;

/** One GPU model as `catalog/data/gpus.yaml` gives it (datasheet figures and vLLM defaults). */
export const GpuSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    /** The `cloud.google.com/gke-accelerator` value and node-pool accelerator type. */
    gkeAccelerator: z.string().min(1),
    hbmGB: z.number().positive(),
    /** Memory CUDA reports as total; vLLM's `gpu_memory_utilization` is a share of this. */
    cudaTotalGiB: z.number().positive(),
    memoryBandwidthGBps: z.number().positive(),
    denseTflops: DenseTflopsSchema,
    /** GPU-to-GPU bandwidth inside a node, one direction, GB/s (NVLink, or PCIe). */
    interconnectGBps: z.number().positive(),
    /** vLLM's default `--max-num-seqs` on this GPU. */
    vllmDefaultMaxNumSeqs: z.number().int().positive(),
    /** vLLM's default `--max-num-batched-tokens` for `vllm serve` on this GPU. */
    vllmDefaultMaxNumBatchedTokens: z.number().int().positive(),
    source: z.string().min(1),
    cudaTotalSource: z.string().min(1),
  })
  .strict();
/** A GPU model's datasheet entry. */
export type GpuSpec = z.infer<typeof GpuSchema>;
/** A GPU model: its datasheet entry and the efficiencies measured on it (attached by the catalog loader). */
export type Gpu = GpuSpec & { efficiency: GpuEfficiency };

/** One GCP machine type, from `catalog/data/machine-types.yaml`. */
export const MachineTypeSchema = z
  .object({
    id: z.string().min(1),
    /** Id of a GPU in the GPU catalog. */
    gpu: z.string().min(1),
    gpuCount: z.number().int().positive(),
    vcpu: z.number().int().positive(),
    memoryGB: z.number().positive(),
    localSsdGB: z.number().nonnegative(),
  })
  .strict();
/** A GCP machine type. */
export type MachineType = z.infer<typeof MachineTypeSchema>;
