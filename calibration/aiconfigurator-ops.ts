import * as fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { fromRoot } from "../catalog/paths";
import { expertsTouched } from "../engine/throughput";
import {
  fitLatencyLine,
  relativeLeastSquares,
  openTableSource,
  readTable,
  type TableSource,
} from "./aiconfigurator-tables";
import { hardwareEfficiencyCsv, type HardwareEfficiencyRow } from "../catalog/hardware-efficiency";

/**
 * `npm run aiconfigurator-ops -- <aiconfigurator checkout or bare mirror>`:
 * derives the capacity model's per-GPU hardware efficiencies from NVIDIA
 * aiconfigurator's per-op tables measured under vLLM
 * (ai-dynamo/aiconfigurator, Apache-2.0) and writes
 * calibration/data/hardware-efficiency.csv, one row per GPU and constant with
 * the table, the shapes, the statistic and the source path@commit. The
 * parquet is not committed; the derived file is.
 */

/**
 * The vLLM release whose tables are read: the oldest aiconfigurator measured
 * on every system (0.14.0), the nearest to the project's pinned 0.15.0 and to
 * the 0.8-0.11 releases of the calibration rows.
 */
const VLLM_TABLE_VERSION = "0.14.0";

/** Which aiconfigurator system each catalog GPU is priced from, and why. */
const SYSTEM_OF_GPU: { gpu: string; system: string; note: string }[] = [
  { gpu: "a100-80gb", system: "a100_sxm", note: "measured on this part (NVIDIA A100-SXM4-80GB)" },
  {
    gpu: "a100-40gb",
    system: "a100_sxm",
    note: "carried from A100-SXM4-80GB (same GA100 SMs and NVLink 3; HBM2 at 1555 GB/s instead of HBM2e at 2039): a share of this GPU's own peak, not measured on it",
  },
  { gpu: "h100-80gb", system: "h100_sxm", note: "measured on this part (NVIDIA H100 80GB HBM3)" },
  {
    gpu: "h100-80gb-mega",
    system: "h100_sxm",
    note: "same H100 SXM5 silicon as h100-80gb (A3 Mega differs in its network, not its GPUs)",
  },
  { gpu: "h200-141gb", system: "h200_sxm", note: "measured on this part (NVIDIA H200)" },
  {
    gpu: "l4",
    system: "l40s",
    note: "carried from L40S (same Ada SM 8.9, PCIe, no NVLink; aiconfigurator has no L4 table at this commit, data/l4 holds only .gitkeep): a share of this GPU's own peak, not measured on it",
  },
];

/** The datasheet peaks aiconfigurator's own system file gives (systems/<system>.yaml), bytes/s and FLOPS. */
interface Peaks {
  memBw: number;
  bf16: number;
  fp8?: number;
}

function readPeaks(source: TableSource, system: string): { peaks: Peaks; file: string } {
  const file = `aic-core/src/aiconfigurator_core/systems/${system}.yaml`;
  const buf = source.read(file);
  if (!buf) throw new Error(`${file} is missing in the aiconfigurator source`);
  const gpu = (parseYaml(buf.toString("utf8")) as { gpu?: Record<string, unknown> }).gpu ?? {};
  const num = (k: string) => (typeof gpu[k] === "number" ? (gpu[k] as number) : undefined);
  const memBw = num("mem_bw");
  const bf16 = num("bfloat16_tc_flops");
  if (memBw === undefined || bf16 === undefined)
    throw new Error(`${file}: gpu.mem_bw and gpu.bfloat16_tc_flops needed`);
  return { peaks: { memBw, bf16, fp8: num("fp8_tc_flops") }, file };
}

/** One derived value before it is attached to a catalog GPU. */
type Derived = Omit<HardwareEfficiencyRow, "gpu" | "system" | "source"> & { repoPath: string };

type Rows = Record<string, unknown>[];
const n = (r: Record<string, unknown>, k: string) => r[k] as number;
const s = (r: Record<string, unknown>, k: string) => r[k] as string;
const round = (x: number, digits: number) => Number(x.toPrecision(digits));

/**
 * Smallest operand a bandwidth figure is read from: well above the largest L2
 * cache of the measured GPUs (40 MB A100, 50 MB H100/H200, 96 MB L40S), since
 * a benchmark loop that re-reads a smaller operand finds it in L2, while a
 * decode step streams gigabytes of weights and KV cache through it.
 */
const MIN_STREAMED_BYTES = 256 * 2 ** 20;

