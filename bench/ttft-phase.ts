import type { Catalog } from "../catalog/load";
import { errorStats, median } from "../calibration/points";
import { isFittedRow, throughputCases } from "../calibration/rows";
import { simulateRow } from "../calibration/simulate-row";
import { simulatedSteadyState } from "../engine/steady-state";

/**
 * Mean TTFT of the fixed-concurrency vLLM rows two ways: replaying the row's
 * protocol from its opening burst (fixed-length requests then stay in
 * lockstep, so each turnover's prompts queue behind each other) and the
 * evenly spread closed-loop steady state that evaluate() credits
 * (engine/steady-state.ts). Signed medians say which way each errs; the
 * measured TTFTs sit between when clients' jitter partly spreads the lockstep.
 */
export function ttftPhaseCheck(catalog: Catalog): string[] {
  const cal = catalog.calibration;
  const cases = throughputCases(catalog)
    .filter(isFittedRow)
    .filter((c) => c.row.load === "concurrency" && c.row.ttft_ms !== undefined && c.row.concurrency !== undefined);
  const replay: number[] = [];
  const steady: number[] = [];
  for (const c of cases) {
    const measured = c.row.ttft_ms!;
    replay.push((simulateRow(c, cal.throughput).meanTtftMs / measured - 1) * 100);
    steady.push((simulatedSteadyState(c.shape, c.limits, c.request, c.row.concurrency!).ttftMs / measured - 1) * 100);
  }
  const line = (label: string, xs: number[]) => {
    const s = errorStats(xs);
    const signed = median(xs);
    return `  ${label.padEnd(52)} median ${s.medianAbsPct.toFixed(1)} %, p90 ${s.p90AbsPct.toFixed(1)} %, signed median ${signed >= 0 ? "+" : ""}${signed.toFixed(1)} %`;
  };
  return [
    `Mean TTFT of the ${cases.length} fixed-concurrency vLLM rows, two starts of the same simulation:`,
    line("replaying the protocol from its burst (lockstep)", replay),
    line("the spread steady state (what evaluate() credits)", steady),
  ];
}
