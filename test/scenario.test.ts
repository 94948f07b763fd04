import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseScenario } from "../catalog/scenario-file";
import { userErrorOf } from "./user-error";
import { ScenarioSchema } from "../engine/scenario";
import { z } from "zod";
import { objectKeysAt } from "../catalog/errors";

const minimal = `
model: llama-3.1-8b-instruct
node: { machineType: a3-highgpu-1g }
workload: { inputTokensPerMonth: 1e8, outputTokensPerMonth: 5e7, inputTokensPerRequest: 1000, outputTokensPerRequest: 500 }
api: { provider: openai, model: gpt-4o }
`;

const errorOf = (text: string, file = "scenario.yaml") => userErrorOf(() => parseScenario(text, file)).message;

describe("scenario defaults", () => {
  test("a minimal scenario gets every documented default", () => {
    const { scenario } = parseScenario(minimal, "scenario.yaml");
    expect(scenario.node).toEqual({
      machineType: "a3-highgpu-1g",
      region: "us-central1",
      pricing: "spot",
      nodesPerReplica: 1,
    });
    expect(scenario.replicas).toEqual({ min: 1, max: 4 });
    expect(scenario.workload.utilization).toBe(0.6);
    expect(scenario.workload.hoursPerMonth).toBe(730);
    expect(scenario.ops).toEqual({
      fteFraction: 0.25,
      fteMonthlyUsd: 16000,
      fixedMonthlyUsd: 300,
      overheadPct: 30,
      oneTimeUsd: 0,
      amortizeMonths: 12,
    });
    expect(scenario.workload.tokenOverheadPct).toBe(0);
    expect(scenario.api).toMatchObject({ cachedInputShare: 0, batchShare: 0, batchDiscount: 0.5, allowed: true });
    expect(scenario.serving).toEqual({ gpuMemoryUtilization: 0.9, kvCacheDtype: "auto", blockSize: 16 });
  });
});

describe("a mistake in a scenario is one line naming the file, the field, the value and what is valid", () => {
  test("a typo in a key", () => {
    expect(errorOf(minimal.replace("machineType", "machinType"))).toBe(
      'scenario.yaml: node.machinType: unknown key "machinType" (did you mean "machineType"?); check its spelling',
    );
  });

  test("a typo in a key that has a default still gets the nearest valid key", () => {
    expect(
      errorOf(minimal.replace("{ machineType: a3-highgpu-1g }", "{ machineType: a3-highgpu-1g, pricng: spot }")),
    ).toBe('scenario.yaml: node.pricng: unknown key "pricng" (did you mean "pricing"?); check its spelling');
  });

  test("an unknown key far from any valid one lists the valid keys", () => {
    expect(
      errorOf(minimal.replace("{ machineType: a3-highgpu-1g }", "{ machineType: a3-highgpu-1g, gpuFlavor: x }")),
    ).toBe(
      'scenario.yaml: node.gpuFlavor: unknown key "gpuFlavor" (valid keys: machineType, region, pricing, hourlyUsd, nodesPerReplica, tensorParallel, pipelineParallel, preemptionsPerDay, coldStartMinutes); check its spelling',
    );
  });

  test("the valid keys are found through defaults, optionals, nullables and arrays", () => {
    const schema = z.object({
      fleets: z
        .array(z.object({ node: z.object({ machineType: z.string(), region: z.string() }).nullable().default(null) }))
        .optional(),
    });
    expect(objectKeysAt(schema, [])).toEqual(["fleets"]);
    expect(objectKeysAt(schema, ["fleets", 0])).toEqual(["node"]);
    expect(objectKeysAt(schema, ["fleets", 0, "node"])).toEqual(["machineType", "region"]);
    expect(objectKeysAt(schema, ["fleets", "node"])).toEqual([]);
    expect(objectKeysAt(schema, ["nothing"])).toEqual([]);
  });

  test("a negative volume", () => {
    expect(errorOf(minimal.replace("outputTokensPerMonth: 5e7", "outputTokensPerMonth: -5"))).toMatch(
      /^scenario\.yaml: workload\.outputTokensPerMonth: -5 is not valid: .*0/,
    );
  });

  test("an unknown pricing model lists the valid ones", () => {
    expect(
      errorOf(
        minimal.replace("{ machineType: a3-highgpu-1g }", "{ machineType: a3-highgpu-1g, pricing: preemptible }"),
      ),
    ).toBe(
      'scenario.yaml: node.pricing: "preemptible" is not valid: expected one of "spot", "on-demand", "commit-1y", "commit-3y"',
    );
  });

  test("a missing required block", () => {
    expect(errorOf(minimal.replace(/^api:.*$/m, ""))).toMatch(/^scenario\.yaml: api: is required/);
  });

  test("malformed YAML names the line", () => {
    expect(errorOf("model: [unclosed\nnode: {")).toMatch(/^scenario\.yaml: line \d+, column \d+: is not valid YAML/);
  });

  test("a stack file's unknown llm-breakeven key is named with its namespace", () => {
    const stack = "config:\n  gcp:project: p\n  llm-breakeven:modle: x\n";
    expect(errorOf(stack, "Pulumi.dev.yaml")).toMatch(
      /^Pulumi\.dev\.yaml: config\.llm-breakeven:modle: unknown key "modle"; valid llm-breakeven: keys are model, weightDtype/,
    );
  });

  test("a stack file's bad value is named by its config key", () => {
    const stack = `config:\n${minimal
      .trim()
      .split("\n")
      .map((l) => `  llm-breakeven:${l}`)
      .join("\n")}\n`.replace("outputTokensPerRequest: 500", "outputTokensPerRequest: 0");
    expect(errorOf(stack, "Pulumi.dev.yaml")).toMatch(
      /^Pulumi\.dev\.yaml: config\.llm-breakeven:workload\.outputTokensPerRequest: 0 is not valid/,
    );
  });
});

