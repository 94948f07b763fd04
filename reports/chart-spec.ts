import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };
import { apiMonthlyUsd, selfHostMonthlyUsdAt } from "../engine/cost";
import type { Evaluation } from "../engine/evaluate";
import { tokens, usd } from "./format";

/** One point of a cost curve: monthly USD at a monthly output volume. */
export interface CostPoint {
  series: string;
  outputTokensPerMonth: number;
  monthlyUsd: number;
}

/** Chart size in pixels (the plot area; titles and legend add to it). */
export const CHART_SIZE = { width: 720, height: 380 } as const;

// Volume range: twice the declared volume, past the break-even, and far enough to show the first replica step,
// but not so far that a tiny declared volume is squeezed against the axis.
const RANGE_OVER_DECLARED = 2;
const RANGE_OVER_BREAK_EVEN = 1.25;
const RANGE_OVER_REPLICA = 1.5;
const MAX_RANGE_OVER_DECLARED = 25;

/** The volume axis runs from 0 to this many output tokens a month. */
export function chartMaxVolume(e: Evaluation): number {
  const declared = e.workload.outputTokensPerMonth;
  const perReplica = e.selfHost.fleet.tokensPerReplicaMonth;
  const toFirstStep =
    perReplica > 0 ? Math.min(RANGE_OVER_REPLICA * perReplica, MAX_RANGE_OVER_DECLARED * declared) : 0;
  const pastBreakEven =
    e.breakEven.monthlyOutputTokens === null ? 0 : RANGE_OVER_BREAK_EVEN * e.breakEven.monthlyOutputTokens;
  return Math.max(RANGE_OVER_DECLARED * declared, toFirstStep, pastBreakEven);
}

/** Series names as the legend shows them. */
export function seriesNames(e: Evaluation): { selfHost: string; api: string } {
  return {
    selfHost: `Self-hosting (${e.node.machineType}, ${e.node.pricing}, ${e.node.region})`,
    api: `API (${e.api.provider} ${e.api.model})`,
  };
}

/**
 * Self-hosting's monthly cost from 0 to `maxVolume`: flat while the replicas
 * serve the volume, a step up where one more is needed. Both corners of each
 * step are emitted so a plain line draws it. Empty when the model cannot be
 * served on this hardware.
 */
export function selfHostCurve(e: Evaluation, maxVolume: number): CostPoint[] {
  const fleet = e.selfHost.fleet;
  const series = seriesNames(e).selfHost;
  const perReplica = fleet.tokensPerReplicaMonth;
  if (!(perReplica > 0) || !e.selfHost.capacity.fits) return [];
  const at = (volume: number) => ({
    series,
    outputTokensPerMonth: volume,
    monthlyUsd: selfHostMonthlyUsdAt(fleet, volume),
  });
  // The first token of traffic already needs a replica; volume 0 is priced just above it.
  const points = [{ ...at(Number.MIN_VALUE), outputTokensPerMonth: 0 }];
  for (let edge = perReplica; edge < maxVolume; edge += perReplica) {
    points.push(at(edge), { ...at(edge * (1 + 1e-9)), outputTokensPerMonth: edge });
  }
  points.push(at(maxVolume));
  return points;
}

/** The API's monthly bill from 0 to `maxVolume`, input tokens at the workload's ratio to output. */
export function apiCurve(e: Evaluation, maxVolume: number): CostPoint[] {
  const series = seriesNames(e).api;
  const inputPerOutput = e.workload.inputTokensPerMonth / e.workload.outputTokensPerMonth;
  return [0, maxVolume].map((volume) => ({
    series,
    outputTokensPerMonth: volume,
    monthlyUsd: apiMonthlyUsd(e.api.rates, volume * inputPerOutput, volume),
  }));
}

/** A marked volume: the declared one, or the break-even. */
interface Marker {
  outputTokensPerMonth: number;
  label: string;
  /** Pixels from the top of the plot where the label and its rule start. */
  labelY: number;
}

const LABEL_LINE_PX = 16;

/**
 * The declared volume and the break-even, left to right, each label one line
 * lower than the one before and each rule starting at its own label: a label
 * runs right, above every rule further right, so no rule crosses a label.
 */
function markers(e: Evaluation): Marker[] {
  const out = [
    {
      outputTokensPerMonth: e.workload.outputTokensPerMonth,
      label: `declared ${tokens(e.workload.outputTokensPerMonth)}/month`,
    },
  ];
  if (e.breakEven.monthlyOutputTokens !== null)
    out.push({
      outputTokensPerMonth: e.breakEven.monthlyOutputTokens,
      label: `break-even ${tokens(e.breakEven.monthlyOutputTokens)}/month`,
    });
  return out
    .sort((a, b) => a.outputTokensPerMonth - b.outputTokensPerMonth)
    .map((m, i) => ({ ...m, labelY: 4 + i * LABEL_LINE_PX }));
}

