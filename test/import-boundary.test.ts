import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";

const root = path.join(__dirname, "..");
const engineDir = path.join(root, "engine");

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/(?:require|import)\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1]!);
  return specs;
}

describe("the engine is pure", () => {
  const files = fs.readdirSync(engineDir).filter((f) => f.endsWith(".ts"));

  test("there are engine modules to check", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  test.each(files)("engine/%s imports only zod and other engine modules", (name) => {
    for (const spec of importsOf(path.join(engineDir, name))) {
      const ok = spec === "zod" || (spec.startsWith("./") && !spec.includes(".."));
      expect(ok, `engine/${name} imports ${spec}`).toBe(true);
    }
  });

  test("the import scanner would catch a forbidden import", () => {
    const tmp = path.join(fs.mkdtempSync(path.join(require("node:os").tmpdir(), "boundary-")), "bad.ts");
    fs.writeFileSync(tmp, 'import * as fs from "node:fs";\nimport { x } from "../catalog/load";\nconst p = require("@pulumi/pulumi");\n');
    expect(importsOf(tmp)).toEqual(["node:fs", "../catalog/load", "@pulumi/pulumi"]);
  });
});

describe("adapters do not import each other", () => {
  function tsFilesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => path.join(dir, f));
  }
  test.each([
    ["policies", "infra"],
    ["infra", "policies"],
    ["reports", "infra"],
    ["reports", "policies"],
  ])("%s never imports %s", (from, forbidden) => {
    for (const file of tsFilesUnder(path.join(root, from))) {
      for (const spec of importsOf(file)) {
        const resolved = spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : spec;
        expect(resolved.startsWith(path.join(root, forbidden) + path.sep) || resolved === path.join(root, forbidden), `${path.relative(root, file)} imports ${spec}`).toBe(false);
      }
    }
  });
});
