import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { INPUT_LIMITS, parseYaml, readText, readYaml } from "../catalog/read";
import { parseScenario } from "../catalog/scenario-file";
import { userErrorOf } from "./user-error";
import { tempDir } from "./temp-dir";

const dir = tempDir("breakeven-bounds-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Nine levels of nine aliases each: 9^9 = 387M strings if expanded ("billion laughs"). */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const c of "bcdefghi") {
    const prev = String.fromCharCode(c.charCodeAt(0) - 1);
    lines.push(`${c}: &${c} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  return `${lines.join("\n")}\n`;
}

describe("inputs are bounded", () => {
  test("an alias bomb is refused by the yaml library's maxAliasCount, as a user error", () => {
    const err = userErrorOf(() => parseYaml(aliasBomb(), "bomb.yaml"));
    expect(err.message).toMatch(/^bomb\.yaml: is refused: its aliases expand more than 100 times/);
  });

  test("a few aliases, as YAML users write them, still work", () => {
    expect(parseYaml("base: &b { x: 1 }\nother: *b\n", "ok.yaml")).toEqual({ base: { x: 1 }, other: { x: 1 } });
  });

  test("YAML above 512 KiB is refused before it is parsed", () => {
    const text = "a: 1\n".repeat(104_858); // 524,290 characters
    expect(userErrorOf(() => parseScenario(text, "big.yaml")).message).toBe(
      "big.yaml: is 524,290 bytes of YAML, more than the 524,288 bytes (512 KiB) a scenario or stack file may be",
    );
  });

  test("a file above the YAML limit is not even read", () => {
    const file = path.join(dir, "Pulumi.huge.yaml");
    fs.writeFileSync(file, "x".repeat(INPUT_LIMITS.maxYamlBytes + 1));
    expect(userErrorOf(() => readYaml(file)).message).toMatch(
      /Pulumi\.huge\.yaml: is 524,289 bytes, more than the 524,288 bytes \(512 KiB\) an input file may be$/,
    );
  });

  test("30,000 keys (60,000 nodes) under the size limit are refused by the node count", () => {
    const text = Array.from({ length: 30_000 }, (_, i) => `k${i}: 1`).join("\n");
    expect(text.length).toBeLessThan(INPUT_LIMITS.maxYamlBytes);
    expect(userErrorOf(() => parseYaml(text, "keys.yaml")).message).toMatch(
      /^keys\.yaml: line \d+, column \d+: has more than 20000 YAML nodes/,
    );
  });

  test("a repeated key is still an error naming the key and its line", () => {
    expect(userErrorOf(() => parseYaml("model: a\nnode: {}\nmodel: b\n", "dup.yaml")).message).toBe(
      'dup.yaml: line 3, column 1: is not valid YAML: map keys must be unique; "model" is repeated',
    );
  });

  test("any other file the CLI reads is refused above its limit (64 MiB unless a reader sets less)", () => {
    expect(INPUT_LIMITS.maxFileBytes).toBe(64 * 1024 * 1024);
    const file = path.join(dir, "bench.json");
    fs.writeFileSync(file, "{}".padEnd(2048));
    expect(userErrorOf(() => readText(file, 1024)).message).toMatch(
      /bench\.json: is 2,048 bytes, more than the 1,024 bytes \(1 KiB\) an input file may be$/,
    );
  });
});
