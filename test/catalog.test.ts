import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import { hourlyUsdOf, nodePrice } from "../catalog/prices";

const catalog = loadCatalog();

describe("catalogs", () => {
  test("every model config in model-configs/ loads and validates", () => {
    expect(catalog.models.size).toBeGreaterThanOrEqual(6);
    for (const id of [
      "kimi-k2.5",
      "deepseek-v3",
      "llama-3.1-8b-instruct",
      "llama-3.3-70b-instruct",
      "qwen3-32b",
      "qwen3-30b-a3b",
    ]) {
      expect(catalog.models.has(id), id).toBe(true);
    }
  });

  test("every model pins vLLM's image by digest, an exact driver and NCCL", () => {
    for (const model of catalog.models.values()) {
      expect(model.serving.vllmImage, model.id).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect(model.serving.nvidiaDriverVersion, model.id).toMatch(/^\d+\.\d+\.\d+$/);
      expect(model.serving.ncclVersion, model.id).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  test("the reference story's pins: Kimi K2.5 on vLLM 0.15.0, NCCL 2.29.3, and the driver GKE installs on COS (575.57.08; the reference run's 580.126.09 was on a plain VM)", () => {
    const kimi = catalog.models.get("kimi-k2.5")!;
    expect(kimi.serving.vllmVersion).toBe("0.15.0");
    expect(kimi.serving.nvidiaDriverVersion).toBe("575.57.08");
    expect(kimi.serving.ncclVersion).toBe("2.29.3");
  });

  test("every machine type's shape agrees with the price snapshot", () => {
    for (const row of catalog.prices.rows) {
      const m = catalog.machineTypes.get(row.machine_type);
      expect(m, row.machine_type).toBeDefined();
      expect([m!.gpu, m!.gpuCount, m!.vcpu, m!.memoryGB], row.machine_type).toEqual([
        row.gpu,
        row.gpu_count,
        row.vcpu,
        row.ram_gb,
      ]);
    }
  });

  test("every machine type has at least one price", () => {
    const priced = new Set(catalog.prices.rows.map((r) => r.machine_type));
    for (const id of catalog.machineTypes.keys()) expect(priced.has(id), id).toBe(true);
  });
});

describe("node prices", () => {
  test("a3-highgpu-8g spot in us-central1 is USD 50.61/h in the 2026-07-30 snapshot (catalog/data/gcp-gpu-machine-prices.csv)", () => {
    const price = nodePrice(
      catalog.prices,
      { machineType: "a3-highgpu-8g", region: "us-central1", pricing: "spot" },
      "s.yaml",
    );
    expect(price.hourlyUsd).toBeCloseTo(50.61, 2);
    expect(price).toMatchObject({ source: "catalog", asOf: "2026-07-30" });
  });

  test("a 1-year commitment is the monthly price over 730 hours", () => {
    const row = catalog.prices.byKey.get("a3-highgpu-8g@us-central1")!;
    expect(hourlyUsdOf(row, "commit-1y")).toBeCloseTo(44810.08066464 / 730, 6);
  });

  test("an override wins and carries no catalog date", () => {
    expect(
      nodePrice(
        catalog.prices,
        { machineType: "a3-highgpu-8g", region: "us-central1", pricing: "spot", hourlyUsd: 26 },
        "s.yaml",
      ),
    ).toEqual({
      hourlyUsd: 26,
      source: "override",
      reference: "node.hourlyUsd",
    });
  });

  test("a region without a price is an error that says how to supply one, never $0", () => {
    expect(() =>
      nodePrice(catalog.prices, { machineType: "a3-ultragpu-8g", region: "mars-north1", pricing: "spot" }, "s.yaml"),
    ).toThrow(
      /^s\.yaml: node\.region: no a3-ultragpu-8g price in region "mars-north1" \(priced regions for it: .*\); set node\.hourlyUsd to price it yourself$/,
    );
  });

  test("in a stack file the region is named with the file's key prefix, as every other field is", () => {
    expect(() =>
      nodePrice(
        catalog.prices,
        { machineType: "a3-ultragpu-8g", region: "mars-north1", pricing: "spot" },
        "Pulumi.x.yaml",
        undefined,
        "config.llm-breakeven:",
      ),
    ).toThrow(
      /^Pulumi\.x\.yaml: config\.llm-breakeven:node\.region: no a3-ultragpu-8g price in region "mars-north1" .*; set config\.llm-breakeven:node\.hourlyUsd to price it yourself$/,
    );
  });

  test("a pricing model missing from the snapshot is an error too (H200 has no commitments there)", () => {
    expect(() =>
      nodePrice(
        catalog.prices,
        { machineType: "a3-ultragpu-8g", region: "us-central1", pricing: "commit-1y" },
        "s.yaml",
      ),
    ).toThrow(
      /node\.pricing: the catalog has no commit-1y price for a3-ultragpu-8g in us-central1 \(snapshot 2026-10-13\); choose another pricing model or set node\.hourlyUsd/,
    );
  });
});
