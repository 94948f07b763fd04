import { evaluate, type Evaluation, type EvaluationInputs, type Verdict } from "./evaluate";

/**
 * What would change the verdict? Each input is moved on its own, the rest
 * held, and the whole evaluation is run again: no cost arithmetic here, only
 * perturbed inputs to `evaluate()`.
 */

/** The inputs the sensitivity view moves, one at a time. */
export const SENSITIVITY_INPUTS = [
  "utilization",
  "volume",
  "gpuPrice",
  "throughput",
  "overhead",
  "fteCost",
  "apiPrice",
] as const;
/** One of them. */
export type SensitivityInput = (typeof SENSITIVITY_INPUTS)[number];

/** Relative changes shown for every input. */
export const SENSITIVITY_STEPS = [-0.25, -0.1, 0.1, 0.25] as const;

/** A verdict that flips within this relative change of any single input is fragile. */
export const FRAGILE_WITHIN = 0.1;

/** The verdict and savings with one input changed. */
export interface SensitivityPoint {
  /** Relative change asked for, e.g. -0.25. */
  change: number;
  /** The input's value used (a utilization is capped at 1, so it may differ from base x (1 + change)). */
  value: number;
  verdict: Verdict;
  /** Null when self-hosting cannot serve at this value (Evaluation.savingsMonthlyUsd). */
  savingsMonthlyUsd: number | null;
}

/** Where the verdict changes when one input moves. */
export interface VerdictFlip {
  /** The input's value at the flip. */
  value: number;
  /** Relative change from the base at the flip, e.g. 0.42 for +42 %. */
  change: number;
  /** The verdict past the flip. */
  verdict: Verdict;
}

/** One input's row. */
export interface SensitivityRow {
  input: SensitivityInput;
  baseValue: number;
  points: SensitivityPoint[];
  /** The flip nearest to the base between 1/1000 and 1000 times it (utilization up to 1); null when none. */
  flip: VerdictFlip | null;
  /** True when the flip lies within ±FRAGILE_WITHIN of the base. */
  fragile: boolean;
}

/** The sensitivity of one evaluation. */
export interface Sensitivity {
  verdict: Verdict;
  /** Null when self-hosting cannot serve (Evaluation.savingsMonthlyUsd). */
  savingsMonthlyUsd: number | null;
  rows: SensitivityRow[];
  /** True when any single input flips the verdict within ±FRAGILE_WITHIN. */
  fragile: boolean;
  /** The inputs that make it fragile. */
  fragileInputs: SensitivityInput[];
}

/** How one input is read and scaled; a Record over the inputs, so adding one without a lever does not compile. */
interface Lever {
  /** The current value, as the evaluation used it. */
  read: (inputs: EvaluationInputs, base: Evaluation) => number;
  /** The inputs with this input scaled by `f`. */
  scale: (inputs: EvaluationInputs, base: Evaluation, f: number) => EvaluationInputs;
}

const withWorkload = (
  inputs: EvaluationInputs,
  change: Partial<EvaluationInputs["scenario"]["workload"]>,
): EvaluationInputs => ({
  ...inputs,
  scenario: { ...inputs.scenario, workload: { ...inputs.scenario.workload, ...change } },
});
const withOps = (inputs: EvaluationInputs, change: Partial<EvaluationInputs["scenario"]["ops"]>): EvaluationInputs => ({
  ...inputs,
  scenario: { ...inputs.scenario, ops: { ...inputs.scenario.ops, ...change } },
});

/**
 * The levers. Volume scales input and output tokens together (the request
 * shape holds); the API price scales every rate; throughput becomes a
 * measured figure of the base's times `f`, and is left alone when the model
 * cannot serve on this hardware at all.
 */
const LEVERS: Record<SensitivityInput, Lever> = {
  utilization: {
    read: (i) => i.scenario.workload.utilization,
    scale: (i, _b, f) => withWorkload(i, { utilization: i.scenario.workload.utilization * f }),
  },
  volume: {
    read: (i) => i.scenario.workload.outputTokensPerMonth,
    scale: (i, _b, f) =>
      withWorkload(i, {
        inputTokensPerMonth: i.scenario.workload.inputTokensPerMonth * f,
        outputTokensPerMonth: i.scenario.workload.outputTokensPerMonth * f,
      }),
  },
  gpuPrice: {
    read: (i) => i.nodePrice.hourlyUsd,
    scale: (i, _b, f) => ({ ...i, nodePrice: { ...i.nodePrice, hourlyUsd: i.nodePrice.hourlyUsd * f } }),
  },
  throughput: {
    read: (_i, b) => b.selfHost.capacity.outputTokensPerSecond,
    scale: (i, b, f) => {
      const c = b.selfHost.capacity;
      // A measured figure also lifts the latency check, which would let a model that cannot serve here "flip" by speed alone.
      if (!c.fits || !c.meetsLatencyTarget || c.outputTokensPerSecond <= 0) return i;
      return {
        ...i,
        measured: { reference: "sensitivity", ...i.measured, outputTokensPerSecond: c.outputTokensPerSecond * f },
      };
    },
  },
  overhead: {
    read: (i) => i.scenario.ops.overheadPct,
    scale: (i, _b, f) => withOps(i, { overheadPct: i.scenario.ops.overheadPct * f }),
  },
  fteCost: {
    read: (i) => i.scenario.ops.fteMonthlyUsd,
    scale: (i, _b, f) => withOps(i, { fteMonthlyUsd: i.scenario.ops.fteMonthlyUsd * f }),
  },
  apiPrice: {
    read: (i) => i.apiPrice.outputUsdPerMTok,
    scale: (i, _b, f) => {
      const a = i.apiPrice;
      return {
        ...i,
        apiPrice: {
          ...a,
          inputUsdPerMTok: a.inputUsdPerMTok * f,
          outputUsdPerMTok: a.outputUsdPerMTok * f,
          cachedInputUsdPerMTok: a.cachedInputUsdPerMTok * f,
        },
      };
    },
  },
};

