import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parseScenario } from "../catalog/scenario-file";
import { OFFLINE_SECRET_PLACEHOLDER, readStackConfig } from "../preview/stack-files";
import { userErrorOf } from "./user-error";
import { tempDir } from "./temp-dir";

/**
 * The offline preview reads a stack as `pulumi preview` does before the
 * program runs (pkg/workspace/config.go mergeConfig and
 * validateStackConfigValue, pulumi/pulumi@1b594989): as strict where the CLI
 * is strict, and no stricter.
 */
const root = path.join(__dirname, "..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A copy of llm-breakeven's Pulumi.yaml with one stack file beside it. */
function project(stackYaml: string): string {
  const dir = tempDir("breakeven-stack-");
  dirs.push(dir);
  fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), stackYaml);
  return dir;
}
const dev = fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8");

describe("reading a stack as the Pulumi CLI does", () => {
  test("a key Pulumi.yaml declares secret: true, set in plain text, is refused with the CLI's sentence", () => {
    const dir = project(`${dev}\n  llm-breakeven:huggingFaceToken: hf_plaintext\n`);
    expect(userErrorOf(() => readStackConfig("s", dir))?.message).toBe(
      `${path.join(dir, "Pulumi.s.yaml")}: config.llm-breakeven:huggingFaceToken: Stack 's' with configuration key 'llm-breakeven:huggingFaceToken' must be encrypted as it's secret (Pulumi.yaml declares it secret: true); set it with \`pulumi config set --secret llm-breakeven:huggingFaceToken\``,
    );
  });

  test("the same key set encrypted (secure:) is a secret the program gets as the offline placeholder", () => {
    const config = readStackConfig("s", project(`${dev}\n  llm-breakeven:huggingFaceToken:\n    secure: v1:abc\n`));
    expect(config.config["llm-breakeven:huggingFaceToken"]).toBe(OFFLINE_SECRET_PLACEHOLDER);
    expect(config.secretKeys).toContain("llm-breakeven:huggingFaceToken");
  });

  test('weightDtype: "" is what Pulumi.yaml documents as the default, and is accepted by the preview and by evaluate', () => {
    const text = `${dev}\n  llm-breakeven:weightDtype: ""\n`;
    expect(readStackConfig("s", project(text)).config["llm-breakeven:weightDtype"]).toBe("");
    expect(parseScenario(text, "Pulumi.s.yaml").scenario.weightDtype).toBeUndefined();
  });

  test("a stack without weightDtype gets the declared default written in, as the CLI writes it", () => {
    expect(readStackConfig("s", project(dev)).config["llm-breakeven:weightDtype"]).toBe("");
  });

  test("a typed key of the wrong type is refused: node must be an object", () => {
    const text = dev.replace(/llm-breakeven:node:\n(\s+.+\n)+/, "llm-breakeven:node: a3-highgpu-8g\n");
    expect(userErrorOf(() => readStackConfig("s", project(text)))?.message).toMatch(
      /config\.llm-breakeven:node: Stack 's' with configuration key 'llm-breakeven:node' must be of type 'object'$/,
    );
  });

  test("a declared key without a default that the stack lacks is refused, as the CLI refuses it", () => {
    const text = dev.replace(/ {2}llm-breakeven:model: kimi-k2\.5\n/, "");
    expect(userErrorOf(() => readStackConfig("s", project(text)))?.message).toMatch(
      /: config: Stack 's' is missing configuration value 'llm-breakeven:model' /,
    );
  });
});
