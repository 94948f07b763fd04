import type { Catalog } from "../catalog/load";
import type { Calibration } from "../engine/calibration";
import { fitThroughput } from "../calibration/fit";
import { errorStats, median } from "../calibration/points";
import {
  FITTED_ENGINE,
  VLLM_VALIDATION,
  errorGroup,
  isFittedRow,
  predictThroughput,
  throughputCases,
  type ThroughputCase,
} from "../calibration/rows";
import { simulateRow } from "../calibration/simulate-row";

/** What a held-out fit leaves out at a time. */
type UnitOf = (c: ThroughputCase) => string;

/** The publisher a row came from: its id's first word (aic, gpustack, r1bench, inferencex, tt, wmx, vllm, trtllm, nim). */
const publisherOf: UnitOf = (c) => c.row.id.split("-")[0]!;

/**
 * The held-out unit: one measurement campaign. For NVIDIA aiconfigurator's
 * rows, which are one publisher's many runs, that is model x system x
 * backend version (the row's `campaign`, one `silicon_data_source` run);
 * for the other sources, whose rows are one table each, the publisher.
 */
const campaignOf: UnitOf = (c) => c.row.campaign ?? publisherOf(c);

/** Signed errors of one row's simulated mean TTFT and TPOT, percent, where the row measured them. */
interface LatencyErrors {
  ttft: number | undefined;
  tpot: number | undefined;
}

/** One row's signed errors, percent: closed-form steady state and V1 scheduler simulation, with the committed constants and held out. */
interface RowErrors {
  c: ThroughputCase;
  fitted: number;
  heldOut: number | undefined;
  simulated: number;
  simulatedHeldOut: number | undefined;
  latency: LatencyErrors;
  latencyHeldOut: LatencyErrors;
}

const errPct = (predicted: number, measured: number) => (predicted / measured - 1) * 100;
const NO_LATENCY: LatencyErrors = { ttft: undefined, tpot: undefined };

/** The simulation's output tok/s error and, where the row has them, its mean TTFT and TPOT errors. */
function simulated(c: ThroughputCase, constants: Calibration["throughput"], factor: number) {
  const r = simulateRow(c, constants);
  const latency: LatencyErrors = {
    ttft: c.row.ttft_ms === undefined ? undefined : errPct(r.meanTtftMs, c.row.ttft_ms),
    tpot: c.row.tpot_ms === undefined ? undefined : errPct(r.meanTpotMs, c.row.tpot_ms),
  };
  return { tokens: errPct(r.outputTokensPerSecond * factor, c.row.output_tokens_per_s), latency };
}

/** Every row's errors with the committed constants (and engine factors). */
function fittedErrors(cases: ThroughputCase[], cal: Calibration): RowErrors[] {
  return cases.map((c) => {
    const factor = cal.engineFactors[c.row.engine] ?? 1;
    const sim = simulated(c, cal.throughput, factor);
    return {
      c,
      fitted: errPct(predictThroughput(c, cal.throughput).outputTokensPerSecond * factor, c.row.output_tokens_per_s),
      heldOut: undefined,
      simulated: sim.tokens,
      simulatedHeldOut: undefined,
      latency: sim.latency,
      latencyHeldOut: NO_LATENCY,
    };
  });
}

/**
 * Fills each row's held-out errors: for each unit, the overheads are fitted
 * on the other units' vLLM rows; SGLang, TensorRT-LLM and NIM rows then get
 * their engine factor from the other units' rows of that
 * engine (none when no other unit has one).
 */
function fillHeldOut(errors: RowErrors[], cal: Calibration, unitOf: UnitOf): void {
  const cases = errors.map((e) => e.c);
  const fitCases = cases.filter(isFittedRow);
  for (const unit of [...new Set(cases.map(unitOf))].sort()) {
    const others = fitCases.filter((c) => unitOf(c) !== unit);
    const constants = others.length === fitCases.length ? cal.throughput : fitThroughput(others);
    for (const e of errors.filter((x) => unitOf(x.c) === unit)) {
      const group = e.c.row.engine;
      let f = 1;
      if (group !== FITTED_ENGINE) {
        const peers = cases.filter((x) => x.row.engine === group && unitOf(x) !== unit);
        if (peers.length === 0) continue;
        const logRatio = (x: ThroughputCase) =>
          Math.log(x.row.output_tokens_per_s / predictThroughput(x, constants).outputTokensPerSecond);
        f = Math.exp(median(peers.map(logRatio)));
      }
      e.heldOut = errPct(predictThroughput(e.c, constants).outputTokensPerSecond * f, e.c.row.output_tokens_per_s);
      const sim = simulated(e.c, constants, f);
      e.simulatedHeldOut = sim.tokens;
      e.latencyHeldOut = sim.latency;
    }
  }
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
      `    ${key.padEnd(44)} ${String(es.length).padStart(3)} rows  fitted ${stat(es.map((e) => e.fitted))}  held out ${stat(es.map((e) => e.heldOut))}  | simulated ${stat(es.map((e) => e.simulated))}  held out ${stat(es.map((e) => e.simulatedHeldOut))}`,
    );
  }
  return lines;
}

