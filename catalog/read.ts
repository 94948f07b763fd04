/// <reference types="node" />
// The policy pack runs this file through ts-node with no project (run-policy-pack), where the Node types
// are not in scope unless referenced; without this line `pulumi preview --policy-pack policies` fails to compile.
import * as fs from "node:fs";
import { isAlias, isMap, LineCounter, parseDocument, visit, YAMLParseError } from "yaml";
import { UserInputError } from "./errors";

/**
 * Bounds on what the CLI reads, so a hostile or mistaken file is refused in
 * milliseconds with exit 2 instead of exhausting memory or time:
 * - a file above `maxFileBytes` is not read (a vLLM bench result with
 *   per-request arrays runs to a few MB; 64 MiB leaves room);
 * - YAML above `maxYamlBytes` is not parsed (a stack file is a few KB);
 * - YAML with more than `maxYamlNodes` nodes is refused before it becomes
 *   objects (a stack file has about a hundred);
 * - `maxAliasCount` is the yaml library's own guard against alias bombs
 *   ("billion laughs"): toJS throws once aliases would expand more than
 *   that (yaml's ToJSOptions.maxAliasCount, https://eemeli.org/yaml/#tojs-options).
 * Duplicate keys are checked here in one pass rather than by the library's
 * `uniqueKeys`, which compares every key with every earlier one: 30,000 keys
 * took 47 s, 300,000 would take hours.
 */
export const INPUT_LIMITS = {
  maxFileBytes: 64 * 1024 * 1024,
  maxYamlBytes: 512 * 1024,
  maxYamlNodes: 20_000,
  maxAliasCount: 100,
} as const;

/** `524,289 bytes`; a limit also in KiB or MiB: `524,288 bytes (512 KiB)`. */
const bytes = (n: number) => `${n.toLocaleString("en-US")} bytes`;
const limit = (n: number) => `${bytes(n)} (${n >= 1024 * 1024 ? `${n / 1024 / 1024} MiB` : `${n / 1024} KiB`})`;

/** Reads a file, turning "not found" or "too big" into a user error naming it. */
export function readText(file: string, maxBytes: number = INPUT_LIMITS.maxFileBytes): string {
  try {
    const size = fs.statSync(file).size;
    if (size > maxBytes)
      throw new UserInputError(file, "", `is ${bytes(size)}, more than the ${limit(maxBytes)} an input file may be`);
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof UserInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserInputError(
      file,
      "",
      code === "ENOENT" ? "file not found" : `cannot be read (${code ?? String(err)})`,
    );
  }
}

/** `line L, column C` of an offset, for messages. */
function where(lines: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return "";
  const pos = lines.linePos(offset);
  return `line ${pos.line}, column ${pos.col}`;
}

/** Counts nodes and finds a duplicate key, in one pass; throws past the node limit. */
function checkYamlShape(doc: ReturnType<typeof parseDocument>, lines: LineCounter, file: string): void {
  let nodes = 0;
  visit(doc, {
    Node(_key, node) {
      if (++nodes > INPUT_LIMITS.maxYamlNodes) {
        throw new UserInputError(
          file,
          where(lines, node.range?.[0]),
          `has more than ${INPUT_LIMITS.maxYamlNodes} YAML nodes (keys, values, list items); a scenario or stack file has a few hundred`,
        );
      }
      if (isAlias(node) || !isMap(node)) return;
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key =
          pair.key && typeof pair.key === "object" && "value" in pair.key ? String(pair.key.value) : String(pair.key);
        if (seen.has(key)) {
          const at =
            pair.key && typeof pair.key === "object" && "range" in pair.key
              ? (pair.key.range as [number] | undefined)?.[0]
              : undefined;
          throw new UserInputError(
            file,
            where(lines, at),
            `is not valid YAML: map keys must be unique; ${JSON.stringify(key)} is repeated`,
          );
        }
        seen.add(key);
      }
    },
  });
}

/** Parses YAML text, bounded by INPUT_LIMITS; a syntax error names the file, line and column. */
export function parseYaml(text: string, file: string): unknown {
  if (text.length > INPUT_LIMITS.maxYamlBytes)
    throw new UserInputError(
      file,
      "",
      `is ${bytes(text.length)} of YAML, more than the ${limit(INPUT_LIMITS.maxYamlBytes)} a scenario or stack file may be`,
    );
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lines, prettyErrors: false });
  const err = doc.errors[0];
  if (err) throw new UserInputError(file, where(lines, err.pos[0]), `is not valid YAML: ${err.message.split("\n")[0]}`);
  checkYamlShape(doc, lines, file);
  try {
    return doc.toJS({ maxAliasCount: INPUT_LIMITS.maxAliasCount });
  } catch (e) {
    // yaml throws a ReferenceError for an alias bomb, a YAMLParseError for e.g. an unresolved alias.
    if (e instanceof ReferenceError && /alias/i.test(e.message))
      throw new UserInputError(
        file,
        "",
        `is refused: its aliases expand more than ${INPUT_LIMITS.maxAliasCount} times (${e.message})`,
      );
    if (e instanceof YAMLParseError || e instanceof ReferenceError)
      throw new UserInputError(file, "", `is not valid YAML: ${e.message.split("\n")[0]}`);
    throw e;
  }
}

/** Reads and parses a YAML file. */
export function readYaml(file: string): unknown {
  return parseYaml(readText(file, INPUT_LIMITS.maxYamlBytes), file);
}