/** Bytes per weight of aiconfigurator's dtype names. */
const DTYPES: Record<string, { key: "bf16" | "fp8" | "int4"; bytes: number }> = {
  bfloat16: { key: "bf16", bytes: 2 },
  fp8: { key: "fp8", bytes: 1 },
  int4_wo: { key: "int4", bytes: 0.5 },
};

/**
 * GEMM table: weight-read bandwidth from small-M GEMMs (M <= 16, weights of
 * 8 MiB or more: memory-bound, the shape of a decode step) and dense compute
 * from large GEMMs (M, N, K >= 4096), per dtype, each the slope of a latency
 * line (`fitLatencyLine`).
 */
function gemmConstants(rows: Rows, repoPath: string, peaks: Peaks): Derived[] {
  const out: Derived[] = [];
  for (const [name, dt] of Object.entries(DTYPES)) {
    const peakFlops = dt.key === "bf16" ? peaks.bf16 : dt.key === "fp8" ? peaks.fp8 : undefined;
    const of = rows.filter((r) => s(r, "gemm_dtype") === name);
    const small = of.filter((r) => n(r, "m") <= 16 && n(r, "n") * n(r, "k") * dt.bytes >= MIN_STREAMED_BYTES);
    if (small.length >= 2 && peakFlops !== undefined) {
      const line = fitLatencyLine(
        small.map((r) => ({
          x: n(r, "n") * n(r, "k") * dt.bytes + 2 * n(r, "m") * (n(r, "k") + n(r, "n")),
          y: n(r, "latency") * 1e-3,
        })),
      );
      out.push({
        constant: `weight_bandwidth.${dt.key}`,
        value: round(line.rate / peaks.memBw, 3),
        unit: "share of HBM peak",
        used_by: "decode and prefill weight reads",
        statistic: `slope of latency = a + bytes / rate over ${small.length} ${name} GEMMs with M <= 16 and N x K weights >= 256 MiB (beyond L2) (bytes = weights + activations in and out), relative least squares; intercept ${round(line.intercept * 1e6, 3)} us; over peak ${peaks.memBw / 1e9} GB/s`,
        repoPath,
      });
    }
    const large = of.filter((r) => n(r, "m") >= 4096 && n(r, "n") >= 4096 && n(r, "k") >= 4096);
    if (large.length >= 2 && small.length >= 2 && peakFlops !== undefined) {
      const line = fitLatencyLine(
        large.map((r) => ({ x: 2 * n(r, "m") * n(r, "n") * n(r, "k"), y: n(r, "latency") * 1e-3 })),
      );
      const bandwidth = out[out.length - 1]!.value * peaks.memBw;
      out.push(rooflineExponent(of, dt.bytes, bandwidth, line.rate, name, repoPath));
      out.push({
        constant: `matmul_compute.${dt.key}`,
        value: round(line.rate / peakFlops, 3),
        unit: "share of dense peak",
        used_by: "decode and prefill matmul FLOPs",
        statistic: `slope of latency = a + FLOPs / rate over ${large.length} ${name} GEMMs with M, N, K >= 4096 (FLOPs = 2 M N K), relative least squares; intercept ${round(line.intercept * 1e6, 3)} us; over peak ${peakFlops / 1e12} TFLOPS`,
        repoPath,
      });
    }
  }
  return out;
}

/**
 * How sharply a GEMM turns from memory- to compute-bound: the exponent p of
 * latency = (read^p + compute^p)^(1/p), read and compute being the weight
 * bytes and FLOPs at the rates measured above, that best fits (least squared
 * log error, p on a 0.05 grid from 1 to 8) every GEMM of the dtype whose
 * weights exceed L2, at all M. p = 1 adds the two times, large p is the bare
 * roofline max; the table's transition (M of 64 to 1024) sits in between.
 */
function rooflineExponent(
  rows: Rows,
  bytesPerWeight: number,
  bandwidth: number,
  flops: number,
  name: string,
  repoPath: string,
): Derived {
  const points = rows
    .filter((r) => n(r, "n") * n(r, "k") * bytesPerWeight >= MIN_STREAMED_BYTES)
    .map((r) => ({
      read: (n(r, "n") * n(r, "k") * bytesPerWeight + 2 * n(r, "m") * (n(r, "k") + n(r, "n"))) / bandwidth,
      compute: (2 * n(r, "m") * n(r, "n") * n(r, "k")) / flops,
      y: n(r, "latency") * 1e-3,
    }));
  const loss = (p: number) =>
    points.reduce((sum, q) => sum + Math.log((q.read ** p + q.compute ** p) ** (1 / p) / q.y) ** 2, 0);
  let best = 1;
  for (let p = 1; p <= 8 + 1e-9; p += 0.05) if (loss(p) < loss(best)) best = p;
  const dt = DTYPES[name]!;
  return {
    constant: `gemm_roofline_exponent.${dt.key}`,
    value: round(best, 3),
    unit: "exponent",
    used_by: "decode and prefill GEMM time from weight-read and matmul times",
    statistic: `p of latency = (read^p + compute^p)^(1/p) with the weight_bandwidth and matmul_compute rates above, least squared log error over ${points.length} ${name} GEMMs of every M with N x K weights >= 256 MiB; rms log error ${round(Math.sqrt(loss(best) / points.length), 3)}`,
    repoPath,
  };
}