/** Both costs at the declared volume, dotted on their curves. */
function declaredPoints(e: Evaluation, maxVolume: number): CostPoint[] {
  const declared = e.workload.outputTokensPerMonth;
  const canSelfHost = selfHostCurve(e, maxVolume).length > 0;
  const self = canSelfHost
    ? [
        {
          series: seriesNames(e).selfHost,
          outputTokensPerMonth: declared,
          monthlyUsd: selfHostMonthlyUsdAt(e.selfHost.fleet, declared),
        },
      ]
    : [];
  // The API curve's last point, drawn to the declared volume, is the API's bill there.
  return [...self, ...apiCurve(e, declared).slice(1)];
}

// Characters of the subtitle per line: vega sizes the chart by its own text-width estimate (about 9 px a character at 12 px), so this keeps the title within the plot width.
const SUBTITLE_CHARS_PER_LINE = 85;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function subtitle(e: Evaluation): string[] {
  const notes = [e.summary];
  if (e.breakEven.monthlyOutputTokens === null) {
    notes.push(
      e.selfHost.capacity.canServe
        ? "No break-even: each added replica costs more per token than the API."
        : "No break-even: the model cannot be served on this machine at the declared settings.",
    );
  }
  notes.push(
    `Self-hosting: ${usd(e.selfHost.fleet.perReplicaMonthlyUsd)} per replica a month (compute, overhead, preemption) serving ${tokens(e.selfHost.fleet.tokensPerReplicaMonth)} output tokens at ${Math.round(e.workload.utilization * 100)} % utilization, plus ${usd(e.selfHost.fleet.fixedMonthlyUsd)} ops.`,
  );
  return wrap(notes.join(" "), SUBTITLE_CHARS_PER_LINE);
}

/** SI-ish token labels on the axis (20M, 1.5B): d3's "G" reads as giga, not billion. */
const TOKEN_LABEL_EXPR = "replace(format(datum.value, '~s'), 'G', 'B')";

/**
 * The break-even chart as a vega-lite spec: monthly cost of self-hosting
 * (a step per added replica) and of the API against monthly output volume,
 * with the declared volume and the break-even marked. Data is inline, so the
 * spec alone renders the picture.
 */
export function breakEvenChartSpec(e: Evaluation): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `${e.model.displayName}: self-hosting vs API, monthly cost`,
      subtitle: subtitle(e),
      anchor: "start",
    },
    width: CHART_SIZE.width,
    height: CHART_SIZE.height,
    background: "white",
    config: {
      font: "DejaVu Sans",
      legend: { orient: "bottom", direction: "vertical", labelLimit: 600, title: null },
      view: { stroke: null },
    },
    layer: chartLayers(e),
  };
}

/** The layers of a layered vega-lite spec. */
type ChartLayers = Extract<TopLevelSpec, { layer: unknown }>["layer"];

/** The chart's layers: both cost curves, the declared volume's points, and the marker rules with their labels. */
function chartLayers(e: Evaluation): ChartLayers {
  const maxVolume = chartMaxVolume(e);
  const names = seriesNames(e);
  const curves = [...selfHostCurve(e, maxVolume), ...apiCurve(e, maxVolume)];
  const marks = markers(e);
  const x = {
    field: "outputTokensPerMonth",
    type: "quantitative" as const,
    title: "Output tokens a month",
    scale: { domain: [0, maxVolume] },
    axis: { labelExpr: TOKEN_LABEL_EXPR },
  };
  return [
    {
      data: { values: curves },
      mark: { type: "line", strokeWidth: 2.5 },
      encoding: {
        x,
        y: { field: "monthlyUsd", type: "quantitative", title: "USD a month", axis: { format: "$,.0f" } },
        color: {
          field: "series",
          type: "nominal",
          scale: { domain: [names.selfHost, names.api], range: ["#1f77b4", "#d62728"] },
        },
      },
    },
    {
      data: { values: declaredPoints(e, maxVolume) },
      mark: { type: "point", filled: true, size: 70 },
      encoding: { x, y: { field: "monthlyUsd", type: "quantitative" }, color: { field: "series", type: "nominal" } },
    },
    {
      data: { values: marks },
      mark: { type: "rule", strokeDash: [6, 4], color: "#555" },
      encoding: { x, y: { field: "labelY", type: "quantitative", scale: null }, y2: { value: CHART_SIZE.height } },
    },
    {
      data: { values: marks },
      mark: { type: "text", align: "left", baseline: "top", dx: 4, color: "#333", fontSize: 12 },
      encoding: {
        x,
        y: { field: "labelY", type: "quantitative", scale: null },
        text: { field: "label", type: "nominal" },
      },
    },
  ];
}