describe("stack files are told by content, not by name", () => {
  const asStack = (scenario: string) =>
    `config:\n  gcp:project: p\n${scenario
      .trim()
      .split("\n")
      .map((l) => `  llm-breakeven:${l}`)
      .join("\n")}\n`;

  test("a stack file renamed to prod.yaml is still read from its llm-breakeven: keys", () => {
    const loaded = parseScenario(asStack(minimal), "prod.yaml");
    expect(loaded.kind).toBe("stack");
    expect(loaded.fieldPrefix).toBe("config.llm-breakeven:");
    expect(loaded.scenario.node.machineType).toBe("a3-highgpu-1g");
  });

  test("a renamed stack file's bad value is named by its config key, not as an unknown key config", () => {
    expect(
      errorOf(asStack(minimal).replace("outputTokensPerRequest: 500", "outputTokensPerRequest: 0"), "prod.yaml"),
    ).toMatch(/^prod\.yaml: config\.llm-breakeven:workload\.outputTokensPerRequest: 0 is not valid/);
  });

  test("the old <namespace>:config:<name> form Pulumi still accepts counts as namespaced", () => {
    expect(
      parseScenario("config:\n  gcp:config:project: p\n" + asStack(minimal).slice("config:\n".length), "s.yaml").kind,
    ).toBe("stack");
  });

  test("a config: key without a namespace is named, with the form Pulumi requires", () => {
    expect(errorOf("config:\n  model: llama-3.1-8b-instruct\n", "prod.yaml")).toBe(
      "prod.yaml: config.model: stack config keys have the form <namespace>:<name> (for example llm-breakeven:model); a scenario file has no config: block",
    );
  });

  test("a config: that is not a mapping is an error, whatever the file is called", () => {
    expect(errorOf("config: [a, b]\n", "prod.yaml")).toBe(
      "prod.yaml: config: must be a mapping of stack config keys (<namespace>:<name>: value)",
    );
  });

  test("a scenario without config: is a scenario even when it is called Pulumi.dev.yaml", () => {
    expect(parseScenario(minimal, "Pulumi.dev.yaml").kind).toBe("scenario");
  });
});

describe("schema properties", () => {
  const validScenario = fc.record({
    outputTokensPerMonth: fc.double({ min: 1, max: 1e12, noNaN: true }),
    inputTokensPerMonth: fc.double({ min: 0, max: 1e12, noNaN: true }),
    utilization: fc.double({ min: 0.01, max: 1, noNaN: true }),
    min: fc.integer({ min: 0, max: 8 }),
    extra: fc.integer({ min: 0, max: 8 }),
  });

  test("every well-formed scenario parses, and parsing is idempotent", () => {
    fc.assert(
      fc.property(validScenario, (v) => {
        const input = {
          model: "m",
          node: { machineType: "t" },
          replicas: { min: v.min, max: Math.max(1, v.min + v.extra) },
          workload: {
            inputTokensPerMonth: v.inputTokensPerMonth,
            outputTokensPerMonth: v.outputTokensPerMonth,
            inputTokensPerRequest: 100,
            outputTokensPerRequest: 100,
            utilization: v.utilization,
          },
          api: { provider: "p", model: "m" },
        };
        const once = ScenarioSchema.parse(input);
        expect(ScenarioSchema.parse(once)).toEqual(once);
      }),
    );
  });

  test("a utilization outside (0, 1] is always rejected", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ max: 0, noNaN: true }), fc.double({ min: 1.0000001, noNaN: true })), (u) => {
        const r = ScenarioSchema.shape.workload.safeParse({
          inputTokensPerMonth: 1,
          outputTokensPerMonth: 1,
          inputTokensPerRequest: 1,
          outputTokensPerRequest: 1,
          utilization: u,
        });
        expect(r.success).toBe(false);
      }),
    );
  });
});