/**
 * Decode attention (`generation_attention_perf`, one layer, no sliding
 * window, head dim 128), per KV-cache dtype. Two regimes of the table: with
 * 256 MiB of KV or more (beyond L2), the KV-read bandwidth, the slope of
 * latency against the K and V bytes (batch x (step + 1) x KV heads x head
 * dim x 2 x element bytes); with 4 MiB or less, where reading is a
 * microsecond, the fixed cost per layer and the cost per (sequence x KV
 * head) work item, a relative least-squares line against the items.
 */
function decodeAttentionConstants(rows: Rows, repoPath: string, peaks: Peaks): Derived[] {
  const out: Derived[] = [];
  for (const name of ["bfloat16", "fp8"]) {
    const dt = DTYPES[name]!;
    const items = (r: Record<string, unknown>) => n(r, "batch_size") * n(r, "num_key_value_heads");
    const kvBytes = (r: Record<string, unknown>) =>
      n(r, "batch_size") * (n(r, "step") + 1) * n(r, "num_key_value_heads") * n(r, "head_dim") * 2 * dt.bytes;
    const of = rows.filter((r) => s(r, "kv_cache_dtype") === name && !n(r, "window_size") && n(r, "head_dim") === 128);
    const big = of.filter((r) => kvBytes(r) >= MIN_STREAMED_BYTES);
    const small = of.filter((r) => kvBytes(r) <= 4 * 2 ** 20);
    if (big.length < 2 || small.length < 2) continue;
    const line = fitLatencyLine(big.map((r) => ({ x: kvBytes(r), y: n(r, "latency") * 1e-3 })));
    const [fixed, perItem] = relativeLeastSquares(
      small.map((r) => ({ features: [1, items(r)], y: n(r, "latency") * 1e-3 })),
    ) as [number, number];
    const smallHow = `of latency = fixed + per item x (batch x KV heads) over ${small.length} decode-attention calls with a ${name} KV cache of 4 MiB or less, relative least squares`;
    out.push(
      {
        constant: `kv_read_bandwidth.${dt.key}`,
        value: round(line.rate / peaks.memBw, 3),
        unit: "share of HBM peak",
        used_by: "decode KV-cache reads",
        statistic: `slope of latency = a + KV bytes / rate over ${big.length} decode-attention calls with a ${name} KV cache of 256 MiB or more (beyond L2), relative least squares; over peak ${peaks.memBw / 1e9} GB/s`,
        repoPath,
      },
      {
        constant: `decode_attention_fixed_us.${dt.key}`,
        value: round(fixed * 1e6, 3),
        unit: "us",
        used_by: "decode attention, per layer per step",
        statistic: `intercept ${smallHow}`,
        repoPath,
      },
      {
        constant: `decode_attention_item_ns.${dt.key}`,
        value: round(perItem * 1e9, 3),
        unit: "ns",
        used_by: "decode attention, per layer per sequence x KV head on the GPU",
        statistic: `slope ${smallHow}`,
        repoPath,
      },
    );
  }
  return out;
}

/**
 * Prefill attention (`context_attention_perf`, 16-bit KV, no window,
 * prompts of 1024 tokens or more): causal attention FLOPs (4 x batch x
 * heads x head dim x isl^2 / 2) over latency, as a share of the 16-bit peak.
 */
function prefillAttentionConstants(rows: Rows, repoPath: string, peaks: Peaks): Derived[] {
  const of = rows.filter((r) => s(r, "kv_cache_dtype") === "bfloat16" && !n(r, "window_size") && n(r, "isl") >= 1024);
  if (of.length < 2) return [];
  const flops = (r: Record<string, unknown>) =>
    (4 * n(r, "batch_size") * n(r, "num_heads") * n(r, "head_dim") * n(r, "isl") ** 2) / 2;
  const line = fitLatencyLine(of.map((r) => ({ x: flops(r), y: n(r, "latency") * 1e-3 })));
  return [
    {
      constant: "prefill_attention_compute.bf16",
      value: round(line.rate / peaks.bf16, 3),
      unit: "share of dense peak",
      used_by: "prefill attention FLOPs",
      statistic: `slope of latency = a + FLOPs / rate over ${of.length} causal prefill-attention calls with prompts >= 1024 tokens (FLOPs = 2 x batch x heads x head dim x isl^2), relative least squares; intercept ${round(line.intercept * 1e6, 3)} us; over peak ${peaks.bf16 / 1e12} TFLOPS`,
      repoPath,
    },
  ];
}

