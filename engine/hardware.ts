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

/** One GPU model, from `catalog/data/gpus.yaml`. */
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
/** A GPU model. */
export type Gpu = z.infer<typeof GpuSchema>;

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
