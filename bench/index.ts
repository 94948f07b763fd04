import { loadCatalog } from "../catalog/load";
import { errorStats, leftOutThroughputRows, readKvRows, readThroughputRows } from "../calibration/points";
import {
  FITTED_ENGINE,
  VLLM_VALIDATION,
  errorGroup,
  matchKvRows,
  predictKv,
  predictThroughput,
  throughputCase,
} from "../calibration/rows";
import { ttftPhaseCheck } from "./ttft-phase";
import { heldOutCheck } from "./held-out";
import { kimiReferenceCheck } from "./kimi-reference";
import { benchPreview } from "./preview";
import { benchFleets } from "./fleets";
import { benchRecommend } from "./recommend";
import { coldEvaluations, evaluationsPerSecond, simulationMillis } from "./speed";

/**
 * `npm run bench`: the model against every measured point in
 * calibration/data/ (per row, then median and p90 per group), the Kimi K2.5
 * reference story, and evaluate()'s speed.
 */
const catalog = loadCatalog();
const cal = catalog.calibration;
const pct = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)} %`;
const out: string[] = [];
const say = (line = "") => out.push(line);

say(`Calibration fitted ${cal.fittedOn}; error band ±${cal.errorBandPct} %`);
say();
say(
  "vLLM V1 memory (startup logs): weights GiB per GPU and KV cache tokens (GiB where the log gave no count), model vs log",
);
const kvSkipped: string[] = [];
const weightErrors: number[] = [];
const kvErrors: number[] = [];
for (const m of matchKvRows(readKvRows(), catalog)) {
  if (!m.ok) {
    kvSkipped.push(`  ${m.row.id} (${m.row.model}): ${m.reason}`);
    continue;
  }
  const p = predictKv(m, cal.reserve);
  weightErrors.push(p.weightsErrorPct);
  kvErrors.push(p.kvTokensErrorPct);
  say(
    `  ${m.row.id.padEnd(6)} ${m.model.id.padEnd(24)} ${m.row.weight_dtype.padEnd(9)} TP${m.row.tp} PP${m.row.pp} kv ${m.row.kv_dtype.padEnd(4)} vLLM ${m.row.vllm_version.padEnd(6)}` +
      ` weights ${p.weightsGiB.toFixed(2).padStart(6)} vs ${m.row.model_weights_gib.toFixed(2).padStart(6)} GiB ${pct(p.weightsErrorPct).padStart(8)}` +
      (p.kvMetric === "tokens"
        ? `  KV ${String(p.kvCacheTokens).padStart(8)} vs ${String(m.row.kv_cache_tokens).padStart(8)} tokens ${pct(p.kvTokensErrorPct).padStart(8)}`
        : `  KV ${p.kvCacheGiB.toFixed(2).padStart(8)} vs ${m.row.kv_cache_gib.toFixed(2).padStart(8)} GiB    ${pct(p.kvTokensErrorPct).padStart(8)}`),
  );
}
const worst = (xs: number[]) => xs.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
say(
  `  worst weights error ${pct(worst(weightErrors))}, worst KV tokens error ${pct(worst(kvErrors))} over ${kvErrors.length} rows (goal: within 3 %)`,
);
if (kvSkipped.length) say(`  skipped V1 rows:\n${kvSkipped.join("\n")}`);
say();

say("Throughput: output tok/s per replica, model vs measured (TensorRT-LLM and NIM x their engine factor)");
const byGroup = new Map<string, number[]>();
const skipped: string[] = [];
for (const row of readThroughputRows()) {
  const m = throughputCase(row, catalog, cal);
  if (!m.ok) {
    skipped.push(`  ${row.id}: ${m.reason}`);
    continue;
  }
  const group = errorGroup(row);
  const factor = cal.engineFactors[row.engine] ?? 1;
  const p = predictThroughput(m.case, cal.throughput);
  const predicted = p.outputTokensPerSecond * factor;
  const err = (predicted / row.output_tokens_per_s - 1) * 100;
  const list = byGroup.get(group) ?? [];
  list.push(err);
  byGroup.set(group, list);
  const perReq =
    row.per_request_output_tokens_per_s === undefined
      ? ""
      : `  per request ${p.perRequestOutputTokensPerSecond.toFixed(1)} vs ${row.per_request_output_tokens_per_s}`;
  say(
    `  [${group}] ${row.id.padEnd(58)} ${row.load.padEnd(12)} c=${String(p.concurrency).padStart(4)} ${predicted.toFixed(0).padStart(7)} vs ${String(row.output_tokens_per_s).padStart(8)} ${pct(err).padStart(9)}${perReq}`,
  );
}
say();
for (const [group, list] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
  const s = errorStats(list);
  const goal =
    group === FITTED_ENGINE
      ? " (fitted on; goal held out: median <= 10 %, p90 <= 25 %)"
      : group === VLLM_VALIDATION
        ? " (validation-rows.csv: third-party bursts and unstated configurations, never fitted)"
        : ` (engine factor ${cal.engineFactors[group] ?? 1})`;
  say(
    `  ${group.padEnd(13)} ${String(s.rows).padStart(3)} rows  median ${s.medianAbsPct.toFixed(1)} %  p90 ${s.p90AbsPct.toFixed(1)} %${goal}`,
  );
}
say();
for (const line of heldOutCheck(catalog)) say(line);
for (const line of ttftPhaseCheck(catalog)) say(line);
say(`  skipped ${skipped.length} rows:`);
for (const s of skipped) say(s);
const leftOut = leftOutThroughputRows();
say(`  left out ${leftOut.length} rows of NVIDIA aiconfigurator's sample (calibration/aiconfigurator.ts):`);
for (const l of leftOut) say(`  ${l.id}: ${l.reason}`);
say();
for (const line of kimiReferenceCheck(catalog)) say(line);
say();
const speed = evaluationsPerSecond(catalog);
say(
  `evaluate(), warm (dev stack, volume and latency target varied; the simulated capacity search comes from its memo): ${Math.round(speed.wallClock).toLocaleString("en-US")} scenario evaluations a second by the wall clock, ${Math.round(speed.perCpuSecond).toLocaleString("en-US")} per CPU-second (goal: at least 100,000; the two cores are shared)`,
);
for (const stack of ["Pulumi.dev.yaml", "examples/scenario.yaml"]) {
  const cold = coldEvaluations(catalog, stack);
  say(
    `evaluate(), cold (${stack}, a new request shape every call: fit, search and simulations run): ${Math.round(cold.perCpuSecond).toLocaleString("en-US")} per CPU-second, ${cold.cpuMsEach.toFixed(2)} CPU-ms each (${cold.count} calls)`,
  );
}
const sim = simulationMillis(catalog);
say(
  `V1 scheduler simulation: 1000 ShareGPT-like prompts at once (Qwen3-8B, one H100) in ${sim.medianMs.toFixed(1)} ms, median of 5 (goal: under 200 ms); ${Math.round(sim.outputTokensPerSecond).toLocaleString("en-US")} output tok/s simulated`,
);
say();
for (const line of benchRecommend()) say(line);
say();
for (const line of benchPreview()) say(line);
say();
for (const line of benchFleets()) say(line);
process.stdout.write(`${out.join("\n")}\n`);
