import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { helpText, parseCommand, usageLine, wantsHelp } from "../cli/command";
import { COMMANDS } from "../cli/main";
import { userErrorOf } from "./user-error";

const root = path.join(__dirname, "..");
const bin = path.join(root, "bin", "breakeven.js");

function breakeven(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The flags an "unknown option" error lists: exactly the ones the parser accepts. */
function parsedFlags(name: string): string[] {
  const spec = COMMANDS[name]!.spec;
  const message = userErrorOf(() => parseCommand(spec, ["--no-such-flag-at-all"])).message;
  return (message.match(/valid: (.*)$/)?.[1] ?? "").split(", ");
}

/** Splits an example as a shell would (the examples use no quotes). */
const argvOf = (example: string) => example.split(/\s+/).slice(2);

describe.each(Object.keys(COMMANDS))("breakeven %s --help", (name) => {
  const spec = COMMANDS[name]!.spec;
  const help = helpText(spec);

  test("is declared under its own name, with a summary and at least one example of itself", () => {
    expect(spec.name).toBe(name);
    expect(spec.summary.length).toBeGreaterThan(20);
    expect(spec.examples.length).toBeGreaterThan(0);
    for (const example of spec.examples) expect(example.startsWith(`breakeven ${name} `)).toBe(true);
  });

  test("lists every flag the parser accepts, and nothing it does not", () => {
    const flags = parsedFlags(name);
    expect(flags).toContain("--help");
    for (const flag of flags) expect(help).toContain(flag);
    const options = help.slice(help.indexOf("Options:"), help.indexOf("Examples:"));
    const documented = [...options.matchAll(/^\s+(?:-\w, )?\s*(--[\w-]+)/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...flags].sort());
  });

  test("states a default for every optional flag that takes a value", () => {
    for (const [flag, f] of Object.entries(spec.flags)) {
      if (f.type === "boolean" || f.required) continue;
      expect(f.default, `--${flag}`).toBeDefined();
      expect(help).toContain(`default: ${f.default}`);
    }
  });

  test("names each argument and each required flag in its usage line", () => {
    const usage = usageLine(spec);
    for (const a of spec.arguments) expect(usage).toContain(`<${a.name}>`);
    for (const [flag, f] of Object.entries(spec.flags)) if (f.required) expect(usage).toContain(`--${flag} `);
    expect(help).toContain(`Usage: ${usage}`);
  });

  test("its examples are accepted by its own parser", () => {
    for (const example of spec.examples) expect(() => parseCommand(spec, argvOf(example))).not.toThrow();
  });
});

describe("help and version from the command line", () => {
  test.each([["--help"], ["-h"]])("breakeven evaluate %s is the help on stdout and exit 0", (flag) => {
    const r = breakeven("evaluate", flag);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${helpText(COMMANDS.evaluate!.spec)}\n`);
  });

  test("--help wins over a mistake elsewhere on the line", () => {
    const r = breakeven("capacity", "--model", "gpt-5", "--bogus", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^breakeven capacity: /);
  });

  test("breakeven --help lists every command and exits 0", () => {
    const r = breakeven("--help");
    expect(r.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
  });

  test("breakeven help recommend is recommend's help", () => {
    expect(breakeven("help", "recommend").stdout).toBe(`${helpText(COMMANDS.recommend!.spec)}\n`);
  });

  test("breakeven --version prints package.json's version", () => {
    const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
    const r = breakeven("--version");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  test("a command-line mistake ends by pointing at the command's help", () => {
    const r = breakeven("sensitivity", "Pulumi.dev.yaml", "--formt", "json");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: command line: unknown option "--formt"; valid: --format, --help; see `breakeven sensitivity --help`\n',
    );
  });

  test("a missing argument says what was expected and gives an example", () => {
    const r = breakeven("evaluate");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: command line: expected 1 argument <scenario>, got 0; e.g. breakeven evaluate Pulumi.dev.yaml; see `breakeven evaluate --help`\n",
    );
  });

  test("an unknown command lists the commands", () => {
    const r = breakeven("evalute");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: unknown command "evalute"; valid: ${Object.keys(COMMANDS).join(", ")}; see \`breakeven --help\`\n`,
    );
  });

  test("--help after a -- terminator is an argument, not a request for help", () => {
    expect(wantsHelp(["--", "--help"])).toBe(false);
    expect(wantsHelp(["x.yaml", "-h"])).toBe(true);
  });
});
