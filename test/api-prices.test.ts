import { describe, expect, test } from "vitest";
import { apiPriceFor } from "../catalog/api-prices";
import { ScenarioSchema, type Scenario } from "../engine/scenario";

function scenario(api: Record<string, unknown>, inputTokensPerRequest = 3000): Scenario {
  return ScenarioSchema.parse({
    model: "m",
    node: { machineType: "t" },
    workload: {
      inputTokensPerMonth: 60e6,
      outputTokensPerMonth: 20e6,
      inputTokensPerRequest,
      outputTokensPerRequest: 1000,
    },
    api,
  });
}

describe("API prices from @pydantic/genai-prices, per request shape", () => {
  test("Gemini 3 Pro with 3,000-token prompts is USD 2 / 12 per 1M input / output tokens, cache reads USD 0.2", () => {
    const price = apiPriceFor(scenario({ provider: "google", model: "gemini-3-pro-preview" }), "s.yaml");
    expect(price.inputUsdPerMTok).toBeCloseTo(2, 9);
    expect(price.outputUsdPerMTok).toBeCloseTo(12, 9);
    expect(price.cachedInputUsdPerMTok).toBeCloseTo(0.2, 9);
    expect(price.source).toBe("genai-prices");
  });

  test("Gemini 3 Pro with 300,000-token prompts lands in the long-context tier: USD 4 / 18", () => {
    const price = apiPriceFor(scenario({ provider: "google", model: "gemini-3-pro-preview" }, 300_000), "s.yaml");
    expect(price.inputUsdPerMTok).toBeCloseTo(4, 9);
    expect(price.outputUsdPerMTok).toBeCloseTo(18, 9);
  });

  test.each([
    ["openai", "gpt-4o", 2.5, 10],
    ["groq", "llama-3.3-70b-versatile", 0.59, 0.79],
  ])("%s %s is USD %d / %d", (provider, model, input, output) => {
    const price = apiPriceFor(scenario({ provider, model }), "s.yaml");
    expect(price.inputUsdPerMTok).toBeCloseTo(input, 9);
    expect(price.outputUsdPerMTok).toBeCloseTo(output, 9);
  });

  test("a stack's override wins, with cache reads at 10 % of input when not given", () => {
    const price = apiPriceFor(
      scenario({ provider: "google", model: "gemini-3-pro-preview", inputUsdPerMTok: 1, outputUsdPerMTok: 5 }),
      "s.yaml",
    );
    expect(price).toMatchObject({
      inputUsdPerMTok: 1,
      outputUsdPerMTok: 5,
      cachedInputUsdPerMTok: 0.1,
      source: "override",
    });
  });

  test("an unknown model is an error naming api.model and how to price it yourself", () => {
    expect(() => apiPriceFor(scenario({ provider: "google", model: "gemini-9-ultra" }), "s.yaml")).toThrow(
      /^s\.yaml: api\.model: @pydantic\/genai-prices [\d.]+ has no price for model "gemini-9-ultra" of provider "google"; .* set api\.inputUsdPerMTok and api\.outputUsdPerMTok$/,
    );
  });
  test("a wrong DeepSeek id lists the ids the provider has, deepseek-chat (genai-prices' name for DeepSeek-V3) first", () => {
    expect(() => apiPriceFor(scenario({ provider: "deepseek", model: "deepseek-v3" }), "s.yaml")).toThrow(
      /has no price for model "deepseek-v3" of provider "deepseek"; nearest ids of deepseek: deepseek-chat, deepseek-v3\.2, /,
    );
  });
  test("an unknown provider says so instead of listing ids", () => {
    expect(() => apiPriceFor(scenario({ provider: "nosuchprovider", model: "x" }), "s.yaml")).toThrow(
      /the library has no provider "nosuchprovider"/,
    );
  });
  test("in a stack file the field carries the file's key prefix, as every resolver's does", () => {
    expect(() =>
      apiPriceFor(scenario({ provider: "google", model: "gemini-9-ultra" }), "Pulumi.x.yaml", "config.llm-breakeven:"),
    ).toThrow(
      /^Pulumi\.x\.yaml: config\.llm-breakeven:api\.model: .* set config\.llm-breakeven:api\.inputUsdPerMTok and config\.llm-breakeven:api\.outputUsdPerMTok$/,
    );
  });
});
