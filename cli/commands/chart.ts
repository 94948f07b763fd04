import * as fs from "node:fs";
import * as path from "node:path";
import { UserInputError } from "../../catalog/errors";
import { renderChartSvg, svgToPng } from "../../reports/chart-render";
import { breakEvenChartSpec } from "../../reports/chart-spec";
import { toJson } from "../../reports/json";
import { defineCommand, parseCommand } from "../command";
import { EXIT } from "../errors";
import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };
import { evaluate } from "../../engine/evaluate";
import { fleetContext } from "../../engine/evaluate-usage";
import { usageFleets } from "../../engine/fleet-evaluate";
import { profileChartSpec, withProfile } from "../../reports/chart-profile";
import { inputsFromFile, SCENARIO_ARGUMENT } from "./evaluate";

/** `breakeven chart`: its arguments, flags and examples (help and parser read this). */
export const CHART_COMMAND = defineCommand({
  name: "chart",
  summary: "the break-even chart of a scenario: monthly cost of self-hosting and of the API against monthly volume.",
  arguments: [SCENARIO_ARGUMENT],
  flags: {
    output: {
      type: "string",
      short: "o",
      value: "file",
      required: true,
      description: "where to write: .svg, .png, or .json for the vega-lite spec; written whole or not at all",
    },
  },
  examples: [
    "breakeven chart Pulumi.dev.yaml -o breakeven.svg",
    "breakeven chart examples/scenario.yaml -o chart.vl.json",
  ],
});

/** What the output file's extension asks for. */
const OUTPUT_KINDS = { ".svg": "svg", ".png": "png", ".json": "spec" } as const;

/**
 * Writes a file whole or not at all: into a temporary file in the same
 * directory, then renamed over the target (a rename within a file system is
 * atomic), so a reader never sees half a chart.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir))
    throw new UserInputError("command line", "-o", `cannot write ${file}: folder ${dir} does not exist`);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new UserInputError("command line", "-o", `cannot write ${file}: ${(err as Error).message}`);
  }
}

/** The break-even chart, with the hourly profile and each fleet's replicas below it when the workload came from usage. */
function chartSpecOf(file: string): TopLevelSpec {
  const { inputs } = inputsFromFile(file);
  const e = evaluate(inputs);
  const base = breakEvenChartSpec(e);
  if (!inputs.usage || !e.selfHost.capacity.canServe) return base;
  const { replicasByHour } = usageFleets(fleetContext(e, inputs));
  return withProfile(
    base,
    profileChartSpec(e, {
      start: inputs.usage.span.start,
      hourlyOutputTokens: inputs.usage.hourlyOutputTokens,
      replicasByHour,
    }),
  );
}

/** `breakeven chart`: the break-even chart of a scenario as SVG, PNG or the vega-lite spec. */
export async function runChart(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(CHART_COMMAND, argv);
  const file = positionals[0] as string;
  const out = values.output as string;
  const ext = path.extname(out).toLowerCase();
  const kind = OUTPUT_KINDS[ext as keyof typeof OUTPUT_KINDS];
  if (!kind)
    throw new UserInputError(
      "command line",
      "-o",
      `${JSON.stringify(out)} must end in ${Object.keys(OUTPUT_KINDS).join(", ")}`,
    );
  const spec = chartSpecOf(file);
  if (kind === "spec") writeFileAtomic(out, `${toJson(spec)}\n`);
  else {
    const svg = await renderChartSvg(spec);
    writeFileAtomic(out, kind === "svg" ? svg : svgToPng(svg));
  }
  process.stdout.write(`wrote ${out}\n`);
  return EXIT.ok;
}
