import { UserInputError } from "../catalog/errors";
import { parseCommandLine } from "./args";

/**
 * One flag of a command: what node:util parseArgs needs (type, short), and
 * what its help says. The help and the parser read the same table, so a flag
 * cannot be parsed without being documented.
 */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  /** The value's placeholder in the help, e.g. "N" or "table|json". */
  value?: string;
  /** The default as the help states it (the command applies it). */
  default?: string;
  /** A required flag is refused up front when missing, and shown in the usage line. */
  required?: boolean;
  /** The flag may be given more than once (`--from a.json --from b.json`); its value is then a list. */
  multiple?: boolean;
  description: string;
}

/** A positional argument; required unless `optional` (optional ones come last, e.g. `prices show <machine>` against `prices refresh`). */
export interface ArgumentSpec {
  name: string;
  description: string;
  optional?: boolean;
}

/** Everything a command's help and parser know about it. */
export interface CommandSpec<F extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
  name: string;
  /** One line: what the command answers. */
  summary: string;
  arguments: readonly ArgumentSpec[];
  flags: F;
  /** Full command lines a user can paste. */
  examples: readonly string[];
}

/** The parsed flags of a command: a string or a boolean per flag, absent when not given. */
export type FlagValues<F extends Record<string, FlagSpec>> = {
  [K in keyof F]?: F[K] extends { type: "boolean" } ? boolean : F[K] extends { multiple: true } ? string[] : string;
};

/** The flag every command has; main answers it before the command runs. */
export const HELP_FLAG: FlagSpec = { type: "boolean", short: "h", description: "show this help and exit" };

/** Declares a command; the `const` type parameter keeps flag names and types for FlagValues. */
export function defineCommand<const F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** The flags a command parses: its own and --help. */
function allFlags(spec: CommandSpec): Record<string, FlagSpec> {
  return { ...spec.flags, help: HELP_FLAG };
}

/** `breakeven evaluate --help`, as a reader of an error message types it. */
export function helpPointer(name: string): string {
  return `see \`breakeven ${name} --help\``;
}

/**
 * Parses a command line against the command's flag table: unknown flags,
 * missing required flags and the wrong number of arguments are exit-2 user
 * errors naming what was expected.
 */
export function parseCommand<F extends Record<string, FlagSpec>>(
  spec: CommandSpec<F>,
  argv: string[],
): { values: FlagValues<F>; positionals: string[] } {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, flag] of Object.entries(allFlags(spec))) {
    options[name] = {
      type: flag.type,
      ...(flag.short ? { short: flag.short } : {}),
      ...(flag.multiple ? { multiple: true } : {}),
    };
  }
  const { values, positionals } = parseCommandLine(argv, options, spec.arguments.length > 0);
  const required = spec.arguments.filter((a) => !a.optional).length;
  if (positionals.length < required || positionals.length > spec.arguments.length) {
    const expected = spec.arguments.map(argumentLabel).join(" ");
    const count = required === spec.arguments.length ? String(required) : `${required} to ${spec.arguments.length}`;
    throw new UserInputError(
      "command line",
      "",
      `expected ${count} argument${spec.arguments.length === 1 ? "" : "s"} ${expected}, got ${positionals.length}; e.g. ${spec.examples[0] ?? usageLine(spec)}`,
    );
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flag.required && values[name] === undefined)
      throw new UserInputError("command line", `--${name}`, `is required; usage: ${usageLine(spec)}`);
  }
  return { values: values as FlagValues<F>, positionals };
}

/** `<name>`, or `[<name>]` for an optional argument. */
function argumentLabel(a: ArgumentSpec): string {
  return a.optional ? `[<${a.name}>]` : `<${a.name}>`;
}

/** `breakeven capacity --model <M> ... [options]`: the arguments and the required flags. */
export function usageLine(spec: CommandSpec): string {
  const parts = ["breakeven", spec.name, ...spec.arguments.map(argumentLabel)];
  for (const [name, flag] of Object.entries(spec.flags))
    if (flag.required) parts.push(`--${name} <${flag.value ?? "value"}>`);
  if (Object.values(spec.flags).some((f) => !f.required)) parts.push("[options]");
  return parts.join(" ");
}

/** The left column of a flag's help line: `-o, --output <file>`. */
function flagLabel(name: string, flag: FlagSpec): string {
  const short = flag.short ? `-${flag.short}, ` : "    ";
  return `${short}--${name}${flag.type === "string" ? ` <${flag.value ?? "value"}>${flag.multiple ? "..." : ""}` : ""}`;
}

/** Two aligned columns, the right one wrapped onto following lines when a label is long. */
function columns(rows: [string, string][]): string[] {
  const width = Math.min(36, Math.max(...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) =>
    left.length > width ? `  ${left}\n  ${" ".repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`,
  );
}

/** The full help of a command: summary, usage, arguments, every flag with its default, examples. */
export function helpText(spec: CommandSpec): string {
  const lines = [`breakeven ${spec.name}: ${spec.summary}`, "", `Usage: ${usageLine(spec)}`];
  if (spec.arguments.length)
    lines.push("", "Arguments:", ...columns(spec.arguments.map((a) => [`<${a.name}>`, a.description])));
  const flagRows = Object.entries(allFlags(spec)).map(([name, flag]): [string, string] => {
    const notes = [
      flag.required ? "required" : undefined,
      flag.default !== undefined ? `default: ${flag.default}` : undefined,
    ].filter(Boolean);
    return [flagLabel(name, flag), `${flag.description}${notes.length ? ` (${notes.join("; ")})` : ""}`];
  });
  lines.push("", "Options:", ...columns(flagRows));
  lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/** True when `--help` or `-h` comes before any `--` terminator. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}
