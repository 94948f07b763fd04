import type { Verdict } from "./evaluation-types";

/** What the verdict sentence compares: one self-hosting option and the API it would replace. */
export interface VerdictSentenceInputs {
  verdict: Verdict;
  /** The option, e.g. "Llama 3.1 8B on 1 x a3-highgpu-1g (spot)", or a fleet on usage. */
  host: string;
  selfHostMonthlyUsd: number;
  apiMonthlyUsd: number;
  /** The API model, e.g. "gpt-4o". */
  apiModel: string;
  /** Why self-hosting cannot serve at all, when it cannot (the API then wins whatever the costs). */
  cannotServe?: string | undefined;
  /** What the figures rest on, e.g. "30 days of usage"; absent for typed volumes. */
  basis?: string | undefined;
  /** A sentence appended as is (the hybrid's cost on usage). */
  note?: string;
}

/** Whole dollars, as the one-line summary shows them: `$12,345`. */
export function wholeUsd(x: number): string {
  return `$${Math.round(x).toLocaleString("en-US")}`;
}

/**
 * The comparison at the heart of every verdict: "X costs $A a month against
 * $B for M". The evaluation's summary, the usage summary and the cost-verdict
 * policy's message all say it with these words; `format` is how the caller
 * shows dollars.
 */
export function costComparison(
  s: Pick<VerdictSentenceInputs, "host" | "selfHostMonthlyUsd" | "apiMonthlyUsd" | "apiModel">,
  format: (usd: number) => string = wholeUsd,
): string {
  return `${s.host} costs ${format(s.selfHostMonthlyUsd)} a month against ${format(s.apiMonthlyUsd)} for ${s.apiModel}`;
}

/**
 * The verdict in one sentence (Evaluation.summary), for typed volumes and for
 * usage alike: who wins, the two monthly costs, and the saving; where the API
 * is not allowed, only self-hosting's cost.
 */
export function verdictSentence(s: VerdictSentenceInputs): string {
  const note = s.note ?? "";
  switch (s.verdict) {
    case "api-not-allowed": {
      const following = s.basis ? `, following ${s.basis}` : "";
      return `The API is not allowed for this workload, so self-hosting is the only option: ${s.host} costs ${wholeUsd(s.selfHostMonthlyUsd)} a month${following}.${note}`;
    }
    case "self-host":
    case "api": {
      if (s.cannotServe !== undefined)
        return `The API wins: ${s.cannotServe}; the API costs ${wholeUsd(s.apiMonthlyUsd)} a month.${note}`;
      const comparison = `${costComparison(s)}${s.basis ? ` on ${s.basis}` : ""}`;
      if (s.verdict === "api") return `The API wins: ${comparison}.${note}`;
      return `Self-host: ${comparison}, saving ${wholeUsd(s.apiMonthlyUsd - s.selfHostMonthlyUsd)}.${note}`;
    }
    default: {
      const never: never = s.verdict;
      throw new Error(`unhandled verdict ${String(never)}`);
    }
  }
}

/** The capacity facts that decide whether self-hosting can serve at all. */
export interface ServeFacts {
  fits: boolean;
  /** Set whenever `fits` is false (Capacity.doesNotFitReason). */
  doesNotFitReason?: string | undefined;
  meetsLatencyTarget: boolean;
  /** Fits, meets the latency target, and some replica count serves the volume. */
  canServe: boolean;
}

/**
 * Why self-hosting cannot serve the workload, or undefined when it can: the
 * model does not fit (vLLM's reason), one request already misses the latency
 * target, or no replica count within replicas.min..max serves the volume.
 * The one home of this reason: the summary, the savings line and the
 * cost-verdict policy all read it.
 */
export function cannotServeReason(c: ServeFacts): string | undefined {
  if (c.canServe) return undefined;
  if (!c.fits) return c.doesNotFitReason;
  if (!c.meetsLatencyTarget) return "it misses the latency target even at one request";
  return "no replica count within replicas.min..max serves the volume";
}
