import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ScenarioSchema } from "../engine/scenario";

// Pulumi.yaml documents each block's field defaults in prose ("fteFraction
// (default 0.25)"); the schema is where they live. This holds the two equal,
// so a changed default cannot leave the project file saying the old one.
const project = parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as {
  config: Record<string, { description?: string }>;
};

/** `field (default N)` pairs of one config key's description where N is a plain number or word. */
function documentedDefaults(key: string): [string, string][] {
  const text = (project.config[`llm-breakeven:${key}`]?.description ?? "").replace(/\s+/g, " ");
  return [...text.matchAll(/\b([a-zA-Z]+)(?: [a-z|-]+)? \(default (-?[\d.]+|[a-z-]+)\)/g)].map((m) => [m[1]!, m[2]!]);
}

const parsed = ScenarioSchema.parse({
  model: "m",
  node: { machineType: "t" },
  workload: { inputTokensPerMonth: 1, outputTokensPerMonth: 1, inputTokensPerRequest: 1, outputTokensPerRequest: 1 },
  api: { provider: "p", model: "m" },
}) as unknown as Record<string, Record<string, unknown>>;

const cases = ["node", "replicas", "workload", "ops", "api", "serving"].flatMap((block) =>
  documentedDefaults(block)
    .filter(([field]) => parsed[block]?.[field] !== undefined)
    .map(([field, value]) => ({ block, field, value })),
);

describe("Pulumi.yaml's documented defaults are the schema's", () => {
  test("there are documented defaults to check (ops, replicas, workload at least)", () => {
    expect(cases.map((c) => `${c.block}.${c.field}`)).toEqual(
      expect.arrayContaining([
        "ops.fteFraction",
        "ops.overheadPct",
        "replicas.min",
        "replicas.max",
        "workload.hoursPerMonth",
      ]),
    );
  });
  test.each(cases.map((c) => [`${c.block}.${c.field}`, c.value, c] as const))("%s defaults to %s", (_, value, c) => {
    expect(String(parsed[c.block]![c.field])).toBe(value);
  });
});
