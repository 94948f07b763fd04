import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserInputError } from "../catalog/errors";

/** Output formats every report command accepts. */
export const FORMATS = ["table", "json", "markdown"] as const;
/** An output format. */
export type Format = (typeof FORMATS)[number];

/** node:util parseArgs, with its errors turned into exit-2 user errors naming the command line. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: attachNegativeValues(argv, options), options, allowPositionals, strict: true });
  } catch (err) {
    throw new UserInputError("command line", "", commandLineMessage(err as Error & { code?: string }, options));
  }
}

/**
 * `--tp -1` as `--tp=-1`: parseArgs refuses a value that starts with a dash
 * ("argument is ambiguous", three lines), so a negative number would never
 * reach the flag's own check, which names the flag and the valid range.
 */
function attachNegativeValues(argv: string[], options: NonNullable<ParseArgsConfig["options"]>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** One line: an unknown flag gets the flags the command accepts. */
function commandLineMessage(err: Error & { code?: string }, options: NonNullable<ParseArgsConfig["options"]>): string {
  const message = err.message.replace(/\. To specify a positional.*$/s, "");
  if (err.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return message.split("\n")[0] as string;
  const flags = Object.keys(options).map((name) => `--${name}`);
  return `${message.replace(/^Unknown option '(.*)'$/, 'unknown option "$1"')}; valid: ${flags.join(", ")}`;
}

/** Validates `--format`. */
export function formatOption(value: string | undefined, allowed: readonly string[] = FORMATS): Format {
  const v = value ?? "table";
  if (!allowed.includes(v))
    throw new UserInputError(
      "command line",
      "--format",
      `${JSON.stringify(v)} is not valid; expected one of ${allowed.join(", ")}`,
    );
  return v as Format;
}

/** A positive number flag, or undefined when absent. */
export function numberOption(
  name: string,
  value: string | undefined,
  { integer = false, min = 0, max = Number.POSITIVE_INFINITY } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const what = `${integer ? "a whole number" : "a number"}${min > 0 || max < Infinity ? ` from ${min} to ${max}` : " of at least 0"}`;
    throw new UserInputError("command line", `--${name}`, `${JSON.stringify(value)} is not valid; expected ${what}`);
  }
  return n;
}