/** The current value of an input, as the evaluation used it. */
export function inputValue(inputs: EvaluationInputs, base: Evaluation, input: SensitivityInput): number {
  return LEVERS[input].read(inputs, base);
}

/** Largest factor an input may be scaled by (a utilization cannot pass 1). */
function maxFactor(inputs: EvaluationInputs, input: SensitivityInput): number {
  return input === "utilization" ? 1 / inputs.scenario.workload.utilization : Number.POSITIVE_INFINITY;
}

/** The inputs with one input scaled by `factor` (capped where the input has a ceiling). */
export function perturb(
  inputs: EvaluationInputs,
  base: Evaluation,
  input: SensitivityInput,
  factor: number,
): EvaluationInputs {
  return LEVERS[input].scale(inputs, base, Math.min(factor, maxFactor(inputs, input)));
}

// Factors tried outward from the base until the verdict changes; finer near 1 so a flip within ±10 % is not stepped over.
const UP_FACTORS = [1.02, 1.05, 1.1, 1.25, 1.5, 2, 3, 5, 10, 30, 100, 1000];
const DOWN_FACTORS = [0.98, 0.95, 0.9, 0.75, 0.5, 0.25, 0.1, 0.03, 0.01, 0.001];
const BISECTION_STEPS = 40;

/** The factor nearest 1 (in one direction) at which the verdict differs from the base, by bracketing then bisection. */
function findFlipFactor(
  verdictAt: (factor: number) => Verdict,
  baseVerdict: Verdict,
  factors: number[],
  limit: number,
): number | null {
  let same = 1;
  for (const raw of factors) {
    const f = Math.min(raw, limit);
    if (verdictAt(f) !== baseVerdict) {
      let lo = same;
      let hi = f;
      for (let i = 0; i < BISECTION_STEPS; i++) {
        const mid = (lo + hi) / 2;
        if (verdictAt(mid) === baseVerdict) lo = mid;
        else hi = mid;
      }
      return hi;
    }
    same = f;
    if (f >= limit) break;
  }
  return null;
}

/** One input's row: the four steps and the nearest flip. */
export function sensitivityRow(inputs: EvaluationInputs, base: Evaluation, input: SensitivityInput): SensitivityRow {
  const baseValue = inputValue(inputs, base, input);
  const limit = maxFactor(inputs, input);
  const at = (factor: number) => evaluate(perturb(inputs, base, input, factor));
  const points = SENSITIVITY_STEPS.map((change) => {
    const e = at(1 + change);
    return {
      change,
      value: baseValue * Math.min(1 + change, limit),
      verdict: e.verdict,
      savingsMonthlyUsd: e.savingsMonthlyUsd,
    };
  });
  const verdictAt = (factor: number) => at(factor).verdict;
  const up = findFlipFactor(verdictAt, base.verdict, UP_FACTORS, limit);
  const down = findFlipFactor(verdictAt, base.verdict, DOWN_FACTORS, Number.POSITIVE_INFINITY);
  const nearest = [up, down]
    .filter((f): f is number => f !== null)
    .sort((a, b) => Math.abs(Math.log(a)) - Math.abs(Math.log(b)))[0];
  const flip =
    nearest === undefined ? null : { value: baseValue * nearest, change: nearest - 1, verdict: verdictAt(nearest) };
  // The bisection stops a hair past the flip; a flip exactly at ±10 % still counts as within.
  const fragile = flip !== null && Math.abs(flip.change) <= FRAGILE_WITHIN + 1e-9;
  return { input, baseValue, points, flip, fragile };
}

/** The sensitivity of the verdict to each input in SENSITIVITY_INPUTS. */
export function sensitivity(inputs: EvaluationInputs): Sensitivity {
  const base = evaluate(inputs);
  const rows = SENSITIVITY_INPUTS.map((input) => sensitivityRow(inputs, base, input));
  const fragileInputs = rows.filter((r) => r.fragile).map((r) => r.input);
  return {
    verdict: base.verdict,
    savingsMonthlyUsd: base.savingsMonthlyUsd,
    rows,
    fragile: fragileInputs.length > 0,
    fragileInputs,
  };
}
