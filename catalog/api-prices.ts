import { calcPrice } from "@pydantic/genai-prices";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ApiPrice } from "../engine/evaluate";
import type { Scenario } from "../engine/scenario";
import { apiPriceData } from "./api-price-data";
import { nearestApiModelIds } from "./api-model-suggest";
import { UserInputError } from "./errors";

/** Version of the bundled price data: the library's own version. */
export const GENAI_PRICES_VERSION: string = (() => {
  // The package's exports map hides package.json; read it next to its entry point.
  const entry = require.resolve("@pydantic/genai-prices");
  const pkg = path.join(path.dirname(entry), "..", "package.json");
  return String((JSON.parse(fs.readFileSync(pkg, "utf8")) as { version: unknown }).version);
})();

/** Fallback cache-read price when neither the stack nor the library gives one: cache reads cost about a tenth of input (Anthropic bills them at 0.1x the base input price, https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing). */
const CACHED_INPUT_SHARE_OF_INPUT = 0.1;

/**
 * The API's prices at the workload's request shape. Tiers in
 * @pydantic/genai-prices follow the prompt size of one call, so one request
 * of the declared shape is priced and the per-token rates read back from it;
 * a month's tokens priced as one call would land in the top tier.
 */
export function apiPriceFor(scenario: Scenario, file: string, fieldPrefix = ""): ApiPrice {
  const api = scenario.api;
  const shared = {
    cachedInputShare: api.cachedInputShare,
    batchShare: api.batchShare,
    batchDiscount: api.batchDiscount,
    provider: api.provider,
    model: api.model,
  };
  if (api.inputUsdPerMTok !== undefined && api.outputUsdPerMTok !== undefined) {
    return {
      ...shared,
      inputUsdPerMTok: api.inputUsdPerMTok,
      outputUsdPerMTok: api.outputUsdPerMTok,
      cachedInputUsdPerMTok: api.cachedInputUsdPerMTok ?? api.inputUsdPerMTok * CACHED_INPUT_SHARE_OF_INPUT,
      source: "override",
      note: "prices set in the stack's api block",
    };
  }
  // First: an override data file (api-prices.yaml) must be in the library before it prices anything.
  const data = apiPriceData(GENAI_PRICES_VERSION);
  const inputTokens = Math.max(1, scenario.workload.inputTokensPerRequest);
  const outputTokens = scenario.workload.outputTokensPerRequest;
  const plain = calcPrice({ input_tokens: inputTokens, output_tokens: outputTokens }, api.model, {
    providerId: api.provider,
  });
  if (!plain) {
    throw new UserInputError(
      file,
      `${fieldPrefix}api.model`,
      `@pydantic/genai-prices ${GENAI_PRICES_VERSION} has no price for model "${api.model}" of provider "${api.provider}"; ${modelHint(api.provider, api.model)}, or set ${fieldPrefix}api.inputUsdPerMTok and ${fieldPrefix}api.outputUsdPerMTok`,
    );
  }
  const cached = calcPrice(
    { input_tokens: inputTokens, cache_read_tokens: inputTokens, output_tokens: outputTokens },
    api.model,
    { providerId: api.provider },
  );
  const inputUsdPerMTok = (plain.input_price / inputTokens) * 1e6;
  const outputUsdPerMTok = (plain.output_price / outputTokens) * 1e6;
  const libraryCached =
    cached && plain.model_price["cache_read_mtok"] !== undefined ? (cached.input_price / inputTokens) * 1e6 : undefined;
  return {
    ...shared,
    provider: plain.provider.id,
    model: plain.model.id,
    inputUsdPerMTok,
    outputUsdPerMTok,
    cachedInputUsdPerMTok: api.cachedInputUsdPerMTok ?? libraryCached ?? inputUsdPerMTok * CACHED_INPUT_SHARE_OF_INPUT,
    source: "genai-prices",
    asOf: data.label,
    dataDate: data.dataDate,
    note: `priced at ${scenario.workload.inputTokensPerRequest} input / ${outputTokens} output tokens per request`,
  };
}

/** What to try instead of an id the library lacks: the provider's nearest ids, or a note that the provider is unknown. */
function modelHint(providerId: string, model: string): string {
  const nearest = nearestApiModelIds(providerId, model);
  if (nearest === undefined)
    return `the library has no provider "${providerId}" (e.g. google, openai, anthropic, deepseek)`;
  return `nearest ids of ${providerId}: ${nearest.join(", ")}`;
}
