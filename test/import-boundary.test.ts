import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { POLICIES } from "../policies/registry";
import { POLICY_NAMES } from "../policies/names";
import { tempDir } from "./temp-dir";

// The house rules this file enforces, each quoted from the project's style guide (copied into README.md,
// "House rules the tests enforce", so the project does not depend on a file outside it). A rule is a named
// test; breaking the rule fails it with the file and the line that broke it.

const root = path.join(__dirname, "..");
const engineDir = path.join(root, "engine");
/** The project's own source folders (tests, examples and generated output are not the product). */
const SOURCE_DIRS = ["engine", "catalog", "calibration", "infra", "policies", "preview", "reports", "cli", "bench"];

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/(?:require|import)\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) specs.push(m[1]!);
  return specs;
}

function tsFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.split(path.sep).includes("node_modules"))
    .map((f) => path.join(dir, f));
}

const sourceFiles = () => SOURCE_DIRS.flatMap((d) => tsFilesUnder(path.join(root, d)));
const rel = (file: string) => path.relative(root, file);

/** The text of a file without its comments, so a rule about code is not tripped by prose. */
function codeOf(file: string): string {
  return fs
    .readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** Lines of `files` whose code matches `pattern`, as "file:line: text". */
function offending(files: string[], pattern: RegExp): string[] {
  return files.flatMap((f) =>
    codeOf(f)
      .split("\n")
      .flatMap((line, i) => (pattern.test(line) ? [`${rel(f)}:${i + 1}: ${line.trim()}`] : [])),
  );
}

/** The project folder an import lands in ("engine", "reports", ...), or the package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith(".")) return spec;
  return path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!;
}

describe('"The cost and capacity model imports no Pulumi and reads no files ... the verdict is a function of them"', () => {
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

  test("the engine reads no clock, environment or randomness: the same inputs give the same verdict", () => {
    const files = tsFilesUnder(engineDir);
    expect(offending(files, /\bprocess\.|\bDate\.now\(|new Date\(\s*\)|Math\.random\(/)).toEqual([]);
  });

  test("the import scanner would catch a forbidden import", () => {
    const tmp = path.join(tempDir("boundary-"), "bad.ts");
    fs.writeFileSync(
      tmp,
      'import * as fs from "node:fs";\nimport { x } from "../catalog/load";\nconst p = require("@pulumi/pulumi");\nimport "../infra/config";\n',
    );
    expect(importsOf(tmp)).toEqual(["node:fs", "../catalog/load", "@pulumi/pulumi", "../infra/config"]);
  });
});

// "Data flows one way: config and catalogs in, a verdict out, rendered or enforced at the edge." and "Arrows
// never point back: the engine imports none of the boxes below it; policies and infra never import each other
// (the preview harness runs both); reports take the result object and know nothing of Pulumi."
// The CLI is at the top: nothing imports it.
const FORBIDDEN: [from: string, forbidden: string[]][] = [
  ["catalog", ["infra", "policies", "preview", "reports", "cli"]],
  ["calibration", ["infra", "policies", "preview", "reports", "cli"]],
  ["infra", ["policies", "preview", "reports", "cli"]],
  ["policies", ["infra", "preview", "reports", "cli"]],
  ["preview", ["cli", "policies"]],
  ["reports", ["infra", "policies", "preview", "cli"]],
];

describe('"Data flows one way ... Arrows never point back"', () => {
  test.each(FORBIDDEN)("%s never imports %j", (from, forbidden) => {
    const files = tsFilesUnder(path.join(root, from));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const spec of importsOf(file))
        expect(forbidden.includes(target(file, spec)), `${rel(file)} imports ${spec}`).toBe(false);
    }
  });

  test("reports know nothing of Pulumi", () => {
    for (const file of tsFilesUnder(path.join(root, "reports"))) {
      for (const spec of importsOf(file))
        expect(spec.startsWith("@pulumi/"), `${rel(file)} imports ${spec}`).toBe(false);
    }
  });

  test("no module imports itself back through others: the file import graph has no cycle", () => {
    expect(importCycles(sourceFiles())).toEqual([]);
  });

  test("the cycle finder sees a circle of two files", () => {
    const dir = tempDir("cycle-");
    fs.writeFileSync(path.join(dir, "a.ts"), 'import { b } from "./b";\nexport const a = b;\n');
    fs.writeFileSync(path.join(dir, "b.ts"), 'import { a } from "./a";\nexport const b = a;\n');
    expect(importCycles([path.join(dir, "a.ts"), path.join(dir, "b.ts")]).length).toBe(1);
  });

  test("the CLI reads the policy names from their one home (policies/names.ts), not from the policy modules", () => {
    const cliImports = tsFilesUnder(path.join(root, "cli")).flatMap((f) =>
      importsOf(f).map((spec) => ({ f, spec, to: target(f, spec) })),
    );
    const policyImports = cliImports.filter((i) => i.to === "policies").map((i) => path.basename(i.spec));
    expect([...new Set(policyImports)]).toEqual(["names"]);
    const pack = importsOf(path.join(root, "policies", "index.ts"));
    expect(pack.filter((s) => s.startsWith("./"))).toEqual(["./registry"]);
  });

  test("the rule sees an import that climbs", () => {
    expect(target(path.join(root, "preview", "run.ts"), "../cli/commands/evaluate")).toBe("cli");
    expect(target(path.join(root, "preview", "run.ts"), "./collect")).toBe("preview");
  });
});

/** The file a relative import resolves to, or undefined for a package. */
function resolveImport(file: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(file), spec);
  return [`${base}.ts`, path.join(base, "index.ts"), base].find((f) => f.endsWith(".ts") && fs.existsSync(f));
}

