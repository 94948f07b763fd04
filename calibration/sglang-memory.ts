import type { Gpu } from "../engine/hardware";
import type { ThroughputRow } from "./points";

/** SGLang's default `--chunked-prefill-size` on 40-160 GiB GPUs (server_args.py). */
export const SGLANG_CHUNKED_PREFILL_TOKENS = 8192;

/**
 * SGLang's default `--mem-fraction-static`: the share of GPU memory it gives
 * weights plus KV pool (no separate reserve: what is left is its activation
 * and CUDA-graph headroom). An SGLang row ran with it, not with vLLM's
 * gpu_memory_utilization and reserve, so its KV pool, and the batch a burst
 * can hold, is SGLang's. Two rules, both from sgl-project/sglang
 * `python/sglang/srt/server_args.py`:
 *
 * - 0.5.x (`_handle_gpu_memory_settings`, PR #10975): reserve, in MiB, 512
 *   + 1.5 x chunked-prefill size (8192 on 40-160 GiB GPUs) + 2 x CUDA-graph
 *   max batch (256 below TP 4, 512 from TP 4) + TP x PP / 8 x 1024, plus
 *   3 x max batch x DP size with DP attention (and 1.5 x more above a max
 *   batch of 300); at least 10 GiB on a GPU above 60 GiB; the fraction is
 *   (memory - reserve) / memory.
 * - 0.4.x: by TP size, 0.88 (TP 1), 0.87 (TP 2), 0.85 (TP 4), 0.81 (TP 8),
 *   0.79 (TP 16).
 */
export function sglangMemFractionStatic(
  row: ThroughputRow,
  gpu: Gpu,
  tensorParallel: number,
  pipelineParallel: number,
): number {
  const version = /^(\d+)\.(\d+)/.exec(row.engine_version);
  const legacy = version !== null && Number(version[1]) === 0 && Number(version[2]) < 5;
  if (legacy) {
    if (tensorParallel >= 16) return 0.79;
    if (tensorParallel >= 8) return 0.81;
    if (tensorParallel >= 4) return 0.85;
    if (tensorParallel >= 2) return 0.87;
    return 0.88;
  }
  const memoryMiB = gpu.cudaTotalGiB * 1024;
  const chunkedPrefillTokens = SGLANG_CHUNKED_PREFILL_TOKENS;
  const cudaGraphMaxBatch = tensorParallel < 4 ? 256 : 512;
  const dpAttention = /dp-attention|dpattn/i.test(`${row.id} ${row.notes}`);
  const dpSize = Number(/--dp(?:-size)?[ =](\d+)/.exec(row.notes)?.[1] ?? 1);
  let reserveMiB =
    512 + 1.5 * chunkedPrefillTokens + 2 * cudaGraphMaxBatch + ((tensorParallel * pipelineParallel) / 8) * 1024;
  if (dpAttention) reserveMiB += cudaGraphMaxBatch * dpSize * (cudaGraphMaxBatch > 300 ? 4.5 : 3);
  if (memoryMiB > 60 * 1024) reserveMiB = Math.max(reserveMiB, 10 * 1024);
  return Math.round(((memoryMiB - reserveMiB) / memoryMiB) * 1000) / 1000;
}
