#!/usr/bin/env node
import * as fs from "node:fs";
import { fromRoot } from "../catalog/paths";
import { runCapacity, CAPACITY_COMMAND } from "./commands/capacity";
import { runChart, CHART_COMMAND } from "./commands/chart";
import { runEvaluate, EVALUATE_COMMAND } from "./commands/evaluate";
import { PREVIEW_COMMAND } from "./commands/preview-spec";
import { runPrices, PRICES_COMMAND } from "./commands/prices";
import { runRecommend, RECOMMEND_COMMAND } from "./commands/recommend";
import { runSensitivity, SENSITIVITY_COMMAND } from "./commands/sensitivity";
import { runWorkload, WORKLOAD_COMMAND } from "./commands/workload";
import { helpText, wantsHelp, type CommandSpec } from "./command";
import { EXIT, runCommand } from "./errors";

/** A subcommand: the table its help and parser read, and its runner (returns the exit code). */
export interface Command {
  spec: CommandSpec;
  run: (argv: string[]) => Promise<number> | number;
}

/**
 * The preview's runner, loaded when it runs: it brings the policy pack and
 * Pulumi's runtime (about 0.8 s of loading on this machine), which
 * `recommend`, `evaluate` and every `--help` do without.
 */
async function runPreviewLazily(argv: string[]): Promise<number> {
  const { runPreviewCommand } = await import("./commands/preview.js");
  return runPreviewCommand(argv);
}

/** Every `breakeven` subcommand; a new one declares its flags in a CommandSpec and is listed here. */
export const COMMANDS: Record<string, Command> = {
  evaluate: { spec: EVALUATE_COMMAND, run: runEvaluate },
  capacity: { spec: CAPACITY_COMMAND, run: runCapacity },
  preview: { spec: PREVIEW_COMMAND, run: runPreviewLazily },
  chart: { spec: CHART_COMMAND, run: runChart },
  sensitivity: { spec: SENSITIVITY_COMMAND, run: runSensitivity },
  recommend: { spec: RECOMMEND_COMMAND, run: runRecommend },
  workload: { spec: WORKLOAD_COMMAND, run: runWorkload },
  prices: { spec: PRICES_COMMAND, run: runPrices },
};

/** The package's version, from the package.json that ships with the code. */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(fromRoot("package.json"), "utf8")) as { version: string }).version;
}

/** `breakeven --help`: every command with its one-line summary. */
export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    "breakeven: self-host an LLM on GCP GPUs, or pay an API per token?",
    "",
    "Usage: breakeven <command> [arguments] [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.spec.summary}`),
    "",
    "Run `breakeven <command> --help` for a command's arguments, flags, defaults and examples.",
    "`breakeven --version` prints the version.",
  ].join("\n");
}

/** Entry point of the `breakeven` CLI. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    // Bare `breakeven` is a mistake (exit 2, on stderr); asking for help is not.
    (name === undefined ? process.stderr : process.stdout).write(`${topic ? helpText(topic.spec) : overview()}\n`);
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(
      `error: unknown command ${JSON.stringify(name)}; valid: ${Object.keys(COMMANDS).join(", ")}; see \`breakeven --help\`\n`,
    );
    return EXIT.badInput;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(`${helpText(command.spec)}\n`);
    return EXIT.ok;
  }
  return runCommand(() => command.run(rest), name);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
