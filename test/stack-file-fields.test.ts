import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { inputsFromFile } from "../catalog/inputs-from-file";
import { fromRoot } from "../catalog/paths";
import { tempDir } from "./temp-dir";
import { userErrorOf } from "./user-error";

// The dev stack file (Kimi K2.5 on a3-highgpu-8g against Gemini 3 Pro) with one value made wrong.
const devStack = fs.readFileSync(fromRoot("Pulumi.dev.yaml"), "utf8");

/** The stack file with `from` replaced by `to` (which must occur), written as Pulumi.<stack>.yaml. */
function stackFileWith(from: string, to: string): string {
  expect(devStack).toContain(from);
  const file = path.join(tempDir("stack-fields-"), "Pulumi.bad.yaml");
  fs.writeFileSync(file, devStack.replace(from, to));
  return file;
}

describe("every resolver names a stack file's bad value by its key in the file, config.llm-breakeven:...", () => {
  test.each([
    ["a region the price catalog has no price in", "    region: us-central1", "    region: mars-north1", "node.region"],
    ["an unknown machine type", "machineType: a3-highgpu-8g", "machineType: a9-nope", "node.machineType"],
    ["an unknown model", "llm-breakeven:model: kimi-k2.5", "llm-breakeven:model: no-such-model", "model"],
    [
      "a checkpoint the model does not ship",
      "llm-breakeven:model: kimi-k2.5",
      "llm-breakeven:model: kimi-k2.5\n  llm-breakeven:weightDtype: fp8",
      "weightDtype",
    ],
    ["an API model the price library lacks", "model: gemini-3-pro-preview", "model: gemini-9-ultra", "api.model"],
    [
      "a tensor-parallel size that does not fill the node",
      "    pricing: spot\n",
      "    pricing: spot\n    tensorParallel: 3\n",
      "node.tensorParallel",
    ],
    ["a max-model-len shorter than one request", "maxModelLen: 4096", "maxModelLen: 2048", "serving.maxModelLen"],
    [
      "a request longer than the model's context",
      "inputTokensPerRequest: 3000",
      "inputTokensPerRequest: 300000",
      "workload.inputTokensPerRequest",
    ],
  ])("%s", (_case, from, to, field) => {
    const file = stackFileWith(from, to);
    const err = userErrorOf(() => inputsFromFile(file, "2026-12-01"));
    expect(err.file).toBe(file);
    expect(err.field).toBe(`config.llm-breakeven:${field}`);
  });
});
