import { describe, expect, test } from "vitest";
import { numberOption, parseCommandLine } from "../cli/args";
import { userErrorOf } from "./user-error";

const options = { tp: { type: "string" }, format: { type: "string" }, "no-spot": { type: "boolean" } } as const;

const messageOf = (fn: () => unknown) => userErrorOf(fn).message;

describe("the command line", () => {
  test("a negative number reaches the flag's own check, which names the flag and the valid range", () => {
    const { values } = parseCommandLine(["--tp", "-1"], options);
    expect(values.tp).toBe("-1");
    expect(messageOf(() => numberOption("tp", values.tp, { integer: true, min: 1, max: 8 }))).toBe(
      'command line: --tp: "-1" is not valid; expected a whole number from 1 to 8',
    );
  });

  test("an unknown flag is one line that lists the flags the command accepts", () => {
    expect(messageOf(() => parseCommandLine(["--formt", "json"], options))).toBe(
      'command line: unknown option "--formt"; valid: --tp, --format, --no-spot',
    );
  });

  test("a flag without its value is one line", () => {
    expect(messageOf(() => parseCommandLine(["--format"], options))).toBe(
      "command line: Option '--format <value>' argument missing",
    );
  });
});
