import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import type { Evaluation } from "../engine/evaluate";
import { breakEvenLine } from "../reports/evaluation-table";

// The frozen verdict of the report goldens: 1 replica at a measured 1,000 tok/s, 20M output tokens declared at 60 % utilization.
const verdict = JSON.parse(
  fs.readFileSync(path.join(__dirname, "golden", "preview-verdict.json"), "utf8"),
) as Evaluation;

describe("the break-even line", () => {
  test("names the break-even volume next to the declared one", () => {
    expect(breakEvenLine(verdict)).toBe(
      "29 % utilization of 1 replica(s); self-hosting is cheaper from 766.11M output tokens a month (declared 20M); each replica would need 486 output tok/s at 60 % utilization (0.5x its 1,000)",
    );
  });

  test("when no volume pays, says why and the declared volume in one parenthesis", () => {
    const never = { ...verdict, breakEven: { ...verdict.breakEven, monthlyOutputTokens: null } };
    expect(breakEvenLine(never)).toBe(
      "29 % utilization of 1 replica(s); no output volume makes self-hosting cheaper (declared 20M; each added replica costs more per token than the API); each replica would need 486 output tok/s at 60 % utilization (0.5x its 1,000)",
    );
  });
});