/**
 * vLLM's custom all-reduce under CUDA graphs (`custom_allreduce_perf`,
 * kernel `vLLM_custom_graph`, bf16) per GPU count, messages up to 32 MiB
 * (a decode step's and a prefill chunk's hidden states): the latency line's
 * intercept is the all-reduce latency, its slope against the ring's bytes
 * per GPU (message bytes x 2 (n - 1) / n) the bus bandwidth.
 */
function allReduceConstants(rows: Rows, repoPath: string): Derived[] {
  const out: Derived[] = [];
  const graph = rows.filter((r) => s(r, "kernel_source") === "vLLM_custom_graph");
  for (const gpus of [...new Set(graph.map((r) => n(r, "num_gpus")))].sort((a, b) => a - b)) {
    const of = graph.filter((r) => n(r, "num_gpus") === gpus && n(r, "message_size") * 2 <= 32 * 2 ** 20);
    if (of.length < 2) continue;
    const ring = (2 * (gpus - 1)) / gpus;
    const line = fitLatencyLine(of.map((r) => ({ x: n(r, "message_size") * 2 * ring, y: n(r, "latency") * 1e-3 })));
    const shapes = `${of.length} graph-mode bf16 all-reduces of 256 B to 32 MiB on ${gpus} GPUs, relative least squares of latency = a + bytes x 2(n-1)/n / bus bandwidth`;
    out.push(
      {
        constant: `allreduce_latency_us.tp${gpus}`,
        value: round(line.intercept * 1e6, 3),
        unit: "us",
        used_by: "two TP all-reduces per layer per step",
        statistic: `intercept of ${shapes}`,
        repoPath,
      },
      {
        constant: `allreduce_bus_gbps.tp${gpus}`,
        value: round(line.rate / 1e9, 3),
        unit: "GB/s",
        used_by: "TP all-reduce bytes",
        statistic: `slope of ${shapes}`,
        repoPath,
      },
    );
  }
  return out;
}

/** The MoE table's rows with no expert or tensor split, at one routing: balanced where measured, else power law 1.01. */
function plainMoeRows(rows: Rows): { rows: Rows; routing: string } {
  const plain = rows.filter((r) => n(r, "moe_tp_size") === 1 && n(r, "moe_ep_size") === 1);
  const routing = plain.some((r) => s(r, "distribution") === "balanced") ? "balanced" : "power_law_1.01";
  return { rows: plain.filter((r) => s(r, "distribution") === routing), routing };
}

/**
 * vLLM's fused MoE (`moe_perf`, no expert or tensor split), per expert
 * dtype: at 1-16 tokens, the expert-weight read bandwidth (slope of latency
 * against the bytes of the experts the tokens touch, E (1 - (1 - k/E)^T)
 * experts x 3 x hidden x inter) and its intercept, the fixed cost of one MoE
 * layer's kernels; at 1024 tokens or more, the expert compute (slope of
 * latency against T x k x 3 x hidden x inter x 2 FLOPs), which is far below
 * a dense GEMM's: many small per-expert GEMMs and the token permutation.
 */
