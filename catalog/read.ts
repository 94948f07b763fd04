import * as fs from "node:fs";
import { parse as parseYamlText, YAMLParseError } from "yaml";
import { UserInputError } from "./errors";

/** Reads a file, turning "not found" into a user error naming it. */
export function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserInputError(file, "", code === "ENOENT" ? "file not found" : `cannot be read (${code ?? String(err)})`);
  }
}

/** Parses YAML text; a syntax error names the file, line and column. */
export function parseYaml(text: string, file: string): unknown {
  try {
    return parseYamlText(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : "";
      throw new UserInputError(file, where, `is not valid YAML: ${err.message.split("\n")[0]}`);
    }
    throw err;
  }
}

/** Reads and parses a YAML file. */
export function readYaml(file: string): unknown {
  return parseYaml(readText(file), file);
}
