import { loadCatalog } from "../catalog/load";
import type { CalibrationConstants } from "../engine/calibration";
import { seededRandom } from "../engine/benchmark-protocol";
import { fitThroughput } from "./fit";
import { isFittedRow, throughputCases, type ThroughputCase } from "./rows";

/**
 * `npx tsx calibration/bootstrap.ts [rounds]`: how well the data pin each
 * throughput constant. Refits the constants on `rounds` resamples (with
 * replacement, seeded) of the vLLM rows and prints each
 * constant's 5th, 50th and 95th percentile; calibration/README.md quotes the
 * result. A wide range means the rows do not identify the constant.
 */
export function bootstrapRanges(
  cases: ThroughputCase[],
  rounds: number,
  seed = 1,
): Record<keyof CalibrationConstants, [number, number, number]> {
  const rand = seededRandom(seed);
  const fits: CalibrationConstants[] = [];
  for (let r = 0; r < rounds; r++) {
    const sample = cases.map(() => cases[Math.floor(rand() * cases.length)]!);
    fits.push(fitThroughput(sample));
  }
  const keys = Object.keys(fits[0]!) as (keyof CalibrationConstants)[];
  const at = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.round(q * (xs.length - 1))))]!;
  const out = {} as Record<keyof CalibrationConstants, [number, number, number]>;
  for (const k of keys) {
    const xs = fits.map((f) => f[k]).sort((a, b) => a - b);
    out[k] = [at(xs, 0.05), at(xs, 0.5), at(xs, 0.95)];
  }
  return out;
}

if (require.main === module) {
  const catalog = loadCatalog();
  const cases = throughputCases(catalog).filter(isFittedRow);
  const rounds = Number(process.argv[2] ?? 20);
  const ranges = bootstrapRanges(cases, rounds);
  process.stdout.write(
    `${rounds} bootstrap refits on ${cases.length} vLLM rows: constant, committed, 5th / 50th / 95th percentile\n`,
  );
  for (const [k, [lo, mid, hi]] of Object.entries(ranges)) {
    process.stdout.write(
      `| ${k} | ${catalog.calibration.throughput[k as keyof CalibrationConstants]} | ${lo} / ${mid} / ${hi} |\n`,
    );
  }
}