/** Every cycle of the import graph among `files`, each as its files in order (type-only imports count too). */
function importCycles(files: string[]): string[][] {
  const edges = new Map(files.map((f) => [f, importsOf(f).flatMap((s) => resolveImport(f, s) ?? [])]));
  const state = new Map<string, "open" | "done">();
  const cycles: string[][] = [];
  const visit = (f: string, trail: string[]) => {
    state.set(f, "open");
    for (const next of edges.get(f) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === "open") cycles.push([...trail.slice(trail.indexOf(next)), next].map(rel));
      else if (!state.has(next)) visit(next, [...trail, next]);
    }
    state.set(f, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f, [f]);
  return cycles;
}

describe('"A policy maps resource properties to model inputs and calls the model; it does no arithmetic of its own"', () => {
  // What a policy may take from the engine: the call (evaluate), the input schemas and types, and the words
  // and number formats of its message. The formulas (cost, capacity, memory, throughput, fleets) stay in the engine.
  const ALLOWED = ["evaluate", "evaluation-types", "scenario", "model-config", "format", "verdict-sentence"];

  test(`policies import from the engine only ${ALLOWED.join(", ")}`, () => {
    for (const file of tsFilesUnder(path.join(root, "policies"))) {
      for (const spec of importsOf(file).filter((s) => target(file, s) === "engine"))
        expect(ALLOWED, `${rel(file)} imports ${spec}`).toContain(path.basename(spec));
    }
  });
});

describe('"One source of truth for every number"', () => {
  test("the 730 hours of a month are written once, in engine/units.ts (HOURS_PER_MONTH)", () => {
    const files = sourceFiles().filter((f) => rel(f) !== path.join("engine", "units.ts"));
    expect(offending(files, /(^|[^\w.])730([^\w.]|$)/)).toEqual([]);
  });
});

describe('"Schemas are zod; types are `z.infer` of them, never written twice"', () => {
  test("no interface or object type is written by hand under the name of a schema (XSchema -> X; composing z.infer types is fine)", () => {
    const files = sourceFiles();
    const schemaNames = new Set(
      files.flatMap((f) => [...codeOf(f).matchAll(/\bconst (\w+)Schema\b/g)].map((m) => m[1]!)),
    );
    const handWritten = files.flatMap((f) =>
      [...codeOf(f).matchAll(/\b(?:interface (\w+)\b|type (\w+)\s*(?:<[^=]*>)?\s*=\s*\{)/g)]
        .map((m) => m[1] ?? m[2]!)
        .filter((name) => schemaNames.has(name))
        .map((name) => `${rel(f)}: ${name} (schema ${name}Schema)`),
    );
    expect(handWritten).toEqual([]);
  });
});

describe('"Parse apart from read: `parseX(text)` is pure, `loadX(path)` is a thin wrapper"', () => {
  test("no exported parse* function reads a file, a folder or the network", () => {
    const reading = sourceFiles().flatMap((f) => {
      const code = codeOf(f);
      return [...code.matchAll(/export function (parse\w*)\(/g)].flatMap((m) => {
        const body = code.slice(m.index, code.indexOf("\n}\n", m.index));
        return /readFileSync|readdirSync|existsSync|\breadText\(|\breadYaml\(|\bfetch\(/.test(body)
          ? [`${rel(f)}: ${m[1]}`]
          : [];
      });
    });
    expect(reading).toEqual([]);
  });
});

describe('"JSDoc on every export"', () => {
  test("every exported declaration outside tests has a doc comment right above it", () => {
    const undocumented = sourceFiles().flatMap((f) => {
      const lines = fs.readFileSync(f, "utf8").split("\n");
      return lines.flatMap((line, i) => {
        // A re-export (`export type { X } from ...`) is documented where X is declared.
        if (!/^export (default |async )?(function|const|let|interface|type|class|abstract class)\b(?! \{)/.test(line))
          return [];
        return lines[i - 1]?.trimEnd().endsWith("*/") ? [] : [`${rel(f)}:${i + 1}: ${line.slice(0, 80)}`];
      });
    });
    expect(undocumented).toEqual([]);
  });
});

describe('"string-literal unions or `as const` objects instead of enums ... strict compiler flags"', () => {
  test("no TypeScript enum in the source", () => {
    expect(offending(sourceFiles(), /^\s*(export\s+)?(declare\s+)?(const\s+)?enum\s+\w+/)).toEqual([]);
  });

  test("the compiler runs with strict on", () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
    expect(tsconfig.compilerOptions.strict).toBe(true);
  });
});

describe('"one `config.ts` holds every config read"', () => {
  test.each([
    ["infra", path.join("infra", "config.ts")],
    ["policies", path.join("policies", "stack-scenario.ts")],
  ])("in %s only %s reads the stack config (new pulumi.Config)", (dir, home) => {
    const readers = offending(tsFilesUnder(path.join(root, dir)), /new pulumi\.Config\(/).map((o) => o.split(":")[0]);
    expect([...new Set(readers)]).toEqual([home]);
  });
});

describe('"kebab-case policy names ... a one-sentence description; `configSchema` next to a matching TypeScript type"', () => {
  test.each(POLICIES.map((p) => [p.name, p] as const))("%s", (name, policy) => {
    expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
    expect(policy.description).toMatch(/^[A-Z][^.]*\.$/);
    expect(policy.configSchema?.properties).toBeDefined();
  });
});

describe("the policy names' one home (policies/names.ts) lists the pack's policies in the order the pack serves them", () => {
  test("POLICY_NAMES is the registry's policies, name for name", () => {
    expect(POLICY_NAMES).toEqual(POLICIES.map((p) => p.name));
  });
});
