import {
  FRAGILE_WITHIN,
  SENSITIVITY_STEPS,
  type Sensitivity,
  type SensitivityInput,
  type SensitivityRow,
} from "../engine/sensitivity";
import type { Verdict } from "../engine/evaluate";
import { markdownTable, num, pct, textTable, tokens, usd } from "./format";

/** How each input is named and its value shown. */
const INPUT_VIEW: Record<SensitivityInput, { label: string; show: (x: number) => string }> = {
  utilization: { label: "Utilization", show: pct },
  volume: { label: "Output volume / month", show: tokens },
  gpuPrice: { label: "GPU node price / h", show: usd },
  throughput: { label: "Throughput / replica (tok/s)", show: (x) => num(x, 0) },
  overhead: { label: "Overhead on compute", show: (x) => `${num(x, 0)} %` },
  fteCost: { label: "FTE cost / month", show: usd },
  apiPrice: { label: "API price (output / 1M)", show: usd },
};

const VERDICT_SHORT: Record<Verdict, string> = {
  "self-host": "self-host",
  api: "API",
  "api-not-allowed": "self-host (API not allowed)",
};

const signedPct = (change: number) => `${change > 0 ? "+" : ""}${num(change * 100, Math.abs(change) < 0.1 ? 1 : 0)} %`;

function flipCell(row: SensitivityRow): string {
  if (!row.flip) return "no flip";
  return `${INPUT_VIEW[row.input].show(row.flip.value)} (${signedPct(row.flip.change)}) -> ${VERDICT_SHORT[row.flip.verdict]}`;
}

function header(): string[] {
  return ["Input", "Now", ...SENSITIVITY_STEPS.map(signedPct), "Verdict flips at"];
}

function cells(row: SensitivityRow, baseVerdict: Verdict): string[] {
  const view = INPUT_VIEW[row.input];
  // A step shows its savings; a changed verdict is named so it stands out.
  const step = row.points.map(
    (p) =>
      `${p.savingsMonthlyUsd === null ? "cannot serve" : usd(p.savingsMonthlyUsd)}${p.verdict === baseVerdict ? "" : ` ${VERDICT_SHORT[p.verdict]}`}`,
  );
  return [`${view.label}${row.fragile ? " (fragile)" : ""}`, view.show(row.baseValue), ...step, flipCell(row)];
}

/** The verdict and its robustness in a sentence; `labelled` when a badge before it already says "Robust"/"Fragile". */
function headline(s: Sensitivity, labelled = false): string {
  const savings = s.savingsMonthlyUsd;
  const margin =
    savings === null
      ? "self-hosting cannot serve this workload"
      : savings >= 0
        ? `self-hosting saves ${usd(savings)} a month`
        : `the API is cheaper by ${usd(-savings)} a month`;
  const verdict = `Verdict: ${VERDICT_SHORT[s.verdict]}; ${margin}.`;
  if (s.verdict === "api-not-allowed") return `${verdict} The API is not allowed, so no input changes the verdict.`;
  if (!s.fragile)
    return `${verdict} ${labelled ? "No" : "Robust: no"} single input flips it within ±${FRAGILE_WITHIN * 100} %.`;
  const names = s.fragileInputs.map((i) => INPUT_VIEW[i].label.toLowerCase()).join(", ");
  return `${verdict} ${labelled ? "It" : "Fragile: it"} flips within ±${FRAGILE_WITHIN * 100} % of ${names}.`;
}

const RIGHT = [false, true, true, true, true, true, false];

/** Plain-text sensitivity table: savings at each step of each input and where the verdict flips. */
export function renderSensitivityTable(s: Sensitivity): string {
  return [
    headline(s),
    "",
    "Monthly savings by self-hosting with one input changed:",
    "",
    textTable([header(), ...s.rows.map((r) => cells(r, s.verdict))], RIGHT),
  ].join("\n");
}

/**
 * Markdown sensitivity section, for the PR report: the fragile/robust
 * headline, then the table.
 */
export function renderSensitivityMarkdown(s: Sensitivity): string {
  const badge = s.verdict === "api-not-allowed" ? "" : s.fragile ? "⚠️ **Fragile verdict.** " : "**Robust verdict.** ";
  return [
    "#### Sensitivity",
    "",
    `${badge}${headline(s, badge !== "")}`,
    "",
    markdownTable(
      header(),
      s.rows.map((r) => cells(r, s.verdict)),
      RIGHT,
    ),
    "",
    "_Each cell: monthly savings by self-hosting with that one input changed; a verdict is named where it differs._",
  ].join("\n");
}
