#!/usr/bin/env node
import { runCapacity, CAPACITY_USAGE } from "./commands/capacity";
import { runChart, CHART_USAGE } from "./commands/chart";
import { runEvaluate, EVALUATE_USAGE } from "./commands/evaluate";
import { runPreviewCommand, PREVIEW_USAGE } from "./commands/preview";
import { runRecommend, RECOMMEND_USAGE } from "./commands/recommend";
import { runSensitivity, SENSITIVITY_USAGE } from "./commands/sensitivity";
import { EXIT, runCommand } from "./errors";

/** A subcommand: its usage line and its runner (returns the exit code). */
interface Command {
  usage: string;
  run: (argv: string[]) => Promise<number> | number;
}

/** Every `breakeven` subcommand. */
export const COMMANDS: Record<string, Command> = {
  evaluate: { usage: EVALUATE_USAGE, run: runEvaluate },
  capacity: { usage: CAPACITY_USAGE, run: runCapacity },
  preview: { usage: PREVIEW_USAGE, run: runPreviewCommand },
  chart: { usage: CHART_USAGE, run: runChart },
  sensitivity: { usage: SENSITIVITY_USAGE, run: runSensitivity },
  recommend: { usage: RECOMMEND_USAGE, run: runRecommend },
};

function usage(): string {
  return ["usage:", ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join("\n");
}

/** Entry point of the `breakeven` CLI. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`error: unknown command ${JSON.stringify(name)}\n${usage()}\n`);
    return EXIT.badInput;
  }
  return runCommand(() => command.run(rest));
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
