import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { tempDir } from "./temp-dir";

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
    const tmp = path.join(tempDir("boundary-"), "bad.ts");
    fs.writeFileSync(
      tmp,
      'import * as fs from "node:fs";\nimport { x } from "../catalog/load";\nconst p = require("@pulumi/pulumi");\n',
    );
    expect(importsOf(tmp)).toEqual(["node:fs", "../catalog/load", "@pulumi/pulumi"]);
  });
});

function tsFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
}

/** The project folder an import lands in ("engine", "reports", ...), or the package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith(".")) return spec;
  return path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!;
}

// One direction (STYLE.md, "The shape we aim for"): data and catalogs, the engine, then the adapters
// (infra, policies, preview, reports) and the CLI at the top. Infra and policies never import each other;
// reports take the result object and know nothing of Pulumi; nothing imports the CLI.
const FORBIDDEN: [from: string, forbidden: string[]][] = [
  ["infra", ["policies", "preview", "reports", "cli"]],
  ["policies", ["infra", "preview", "reports", "cli"]],
  ["preview", ["cli", "policies"]],
  ["reports", ["infra", "policies", "preview", "cli"]],
  ["catalog", ["infra", "policies", "preview", "reports", "cli"]],
];

describe("imports flow one way", () => {
  test.each(FORBIDDEN)("%s never imports %j", (from, forbidden) => {
    const files = tsFilesUnder(path.join(root, from));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const spec of importsOf(file))
        expect(forbidden.includes(target(file, spec)), `${path.relative(root, file)} imports ${spec}`).toBe(false);
    }
  });

  test("reports know nothing of Pulumi", () => {
    for (const file of tsFilesUnder(path.join(root, "reports"))) {
      for (const spec of importsOf(file))
        expect(spec.startsWith("@pulumi/"), `${path.relative(root, file)} imports ${spec}`).toBe(false);
    }
  });

  test("the CLI reads the policy list from the pack's one registry, not from the policy modules", () => {
    const cliImports = tsFilesUnder(path.join(root, "cli")).flatMap((f) =>
      importsOf(f).map((spec) => ({ f, spec, to: target(f, spec) })),
    );
    const policyImports = cliImports.filter((i) => i.to === "policies").map((i) => path.basename(i.spec));
    expect([...new Set(policyImports)]).toEqual(["registry"]);
    const pack = importsOf(path.join(root, "policies", "index.ts"));
    expect(pack.filter((s) => s.startsWith("./"))).toEqual(["./registry"]);
  });

  test("the rule sees an import that climbs", () => {
    expect(target(path.join(root, "preview", "run.ts"), "../cli/commands/evaluate")).toBe("cli");
    expect(target(path.join(root, "preview", "run.ts"), "./collect")).toBe("preview");
  });
});
