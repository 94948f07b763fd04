import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { evaluateFile } from "../cli/commands/evaluate";
import { usd } from "../reports/format";

const root = path.join(__dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

/** The README's table of shipped stacks: stack -> its cells. */
function readmeStackRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readme.split("\n")) {
    const m = line.match(/^\| `([\w-]+)` \| (.*) \|$/);
    if (m && fs.existsSync(path.join(root, `Pulumi.${m[1]}.yaml`))) rows.set(m[1]!, m[2]!.split(" | "));
  }
  return rows;
}

const VERDICT = { "self-host": "self-host", api: "API", "api-not-allowed": "self-host" } as const;

describe("the README's table of shipped stacks is what breakeven evaluate prints", () => {
  const rows = readmeStackRows();

  test("it lists every shipped stack", () => {
    const stacks = fs
      .readdirSync(root)
      .filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f))
      .map((f) => f.slice("Pulumi.".length, -".yaml".length));
    expect([...rows.keys()].sort()).toEqual(stacks.sort());
  });

  test.each([...readmeStackRows().keys()])(
    "%s: verdict, monthly costs, savings and the target that applied",
    (stack) => {
      const [, verdict, costs, savings, , perRequest] = rows.get(stack)!;
      const { evaluation: e } = evaluateFile(path.join(root, `Pulumi.${stack}.yaml`), "2026-11-23");
      expect(verdict).toBe(VERDICT[e.verdict]);
      expect(costs).toContain(`${usd(e.selfHost.monthlyUsd.total)} / ${usd(e.api.monthlyUsd)}`);
      expect(savings).toBe(e.savingsMonthlyUsd === null ? "none (cannot serve)" : usd(e.savingsMonthlyUsd));
      expect(perRequest).toBe(
        `${Math.round(e.selfHost.capacity.perRequestOutputTokensPerSecond)} tok/s, ${Math.round(e.selfHost.capacity.ttftMs).toLocaleString("en-US")} ms`,
      );
      expect(e.latencyTarget.source).toBe("interactive-default");
    },
  );
});
