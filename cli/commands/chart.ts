import * as fs from "node:fs";
import * as path from "node:path";
import { UserInputError } from "../../catalog/errors";
import { renderChartSvg, svgToPng } from "../../reports/chart-render";
import { breakEvenChartSpec } from "../../reports/chart-spec";
import { toJson } from "../../reports/json";
import { parseCommandLine } from "../args";
import { EXIT } from "../errors";
import { evaluateFile } from "./evaluate";

/** Usage of `breakeven chart`. */
export const CHART_USAGE = "breakeven chart <scenario.yaml | Pulumi.<stack>.yaml> -o <chart.svg | chart.png | chart.vl.json>";

/** What the output file's extension asks for. */
const OUTPUT_KINDS = { ".svg": "svg", ".png": "png", ".json": "spec" } as const;

/**
 * Writes a file whole or not at all: into a temporary file in the same
 * directory, then renamed over the target (a rename within a file system is
 * atomic), so a reader never sees half a chart.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) throw new UserInputError("command line", "-o", `cannot write ${file}: folder ${dir} does not exist`);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new UserInputError("command line", "-o", `cannot write ${file}: ${(err as Error).message}`);
  }
}

/** `breakeven chart`: the break-even chart of a scenario as SVG, PNG or the vega-lite spec. */
export async function runChart(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, { output: { type: "string", short: "o" } });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UserInputError("command line", "", `expected one scenario file; usage: ${CHART_USAGE}`);
  const out = values.output;
  if (!out) throw new UserInputError("command line", "-o", `is required; usage: ${CHART_USAGE}`);
  const ext = path.extname(out).toLowerCase();
  const kind = OUTPUT_KINDS[ext as keyof typeof OUTPUT_KINDS];
  if (!kind) throw new UserInputError("command line", "-o", `${JSON.stringify(out)} must end in ${Object.keys(OUTPUT_KINDS).join(", ")}`);
  const spec = breakEvenChartSpec(evaluateFile(file).evaluation);
  if (kind === "spec") writeFileAtomic(out, `${toJson(spec)}\n`);
  else {
    const svg = await renderChartSvg(spec);
    writeFileAtomic(out, kind === "svg" ? svg : svgToPng(svg));
  }
  process.stdout.write(`wrote ${out}\n`);
  return EXIT.ok;
}
