import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserInputError } from "../catalog/errors";

/** Output formats every report command accepts. */
export const FORMATS = ["table", "json", "markdown"] as const;
/** An output format. */
export type Format = (typeof FORMATS)[number];

/** node:util parseArgs, with its errors turned into exit-2 user errors naming the command line. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UserInputError("command line", "", (err as Error).message.replace(/\. To specify a positional.*$/s, ""));
  }
}

/** Validates `--format`. */
export function formatOption(value: string | undefined, allowed: readonly string[] = FORMATS): Format {
  const v = value ?? "table";
  if (!allowed.includes(v)) throw new UserInputError("command line", "--format", `${JSON.stringify(v)} is not valid; expected one of ${allowed.join(", ")}`);
  return v as Format;
}

/** A positive number flag, or undefined when absent. */
export function numberOption(name: string, value: string | undefined, { integer = false, min = 0, max = Number.POSITIVE_INFINITY } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const what = `${integer ? "a whole number" : "a number"}${min > 0 || max < Infinity ? ` from ${min} to ${max}` : " of at least 0"}`;
    throw new UserInputError("command line", `--${name}`, `${JSON.stringify(value)} is not valid; expected ${what}`);
  }
  return n;
}
