import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };
import type { Evaluation } from "../engine/evaluate";
import type { FleetKind } from "../engine/fleet";

/** What the profile chart draws: the usage's hours and the replicas each fleet runs in them. */
export interface ProfileSeries {
  start: string;
  hourlyOutputTokens: readonly number[];
  replicasByHour: Partial<Record<FleetKind, readonly number[]>>;
}

const FLEET_COLORS: Record<FleetKind, string> = {
  "fixed-peak": "#ff7f0e",
  "fixed-declared": "#7f7f7f",
  autoscaled: "#2ca02c",
};

/**
 * The hourly profile: output tokens an hour (area, left axis) and the
 * replicas each fleet runs (steps, right axis), over the usage's span.
 */
export function profileChartSpec(e: Evaluation, p: ProfileSeries): Record<string, unknown> {
  const t0 = Date.parse(p.start);
  const at = (h: number) => new Date(t0 + h * 3_600_000).toISOString();
  const load = p.hourlyOutputTokens.map((t, h) => ({ hour: at(h), outputTokens: t }));
  const replicas = Object.entries(p.replicasByHour).flatMap(([kind, xs]) =>
    (xs ?? []).map((r, h) => ({
      hour: at(h),
      replicas: r,
      fleet: `${kind}${kind === e.selfHost.fleetUsed ? " (used)" : ""}`,
    })),
  );
  const kinds = Object.keys(p.replicasByHour) as FleetKind[];
  const x = { field: "hour", type: "temporal" as const, title: "Hour (UTC)" };
  return {
    title: { text: "Output tokens an hour and the replicas each fleet runs", anchor: "start" },
    width: 900,
    height: 260,
    resolve: { scale: { y: "independent" } },
    layer: [
      {
        data: { values: load },
        mark: { type: "area", color: "#9ecae1", opacity: 0.7, interpolate: "step-after" },
        encoding: {
          x,
          y: { field: "outputTokens", type: "quantitative", title: "Output tokens an hour", axis: { format: "~s" } },
        },
      },
      {
        data: { values: replicas },
        mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
        encoding: {
          x,
          y: { field: "replicas", type: "quantitative", title: "Replicas", axis: { orient: "right", tickMinStep: 1 } },
          color: {
            field: "fleet",
            type: "nominal",
            scale: {
              domain: kinds.map((k) => `${k}${k === e.selfHost.fleetUsed ? " (used)" : ""}`),
              range: kinds.map((k) => FLEET_COLORS[k]),
            },
          },
        },
      },
    ],
  };
}

/** The break-even chart with the profile below it (one spec, one picture). */
export function withProfile(breakEven: TopLevelSpec, profile: Record<string, unknown>): TopLevelSpec {
  const { $schema, background, config, ...rest } = breakEven as TopLevelSpec & {
    background?: unknown;
    config?: unknown;
  };
  // Each panel keeps its own colours: the cost series above, the fleets below.
  return {
    $schema,
    background,
    config,
    resolve: { scale: { color: "independent" } },
    vconcat: [rest, profile],
  } as unknown as TopLevelSpec;
}
