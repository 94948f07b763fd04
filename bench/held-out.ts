import type { Catalog } from "../catalog/load";
import { fitThroughput } from "../calibration/fit";
import { errorStats, readThroughputRows } from "../calibration/points";
import { engineGroup, predictThroughput, throughputCase, type ThroughputCase } from "../calibration/rows";

/** The source a row came from: its id's first word (gpustack, r1bench, inferencex, tt, wmx, vllm). */
function sourceOf(c: ThroughputCase): string {
  return c.row.id.split("-")[0]!;
}

/**
 * Leave-one-source-out: for each source, fit the throughput constants on the
 * other sources' vLLM and SGLang rows and predict this source's rows. The
 * model will be checked on measurements it has not seen; this is the error
 * to expect there, next to the in-sample one.
 */
export function heldOutCheck(catalog: Catalog): string[] {
  const cases = readThroughputRows()
    .map((r) => throughputCase(r, catalog, catalog.calibration))
    .flatMap((m) => (m.ok && engineGroup(m.case.row.engine) === "vllm+sglang" ? [m.case] : []));
  const sources = [...new Set(cases.map(sourceOf))].sort();
  const lines = ["Held out by source (fit on the other sources' vLLM+SGLang rows, predict this one's):"];
  const all: number[] = [];
  for (const source of sources) {
    const held = cases.filter((c) => sourceOf(c) === source);
    const constants = fitThroughput(cases.filter((c) => sourceOf(c) !== source));
    const errors = held.map((c) => (predictThroughput(c, constants).outputTokensPerSecond / c.row.output_tokens_per_s - 1) * 100);
    all.push(...errors);
    const s = errorStats(errors);
    lines.push(`  ${source.padEnd(12)} ${String(s.rows).padStart(3)} rows  median ${s.medianAbsPct.toFixed(1)} %  p90 ${s.p90AbsPct.toFixed(1)} %`);
  }
  const s = errorStats(all);
  lines.push(`  all held out ${String(s.rows).padStart(3)} rows  median ${s.medianAbsPct.toFixed(1)} %  p90 ${s.p90AbsPct.toFixed(1)} %`);
  return lines;
}