/** Mean TTFT and TPOT error of the simulation, by a row attribute, on the rows that measured them. */
function latencyTable(title: string, errors: RowErrors[], keyOf: (c: ThroughputCase) => string): string[] {
  const withLatency = errors.filter((e) => e.latency.ttft !== undefined || e.latency.tpot !== undefined);
  const lines = [`  by ${title}:`];
  for (const key of [...new Set(withLatency.map((e) => keyOf(e.c)))].sort()) {
    const es = withLatency.filter((e) => keyOf(e.c) === key);
    lines.push(
      `    ${key.padEnd(44)} ${String(es.length).padStart(3)} rows  TTFT ${stat(es.map((e) => e.latency.ttft))}  held out ${stat(es.map((e) => e.latencyHeldOut.ttft))}  | TPOT ${stat(es.map((e) => e.latency.tpot))}  held out ${stat(es.map((e) => e.latencyHeldOut.tpot))}`,
    );
  }
  return lines;
}

/** The tables for one engine group: by GPU, TP, load type and held-out unit. */
function groupTables(es: RowErrors[]): string[] {
  return [
    ...table("GPU", es, (c) => c.row.gpu),
    ...table("TP", es, (c) => `TP ${c.shape.parallel.tensorParallel}`),
    ...table("load type", es, (c) => c.row.load),
    ...table("campaign (held-out unit)", es, campaignOf),
  ].map((l) => `  ${l}`);
}

/** The goal line of one engine's rows, under one held-out unit. */
function goalLine(label: string, es: RowErrors[]): string {
  return `  ${label}: ${es.length} rows, fitted ${stat(es.map((e) => e.fitted))}, held out ${stat(es.map((e) => e.heldOut))}; simulated ${stat(es.map((e) => e.simulated))}, held out ${stat(es.map((e) => e.simulatedHeldOut))}`;
}

/**
 * The error tables `npm run bench` prints: per engine, then for each engine
 * group by GPU, TP, load type and campaign, the median / p90 absolute error
 * of output tok/s with the committed constants ("fitted") and
 * left-one-campaign-out ("held out"), for the closed-form steady state (what
 * the fit minimizes and evaluate() credits) and for the V1 scheduler
 * simulation of each row's own protocol; the simulation's mean TTFT and
 * TPOT error on the rows that measured them; and the vLLM goal line both
 * left-one-campaign-out and left-one-publisher-out (all of aiconfigurator's
 * campaigns out at once), so a campaign's siblings in the fit cannot flatter
 * the figure unseen.
 */
export function heldOutCheck(catalog: Catalog): string[] {
  const cal = catalog.calibration;
  const cases = throughputCases(catalog);
  const errors = fittedErrors(cases, cal);
  const byPublisher = errors.map((e) => ({ ...e }));
  fillHeldOut(errors, cal, campaignOf);
  fillHeldOut(byPublisher, cal, publisherOf);
  const lines = [
    "Error of output tok/s, median / p90 absolute % (closed-form steady state | V1 scheduler simulation of the row's protocol); held out = left one campaign out:",
  ];
  lines.push(...table("engine", errors, (c) => errorGroup(c.row)));
  for (const group of [FITTED_ENGINE, VLLM_VALIDATION, "sglang", "tensorrt-llm", "nim"] as const) {
    const es = errors.filter((e) => errorGroup(e.c.row) === group);
    if (es.length === 0) continue;
    lines.push(`  ${group}:`, ...groupTables(es));
  }
  lines.push("V1 scheduler simulation: mean TTFT and TPOT error, median / p90 absolute %, rows that measured them:");
  lines.push(...latencyTable("engine", errors, (c) => c.row.engine));
  lines.push(...latencyTable("campaign", errors, campaignOf));
  const vllm = (es: RowErrors[]) => es.filter((e) => isFittedRow(e.c));
  const allVllm = (es: RowErrors[]) => es.filter((e) => e.c.row.engine === FITTED_ENGINE);
  lines.push(goalLine("vLLM rows, left one campaign out (goal: held out median <= 10 %, p90 <= 25 %)", vllm(errors)));
  lines.push(
    goalLine("vLLM rows, left one publisher out (aiconfigurator's campaigns all out at once)", vllm(byPublisher)),
  );
  lines.push(goalLine("every vLLM row, validation rows included (not the goal's set)", allVllm(errors)));
  return lines;
}
