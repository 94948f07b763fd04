import type { Catalog } from "../catalog/load";
import type { Calibration } from "../engine/calibration";
import { fitThroughput } from "../calibration/fit";
import { errorStats, readThroughputRows } from "../calibration/points";
import { engineGroup, predictThroughput, throughputCase, type ThroughputCase } from "../calibration/rows";
import { simulateRow } from "../calibration/simulate-row";

/** The source a row came from: its id's first word (gpustack, r1bench, inferencex, tt, wmx, vllm, trtllm, nim). */
function sourceOf(c: ThroughputCase): string {
  return c.row.id.split("-")[0]!;
}

/** One row's signed errors, percent: closed-form steady state and V1 scheduler simulation, with the committed constants and left-one-source-out. */
interface RowErrors {
  c: ThroughputCase;
  fitted: number;
  heldOut: number | undefined;
  simulated: number;
  simulatedHeldOut: number | undefined;
}

const errPct = (predicted: number, measured: number) => (predicted / measured - 1) * 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 1 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * Every predictable row with its errors. Left-one-source-out: for each
 * source, the throughput constants are fitted on the other sources' vLLM and
 * SGLang rows; TensorRT-LLM and NIM rows then get their engine factor from
 * the other sources' rows of that engine (none when no other source has one).
 */
function rowErrors(catalog: Catalog): RowErrors[] {
  const cal = catalog.calibration;
  const cases = readThroughputRows()
    .map((r) => throughputCase(r, catalog, cal))
    .flatMap((m) => (m.ok ? [m.case] : []));
  const fitCases = cases.filter((c) => engineGroup(c.row.engine) === "vllm+sglang");
  const factor = (c: ThroughputCase, f: Calibration["engineFactors"]) => f[engineGroup(c.row.engine)] ?? 1;
  const out = new Map<ThroughputCase, RowErrors>();
  for (const c of cases) {
    const measured = c.row.output_tokens_per_s;
    out.set(c, {
      c,
      fitted: errPct(
        predictThroughput(c, cal.throughput).outputTokensPerSecond * factor(c, cal.engineFactors),
        measured,
      ),
      heldOut: undefined,
      simulated: errPct(simulateRow(c, cal.throughput).outputTokensPerSecond * factor(c, cal.engineFactors), measured),
      simulatedHeldOut: undefined,
    });
  }
  for (const source of [...new Set(cases.map(sourceOf))].sort()) {
    const others = fitCases.filter((c) => sourceOf(c) !== source);
    const constants = others.length === fitCases.length ? cal.throughput : fitThroughput(others);
    for (const c of cases.filter((x) => sourceOf(x) === source)) {
      const group = engineGroup(c.row.engine);
      let f = 1;
      if (group !== "vllm+sglang") {
        const peers = cases.filter((x) => engineGroup(x.row.engine) === group && sourceOf(x) !== source);
        if (peers.length === 0) continue;
        f = Math.exp(
          median(
            peers.map((x) =>
              Math.log(x.row.output_tokens_per_s / predictThroughput(x, constants).outputTokensPerSecond),
            ),
          ),
        );
      }
      const e = out.get(c)!;
      e.heldOut = errPct(predictThroughput(c, constants).outputTokensPerSecond * f, c.row.output_tokens_per_s);
      e.simulatedHeldOut = errPct(simulateRow(c, constants).outputTokensPerSecond * f, c.row.output_tokens_per_s);
    }
  }
  return [...out.values()];
}

const stat = (xs: (number | undefined)[]) => {
  const ys = xs.filter((x): x is number => x !== undefined);
  if (ys.length === 0) return "        -        ";
  const s = errorStats(ys);
  return `${s.medianAbsPct.toFixed(1).padStart(6)} / ${s.p90AbsPct.toFixed(1).padStart(6)}`;
};

/** One table of median / p90 absolute error by a row attribute. */
function table(title: string, errors: RowErrors[], keyOf: (c: ThroughputCase) => string): string[] {
  const lines = [`  by ${title}:`];
  const keys = [...new Set(errors.map((e) => keyOf(e.c)))].sort();
  for (const key of keys) {
    const es = errors.filter((e) => keyOf(e.c) === key);
    lines.push(
      `    ${key.padEnd(28)} ${String(es.length).padStart(3)} rows  fitted ${stat(es.map((e) => e.fitted))}  held out ${stat(es.map((e) => e.heldOut))}  | simulated ${stat(es.map((e) => e.simulated))}  held out ${stat(es.map((e) => e.simulatedHeldOut))}`,
    );
  }
  return lines;
}

/**
 * The error tables `npm run bench` prints: per engine, then for each engine
 * group by GPU, TP and load type, the median / p90 absolute error of output
 * tok/s on the rows with the committed constants ("fitted") and
 * left-one-source-out ("held out"), for the closed-form steady state (what
 * the fit minimizes and evaluate() credits) and for the V1 scheduler
 * simulation of each row's own protocol.
 */
export function heldOutCheck(catalog: Catalog): string[] {
  const errors = rowErrors(catalog);
  const lines = [
    "Error of output tok/s, median / p90 absolute % (closed-form steady state | V1 scheduler simulation of the row's protocol):",
  ];
  lines.push(...table("engine", errors, (c) => c.row.engine));
  for (const group of ["vllm+sglang", "tensorrt-llm", "nim"] as const) {
    const es = errors.filter((e) => engineGroup(e.c.row.engine) === group);
    if (es.length === 0) continue;
    lines.push(`  ${group}:`);
    lines.push(...table("GPU", es, (c) => c.row.gpu).map((l) => `  ${l}`));
    lines.push(...table("TP", es, (c) => `TP ${c.shape.parallel.tensorParallel}`).map((l) => `  ${l}`));
    lines.push(...table("load type", es, (c) => c.row.load).map((l) => `  ${l}`));
    lines.push(...table("source", es, sourceOf).map((l) => `  ${l}`));
  }
  const vllm = errors.filter((e) => e.c.row.engine === "vllm");
  lines.push(
    `  vLLM rows (goal: held out median <= 10 %, p90 <= 25 %): ${vllm.length} rows, fitted ${stat(vllm.map((e) => e.fitted))}, held out ${stat(vllm.map((e) => e.heldOut))}; simulated ${stat(vllm.map((e) => e.simulated))}, held out ${stat(vllm.map((e) => e.simulatedHeldOut))}`,
  );
  return lines;
}