function moeConstants(rows: Rows, repoPath: string, peaks: Peaks): Derived[] {
  const out: Derived[] = [];
  const { rows: plain, routing } = plainMoeRows(rows);
  for (const [name, dt] of Object.entries(DTYPES)) {
    const weights = (r: Record<string, unknown>) => 3 * n(r, "hidden_size") * n(r, "inter_size") * dt.bytes;
    const bytes = (r: Record<string, unknown>) =>
      expertsTouched(n(r, "num_experts"), n(r, "topk"), n(r, "num_tokens")) * weights(r);
    const of = plain.filter((r) => s(r, "moe_dtype") === name);
    const few = of.filter((r) => n(r, "num_tokens") <= 16 && bytes(r) >= MIN_STREAMED_BYTES / 4);
    const many = of.filter((r) => n(r, "num_tokens") >= 1024);
    const kernels = [...new Set(of.map((r) => s(r, "kernel_source")))].join(", ");
    if (few.length >= 2) {
      const line = fitLatencyLine(few.map((r) => ({ x: bytes(r), y: n(r, "latency") * 1e-3 })));
      const shapes = `${few.length} ${name} fused-MoE calls (${kernels}; 1-16 tokens touching 64 MiB of experts or more, ${routing} routing, no TP or EP split), relative least squares of latency = a + touched expert bytes / rate`;
      out.push(
        {
          constant: `moe_expert_bandwidth.${dt.key}`,
          value: round(line.rate / peaks.memBw, 3),
          unit: "share of HBM peak",
          used_by: "routed-expert weight reads",
          statistic: `slope of ${shapes}; over peak ${peaks.memBw / 1e9} GB/s`,
          repoPath,
        },
        {
          constant: `moe_layer_fixed_us.${dt.key}`,
          value: round(line.intercept * 1e6, 3),
          unit: "us",
          used_by: "reported (the fit's MoE per-layer terms include routing and dispatch outside this kernel)",
          statistic: `intercept of ${shapes}`,
          repoPath,
        },
      );
    }
    if (many.length >= 2) {
      const flops = (r: Record<string, unknown>) =>
        2 * n(r, "num_tokens") * n(r, "topk") * 3 * n(r, "hidden_size") * n(r, "inter_size");
      const line = fitLatencyLine(many.map((r) => ({ x: flops(r), y: n(r, "latency") * 1e-3 })));
      out.push({
        constant: `moe_expert_compute.${dt.key}`,
        value: round(line.rate / peaks.bf16, 3),
        unit: "share of dense peak",
        used_by: "routed-expert FLOPs",
        statistic: `slope of latency = a + FLOPs / rate over ${many.length} ${name} fused-MoE calls (${kernels}; 1024 tokens or more, ${routing} routing, no TP or EP split; FLOPs = 2 x tokens x top-k x 3 x hidden x inter), relative least squares; intercept ${round(line.intercept * 1e6, 3)} us; over the 16-bit peak ${peaks.bf16 / 1e12} TFLOPS whatever the dtype`,
        repoPath,
      });
    }
  }
  return out;
}

/** Every derived constant of one aiconfigurator system. */
async function systemConstants(
  source: TableSource,
  system: string,
): Promise<{ derived: Derived[]; peaksFile: string }> {
  const { peaks, file } = readPeaks(source, system);
  const at = (op: string, table: string) =>
    readTable(source, { system, op, framework: "vllm", version: VLLM_TABLE_VERSION, table });
  const derived: Derived[] = [];
  const steps: [string, string, (rows: Rows, repoPath: string) => Derived[]][] = [
    ["gemm", "gemm_perf", (r, p) => gemmConstants(r, p, peaks)],
    ["attention", "generation_attention_perf", (r, p) => decodeAttentionConstants(r, p, peaks)],
    ["attention", "context_attention_perf", (r, p) => prefillAttentionConstants(r, p, peaks)],
    ["comm", "custom_allreduce_perf", allReduceConstants],
    ["moe", "moe_perf", (r, p) => moeConstants(r, p, peaks)],
  ];
  for (const [op, table, derive] of steps) {
    const found = await at(op, table);
    if (found) derived.push(...derive(found.rows, found.repoPath));
  }
  return { derived, peaksFile: file };
}

/** The rows of hardware-efficiency.csv from one aiconfigurator source. */
export async function hardwareEfficiencyRows(source: TableSource): Promise<HardwareEfficiencyRow[]> {
  const bySystem = new Map<string, Awaited<ReturnType<typeof systemConstants>>>();
  const out: HardwareEfficiencyRow[] = [];
  for (const { gpu, system, note } of SYSTEM_OF_GPU) {
    if (!bySystem.has(system)) bySystem.set(system, await systemConstants(source, system));
    const { derived, peaksFile } = bySystem.get(system)!;
    for (const d of derived) {
      out.push({
        gpu,
        constant: d.constant,
        value: d.value,
        unit: d.unit,
        used_by: d.used_by,
        system,
        statistic: `${d.statistic} (peaks from ${peaksFile}); ${note}`,
        source: `github.com/ai-dynamo/aiconfigurator ${d.repoPath}@${source.commit}`,
      });
    }
  }
  return out;
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write("usage: npm run aiconfigurator-ops -- <path of an aiconfigurator checkout or bare mirror>\n");
    process.exit(2);
  }
  let source: TableSource;
  try {
    source = openTableSource(dir);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  void hardwareEfficiencyRows(source).then((rows) => {
    const file = fromRoot("calibration", "data", "hardware-efficiency.csv");
    fs.writeFileSync(file, hardwareEfficiencyCsv(rows));
    process.stdout.write(`wrote ${rows.length} rows to ${file} from aiconfigurator@${source.commit}\n`);
  });
}
