import { describe, expect, test } from "vitest";
import { calibrate, calibrationJson, solveLinear } from "../calibration/fit";
import { nelderMead } from "../calibration/nelder-mead";
import { errorStats } from "../calibration/points";
import { loadCatalog, loadCalibration } from "../catalog/load";

const catalog = loadCatalog();
const committed = loadCalibration();

describe("calibration/constants.json", () => {
  test("is exactly what `npm run calibrate` produces from the data in calibration/data/ (run it after changing the model or the data)", () => {
    const fresh = calibrate(catalog, committed.fittedOn);
    expect(calibrationJson(fresh)).toBe(calibrationJson(committed));
  }, 30_000);

  test("quotes the p90 error of the vLLM rows as its error band", () => {
    expect(committed.errorBandPct).toBe(Math.ceil(committed.fitError["throughput:vllm"]!.p90AbsPct));
  });

  test("fits the engine factors of TensorRT-LLM and NIM, which measure faster engines than the vLLM it prices, and one for SGLang", () => {
    expect(committed.engineFactors["tensorrt-llm"]).toBeGreaterThan(1);
    expect(committed.engineFactors["nim"]).toBeGreaterThan(1);
    expect(committed.engineFactors["sglang"]).toBeGreaterThan(0);
  });
});

describe("the fit's tools", () => {
  test("solves 2x + y = 5, x - y = 1 as x = 2, y = 1", () => {
    const [x, y] = solveLinear(
      [
        [2, 1],
        [1, -1],
      ],
      [5, 1],
    );
    expect(x).toBeCloseTo(2, 12);
    expect(y).toBeCloseTo(1, 12);
  });

  test("Nelder–Mead finds the minimum of (x - 3)^2 + (y + 1)^2 at (3, -1), the same way every run", () => {
    const f = ([x, y]: number[]) => (x! - 3) ** 2 + (y! + 1) ** 2;
    const a = nelderMead(f, [0, 0], { step: 1, iterations: 500, restarts: 1 });
    const b = nelderMead(f, [0, 0], { step: 1, iterations: 500, restarts: 1 });
    expect(a[0]).toBeCloseTo(3, 4);
    expect(a[1]).toBeCloseTo(-1, 4);
    expect(b).toEqual(a);
  });

  test("median and p90 of |errors| 1..10 % are 5.5 % and 9 % (nearest rank)", () => {
    const s = errorStats([-1, 2, -3, 4, 5, -6, 7, 8, -9, 10]);
    expect(s.medianAbsPct).toBe(5.5);
    expect(s.p90AbsPct).toBe(9);
  });
});
