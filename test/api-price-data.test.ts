import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { apiPriceData, resolveApiPriceData, type ApiPriceDataFile } from "../catalog/api-price-data";
import { GENAI_PRICES_VERSION } from "../catalog/api-prices";
import { userErrorOf } from "./user-error";
import { tempDir } from "./temp-dir";

const config: ApiPriceDataFile = {
  version: 1,
  package: { name: "@pydantic/genai-prices", version: "0.1.8", dataDate: "2026-09-23", source: "npm publish time" },
};
const dir = tempDir("api-price-data-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("which API price data the reports name", () => {
  test("catalog/data/api-prices.yaml dates the installed package: every report names its version and data date", () => {
    const data = apiPriceData(GENAI_PRICES_VERSION);
    expect(data.dataDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(data.label).toBe(`@pydantic/genai-prices ${GENAI_PRICES_VERSION}, data of ${data.dataDate}`);
  });

  test("after a package update without a new date the data date is unknown, and the label says so", () => {
    const data = resolveApiPriceData(config, "0.2.0", dir);
    expect(data).toMatchObject({ label: "@pydantic/genai-prices 0.2.0, data date unknown", dataDate: undefined });
    expect(data.dateSource).toContain("update its package.version and dataDate");
  });

  test("an override data file is handed to the package's updatePrices and dated by its fetch day", () => {
    const file = path.join(dir, "data.json");
    fs.writeFileSync(
      file,
      JSON.stringify([
        {
          id: "openai",
          name: "OpenAI",
          api_pattern: "x",
          models: [{ id: "gpt-4o", match: { equals: "gpt-4o" }, prices: { input_mtok: 2, output_mtok: 8 } }],
        },
      ]),
    );
    const applied: unknown[] = [];
    const data = resolveApiPriceData(
      { ...config, override: { file: "data.json", fetchedOn: "2026-11-30" } },
      "0.1.8",
      dir,
      (p) => applied.push(p),
    );
    expect(data).toMatchObject({
      label: "@pydantic/genai-prices 0.1.8 with data.json of 2026-11-30",
      dataDate: "2026-11-30",
    });
    expect(applied).toHaveLength(1);
  });

  test("an override that is not the package's data format is exit 2 naming the file", () => {
    const file = path.join(dir, "bad.json");
    fs.writeFileSync(file, JSON.stringify({ providers: [] }));
    const err = userErrorOf(() =>
      resolveApiPriceData(
        { ...config, override: { file: "bad.json", fetchedOn: "2026-11-30" } },
        "0.1.8",
        dir,
        () => undefined,
      ),
    );
    expect(err.file).toBe(file);
  });
});
