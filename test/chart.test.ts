import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test, vi } from "vitest";
import { runChart } from "../cli/commands/chart";
import { runCommand } from "../cli/errors";
import { evaluate } from "../engine/evaluate";
import { renderChartSvg, svgToPng } from "../reports/chart-render";
import { apiCurve, breakEvenChartSpec, chartMaxVolume, selfHostCurve } from "../reports/chart-spec";
import { toJson } from "../reports/json";
import { expectGolden, fixtureInputs } from "./decision-fixture";
import { tempDir } from "./temp-dir";

// Fixture arithmetic (decision-fixture.ts): a replica serves 2.628B output tokens a month and costs
// USD 10,439; ops USD 4,300; the API USD 17.5 per 1M output tokens (3 input tokens each at 2.5, plus 10).
const PER_REPLICA_TOKENS = 2000 * 3600 * 730 * 0.5;
const REPLICA_USD = 11 * 730 * 1.3;
const OPS_USD = 4300;

describe("the break-even chart of 1.5B output tokens a month of Llama 3.1 8B on one H100 against GPT-4o", () => {
  const e = evaluate(fixtureInputs());
  const spec = breakEvenChartSpec(e);

  test("the vega-lite spec matches the golden file", () => {
    expectGolden("chart-spec.json", `${toJson(spec)}\n`);
  });

  test("the volume axis runs to 1.5 x one replica's 2.628B, past twice the declared 1.5B and the break-even", () => {
    expect(chartMaxVolume(e)).toBeCloseTo(1.5 * PER_REPLICA_TOKENS, 0);
  });

  test("self-hosting is flat at 4,300 + 10,439 up to 2.628B tokens, then steps up by one replica's 10,439", () => {
    const curve = selfHostCurve(e, chartMaxVolume(e));
    expect(curve.map((p) => [p.outputTokensPerMonth, Math.round(p.monthlyUsd)])).toEqual([
      [0, Math.round(OPS_USD + REPLICA_USD)],
      [PER_REPLICA_TOKENS, Math.round(OPS_USD + REPLICA_USD)],
      [PER_REPLICA_TOKENS, Math.round(OPS_USD + 2 * REPLICA_USD)],
      [1.5 * PER_REPLICA_TOKENS, Math.round(OPS_USD + 2 * REPLICA_USD)],
    ]);
  });

  test("the API is a straight line from 0 to 17.5 per 1M output tokens", () => {
    const [start, end] = apiCurve(e, 2e9);
    expect(start!.monthlyUsd).toBe(0);
    expect(end!.monthlyUsd).toBeCloseTo(2000 * 17.5, 6);
  });

  test("the declared volume and the break-even (14,739 / 17.5 per 1M = 842M) are marked", () => {
    const text = JSON.stringify(spec);
    expect(text).toContain("declared 1.5B/month");
    expect(e.breakEven.monthlyOutputTokens).toBeCloseTo(((OPS_USD + REPLICA_USD) / 17.5) * 1e6, -1);
    expect(text).toContain("break-even 842.23M/month");
  });

  test("a model that cannot be served here draws the API alone", () => {
    const noFit = evaluate(fixtureInputs({ model: "llama-3.1-405b-instruct", throughput: {} }));
    expect(selfHostCurve(noFit, 1e9)).toEqual([]);
    expect(JSON.stringify(breakEvenChartSpec(noFit))).not.toContain("break-even ");
  });

  test("it renders to an SVG with the title and the markers, and to a PNG twice its size", async () => {
    const svg = await renderChartSvg(spec);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Llama 3.1 8B Instruct: self-hosting vs API, monthly cost");
    expect(svg).toContain("break-even 842.23M/month");
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    const png = svgToPng(svg);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(width * 2);
  });
});

describe("breakeven chart", () => {
  const dir = tempDir("chart-");
  const scenario = path.join(__dirname, "..", "examples", "scenario.yaml");

  test("writes the PNG whole, replacing an old file, and leaves no temporary file behind", async () => {
    const out = path.join(dir, "chart.png");
    fs.writeFileSync(out, "old");
    expect(await runCommand(() => runChart([scenario, "-o", out]))).toBe(0);
    expect(fs.readFileSync(out).subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(fs.readdirSync(dir)).toEqual(["chart.png"]);
  });

  test("an output folder that does not exist is named in the error, not a temporary file", async () => {
    const out = path.join(dir, "missing", "chart.svg");
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await runCommand(() => runChart([scenario, "-o", out]))).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join("")).toBe(
        `error: command line: -o: cannot write ${out}: folder ${path.dirname(out)} does not exist\n`,
      );
    } finally {
      err.mockRestore();
    }
  });

  test("an output name that is not .svg, .png or .json is a one-line error with exit 2", async () => {
    expect(await runCommand(() => runChart([scenario, "-o", path.join(dir, "chart.gif")]))).toBe(2);
    expect(fs.readdirSync(dir)).not.toContain("chart.gif");
  });
});
