import { describe, expect, test } from "vitest";
import { loadCatalog } from "../catalog/load";
import type { ThroughputRow } from "../calibration/points";
import { sglangMemFractionStatic } from "../calibration/sglang-memory";

const h100 = loadCatalog().gpus.get("h100-80gb")!;
const row = (engine_version: string, notes = "") => ({ id: "x", engine_version, notes }) as ThroughputRow;

describe("SGLang's default mem_fraction_static", () => {
  test("0.5.x on one H100 (79.19 GiB) reserves 512 + 1.5 x 8192 + 2 x 256 + 128 = 13,440 MiB: (81,091 - 13,440) / 81,091 = 0.834", () => {
    expect(sglangMemFractionStatic(row("0.5.5.post1"), h100, 1, 1)).toBe(0.834);
  });

  test("0.4.x takes it from the TP size: 0.88 at TP 1, 0.81 at TP 8", () => {
    expect(sglangMemFractionStatic(row("0.4.5.post1"), h100, 1, 1)).toBe(0.88);
    expect(sglangMemFractionStatic(row("0.4.5.post1"), h100, 8, 1)).toBe(0.81);
  });

  test("DP attention over 8 ranks at TP 8 reserves 3 x 512 x 8 MiB more, and 1.5 x more above a max batch of 300", () => {
    const plain = 512 + 1.5 * 8192 + 2 * 512 + 1024;
    const withDp = plain + 512 * 8 * 4.5;
    const mib = h100.cudaTotalGiB * 1024;
    expect(sglangMemFractionStatic(row("0.5.3", "--enable-dp-attention --dp-size 8"), h100, 8, 1)).toBe(
      Math.round(((mib - withDp) / mib) * 1000) / 1000,
    );
  });
});
