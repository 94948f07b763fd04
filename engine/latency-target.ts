import type { Assumptions } from "./assumptions";
import type { LatencyTarget } from "./capacity";
import type { Scenario } from "./scenario";

/**
 * The latency target a workload is sized against, and why that one:
 * - "declared": the scenario's own `workload.latency`;
 * - "interactive-default": an interactive workload that declares none gets
 *   the published chat target of `catalog/data/assumptions.yaml`, so a
 *   replica is not credited at a batch size where each reply crawls;
 * - "none": a batch workload that declares none is credited at peak throughput.
 */
export interface AppliedLatencyTarget {
  kind: Scenario["workload"]["kind"];
  source: "declared" | "interactive-default" | "none";
  /** The target itself; undefined when none applies. */
  target: LatencyTarget | undefined;
  /** Where the numbers come from, for reports. */
  reference: string;
}

/** Which latency target applies to a workload (see AppliedLatencyTarget). */
export function appliedLatencyTarget(workload: Scenario["workload"], assumptions: Assumptions): AppliedLatencyTarget {
  const kind = workload.kind;
  if (
    workload.latency &&
    (workload.latency.minOutputTokensPerSecondPerRequest !== undefined ||
      workload.latency.maxTimeToFirstTokenMs !== undefined)
  ) {
    return { kind, source: "declared", target: workload.latency, reference: "workload.latency" };
  }
  if (kind === "batch")
    return { kind, source: "none", target: undefined, reference: "workload.kind batch: peak throughput is credited" };
  const d = assumptions.latencyTargets.interactive;
  return {
    kind,
    source: "interactive-default",
    target: {
      minOutputTokensPerSecondPerRequest: d.minOutputTokensPerSecondPerRequest,
      maxTimeToFirstTokenMs: d.maxTimeToFirstTokenMs,
    },
    reference: d.source,
  };
}

/** The target in words: "at least 25 output tok/s per request and a TTFT of at most 450 ms", or "none (peak throughput)". */
export function describeLatencyTarget(applied: AppliedLatencyTarget): string {
  const t = applied.target;
  if (!t) return "none (batch: peak throughput credited)";
  const parts: string[] = [];
  if (t.minOutputTokensPerSecondPerRequest !== undefined)
    parts.push(`at least ${t.minOutputTokensPerSecondPerRequest} output tok/s per request`);
  if (t.maxTimeToFirstTokenMs !== undefined) parts.push(`TTFT at most ${t.maxTimeToFirstTokenMs} ms`);
  const why = applied.source === "declared" ? "declared in workload.latency" : "default for interactive workloads";
  return `${parts.join(", ")} (${why})`;
}
