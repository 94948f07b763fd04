import * as fs from "node:fs";
import { parse } from "csv-parse/sync";
import { fromRoot } from "../catalog/paths";
import { AIC_COLUMNS, AIC_MODELS, AIC_SYSTEMS } from "../calibration/aiconfigurator";

/**
 * Writes calibration/data/aiconfigurator-silicon.csv: the vLLM and SGLang
 * rows of NVIDIA aiconfigurator's measured end-to-end sample
 * (ai-dynamo/aiconfigurator, Apache-2.0,
 * aic-core/src/aiconfigurator_core/systems/silicon_sample.csv) for the
 * catalog's models on the catalog's GPUs, verbatim, in the upstream file's
 * order, with the columns calibration/aiconfigurator.ts reads. Nothing is
 * converted here: the conversion, deduplication and the rows left out are
 * code (calibration/aiconfigurator.ts), so the extract can be checked
 * against the upstream file line by line.
 *
 * Usage: npx tsx scripts/extract-aiconfigurator.ts PATH/TO/silicon_sample.csv
 */
function main(): void {
  const input = process.argv[2];
  if (!input) {
    process.stderr.write("usage: npx tsx scripts/extract-aiconfigurator.ts PATH/TO/silicon_sample.csv\n");
    process.exit(2);
  }
  const records = parse(fs.readFileSync(input, "utf8"), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const kept = records.filter(
    (r) =>
      (r.backend === "vllm" || r.backend === "sglang") &&
      AIC_SYSTEMS[r.system ?? ""] !== undefined &&
      AIC_MODELS[r.model_path ?? ""] !== undefined,
  );
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [AIC_COLUMNS.join(","), ...kept.map((r) => AIC_COLUMNS.map((c) => quote(r[c] ?? "")).join(","))];
  const out = fromRoot("calibration", "data", "aiconfigurator-silicon.csv");
  fs.writeFileSync(out, `${lines.join("\n")}\n`);
  process.stdout.write(`${kept.length} of ${records.length} rows written to ${out}\n`);
}

main();
