import { parse } from "csv-parse/sync";
import { z } from "zod";
import { GpuEfficiencySchema, type GpuEfficiency } from "../engine/hardware";
import { parseWith, UserInputError } from "./errors";

/**
 * calibration/data/hardware-efficiency.csv: per GPU, the efficiencies the
 * capacity model uses as they are (written by `npm run aiconfigurator-ops`
 * from NVIDIA aiconfigurator's per-op vLLM tables; its README section says
 * how). Read here and attached to each catalog GPU.
 */

/** The file's columns, in order. */
export const HARDWARE_EFFICIENCY_COLUMNS = [
  "gpu",
  "constant",
  "value",
  "unit",
  "used_by",
  "system",
  "statistic",
  "source",
] as const;

/** One row: a GPU's value of one constant, how it was derived and from what. */
export const HardwareEfficiencyRowSchema = z
  .object({
    gpu: z.string().min(1),
    /** `family.variant`: weight_bandwidth.bf16, allreduce_latency_us.tp8, ... */
    constant: z.string().regex(/^[a-z_]+\.[a-z0-9]+$/),
    value: z.coerce.number().finite().nonnegative(),
    unit: z.enum(["share of HBM peak", "share of dense peak", "us", "ns", "GB/s", "exponent", "count"]),
    /** The engine term that reads it, or "reported ..." when none does. */
    used_by: z.string().min(1),
    /** aiconfigurator system folder measured (systems/data/<system>). */
    system: z.string().min(1),
    /** Which table, which shapes, which statistic. */
    statistic: z.string().min(20),
    /** Repository, path and commit of the table. */
    source: z.string().regex(/^github\.com\/ai-dynamo\/aiconfigurator \S+\.parquet@[0-9a-f]{40}$/),
  })
  .strict();
/** A row of hardware-efficiency.csv. */
export type HardwareEfficiencyRow = z.infer<typeof HardwareEfficiencyRowSchema>;

const quote = (v: string | number) => {
  const text = String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The CSV text of `rows` (RFC 4180 quoting), header first. */
export function hardwareEfficiencyCsv(rows: HardwareEfficiencyRow[]): string {
  const lines = [HARDWARE_EFFICIENCY_COLUMNS.join(",")];
  for (const r of rows) lines.push(HARDWARE_EFFICIENCY_COLUMNS.map((c) => quote(r[c])).join(","));
  return `${lines.join("\n")}\n`;
}

/** Parses the CSV text; `file` names it in errors. */
export function parseHardwareEfficiencyCsv(text: string, file: string): HardwareEfficiencyRow[] {
  const records = parse(text, { columns: true, skip_empty_lines: true }) as unknown[];
  const rows = records.map((r, i) => parseWith(HardwareEfficiencyRowSchema, r, `${file} row ${i + 2}`));
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.gpu} ${r.constant}`;
    if (seen.has(key)) throw new UserInputError(file, "constant", `${key} appears twice`);
    seen.add(key);
  }
  return rows;
}

/**
 * One GPU's efficiencies from the rows: shares by dtype, and the all-reduce
 * latency and bus bandwidth of every measured GPU count. Throws naming the
 * GPU and the missing constant when the file lacks one the engine needs.
 */
export function gpuEfficiency(rows: HardwareEfficiencyRow[], gpu: string, file: string): GpuEfficiency {
  const mine = new Map(rows.filter((r) => r.gpu === gpu).map((r) => [r.constant, r.value]));
  const need = (constant: string) => {
    const v = mine.get(constant);
    if (v === undefined) throw new UserInputError(file, "constant", `GPU ${gpu} has no ${constant} row`);
    return v;
  };
  const byDtype = (family: string, keys: string[]) =>
    Object.fromEntries(keys.flatMap((k) => (mine.has(`${family}.${k}`) ? [[k, mine.get(`${family}.${k}`)]] : [])));
  const gpuCounts = [...mine.keys()]
    .flatMap((k) => /^allreduce_latency_us\.tp(\d+)$/.exec(k)?.[1] ?? [])
    .map(Number)
    .sort((a, b) => a - b);
  const efficiency = {
    weightBandwidth: { ...byDtype("weight_bandwidth", ["fp8"]), bf16: need("weight_bandwidth.bf16") },
    matmulCompute: { ...byDtype("matmul_compute", ["fp8"]), bf16: need("matmul_compute.bf16") },
    gemmRooflineExponent: { ...byDtype("gemm_roofline_exponent", ["fp8"]), bf16: need("gemm_roofline_exponent.bf16") },
    kvReadBandwidth: { ...byDtype("kv_read_bandwidth", ["fp8"]), bf16: need("kv_read_bandwidth.bf16") },
    decodeAttention: {
      bf16: { fixedUs: need("decode_attention_fixed_us.bf16"), itemNs: need("decode_attention_item_ns.bf16") },
      ...(mine.has("decode_attention_fixed_us.fp8")
        ? { fp8: { fixedUs: need("decode_attention_fixed_us.fp8"), itemNs: need("decode_attention_item_ns.fp8") } }
        : {}),
    },
    prefillAttentionCompute: need("prefill_attention_compute.bf16"),
    moeExpertBandwidth: {
      ...byDtype("moe_expert_bandwidth", ["fp8", "int4"]),
      bf16: need("moe_expert_bandwidth.bf16"),
    },
    moeExpertCompute: { ...byDtype("moe_expert_compute", ["fp8", "int4"]), bf16: need("moe_expert_compute.bf16") },
    allReduce: gpuCounts.map((g) => ({
      gpus: g,
      latencyUs: need(`allreduce_latency_us.tp${g}`),
      busGBps: need(`allreduce_bus_gbps.tp${g}`),
    })),
  };
  return parseWith(GpuEfficiencySchema, efficiency, `${file} (GPU ${gpu})`);
}
