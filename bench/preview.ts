import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { fromRoot } from "../catalog/paths";

/** Goal: the offline preview of one stack in under 3 s on the project's 2-core machine (issue 11). */
export const PREVIEW_GOAL_MS = 3000;
/** Goal: one Analyze call of a GPU node pool, pack already running, in under 5 ms (issue 11). */
export const ANALYZE_GOAL_MS = 5;

/** Runs of each case; the median is reported, so one slow run on a shared machine does not decide. */
const RUNS = 3;
/** Analyze calls timed; the median is reported. */
const ANALYZE_CALLS = 50;

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeRuns(args: string[]): { medianMs: number; exitCodes: number[] } {
  const times: number[] = [];
  const exitCodes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, [fromRoot("dist", "cli", "main.js"), ...args], {
      cwd: fromRoot(),
      encoding: "utf8",
    });
    times.push(performance.now() - start);
    exitCodes.push(r.status ?? -1);
  }
  return { medianMs: median(times), exitCodes };
}

/**
 * One Analyze call of the dev stack's GPU pool against the running compiled
 * pack: what the engine pays per resource before its step. Runs in a child
 * process (the mocks are process-wide), which prints the median.
 */
export function timeAnalyze(): number {
  const script = `
    const { PolicyPackProcess } = require(${JSON.stringify(fromRoot("dist", "preview", "analyzer.js"))});
    const { reconcilePolicyPackConfig } = require(${JSON.stringify(fromRoot("dist", "preview", "policy-config.js"))});
    const { collectResources } = require(${JSON.stringify(fromRoot("dist", "preview", "collect.js"))});
    const { readStackConfig } = require(${JSON.stringify(fromRoot("dist", "preview", "stack-files.js"))});
    const { packEnvironment } = require(${JSON.stringify(fromRoot("dist", "preview", "run.js"))});
    const { createStack } = require(${JSON.stringify(fromRoot("dist", "infra", "program.js"))});
    (async () => {
      const stack = readStackConfig("dev", ${JSON.stringify(fromRoot())});
      const pack = await PolicyPackProcess.start(${JSON.stringify(fromRoot("dist", "policies"))}, { env: packEnvironment(stack) });
      const { resources } = await collectResources(stack, createStack);
      const info = await pack.info();
      await pack.configure(reconcilePolicyPackConfig(info.policies, new Map()));
      const pool = resources.find((r) => r.type === "gcp:container/nodePool:NodePool" && r.inputs.nodeConfig.guestAccelerators);
      const d = new Map(info.policies.map((p) => [p.name, p.description]));
      await pack.analyze(pool, d);
      const times = [];
      for (let i = 0; i < ${ANALYZE_CALLS}; i++) { const t = performance.now(); await pack.analyze(pool, d); times.push(performance.now() - t); }
      times.sort((a, b) => a - b);
      pack.stop();
      console.log(times[Math.floor(times.length / 2)]);
      process.exit(0);
    })();`;
  const r = spawnSync(process.execPath, ["-e", script], { cwd: fromRoot(), encoding: "utf8" });
  return Number(r.stdout.trim().split("\n").pop());
}

function verdict(ms: number, goal: number): string {
  return ms < goal ? "meets" : "MISSES";
}

/**
 * Times `breakeven preview` end to end, as a user runs it (a new Node
 * process that runs the program under mocks, starts the compiled policy pack
 * as its own process and drives it over gRPC), for the dev stack and for
 * examples/foreign-stack (a team's TypeScript program, loaded through
 * @pulumi/pulumi's ts-node); the TypeScript pack in policies/ for comparison;
 * and one Analyze call. Needs `npm run build` first.
 */
export function benchPreview(): string[] {
  if (!fs.existsSync(fromRoot("dist", "policies", "PulumiPolicy.yaml")))
    return ["offline preview: skipped, dist/ is not built (run `npm run build`)"];
  const dev = timeRuns(["preview", "--stack", "dev", "--format", "json"]);
  const foreign = timeRuns(["preview", "--cwd", "examples/foreign-stack", "--stack", "api-wins", "--format", "json"]);
  const source = timeRuns(["preview", "--stack", "dev", "--format", "json", "--policy-pack", "policies"]);
  const analyzeMs = timeAnalyze();
  return [
    `offline preview, median of ${RUNS} runs, goal < ${PREVIEW_GOAL_MS} ms each:`,
    `  dev stack, compiled pack (dist/policies): ${Math.round(dev.medianMs)} ms, exit codes ${dev.exitCodes.join(",")} (1 = blocked, as expected) - ${verdict(dev.medianMs, PREVIEW_GOAL_MS)} the goal`,
    `  examples/foreign-stack api-wins (TypeScript program via ts-node): ${Math.round(foreign.medianMs)} ms, exit codes ${foreign.exitCodes.join(",")} (1 = blocked, as expected) - ${verdict(foreign.medianMs, PREVIEW_GOAL_MS)} the goal`,
    `  dev stack, TypeScript pack (policies/, ts-node as the Pulumi CLI runs it): ${Math.round(source.medianMs)} ms`,
    `one Analyze call of the dev stack's GPU pool, pack running, median of ${ANALYZE_CALLS}: ${analyzeMs.toFixed(2)} ms, goal < ${ANALYZE_GOAL_MS} ms - ${verdict(analyzeMs, ANALYZE_GOAL_MS)} the goal`,
  ];
}

if (require.main === module) for (const line of benchPreview()) console.log(line);
